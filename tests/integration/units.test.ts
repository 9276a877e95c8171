import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../cli/shared";
import { agencyTreeOf } from "../../lib/app/directory";
import { OFFICE_NODE_ID } from "../../lib/domain/agencies";
import { authenticate } from "../../lib/http/auth";
import { testTable } from "../helpers/dynamo";
import { ROOT } from "../helpers/fixtures";

const run = promisify(execFile);
const BIN = join(ROOT, "bin", "dossier-monitor.mjs");

describe("dossier-monitor units import", () => {
  it("stores the sample directory of the seed's departments", async () => {
    const table = await testTable("units");
    const { stderr } = await run(process.execPath, [
      BIN,
      "units",
      "import",
      join(ROOT, "events/units/seed-units.json"),
      "--table",
      table.tableName,
      "--endpoint",
      table.endpoint,
    ]);
    expect(stderr).toMatch(/imported 8 units and 2 leadership contacts/);
    const directory = await table.store.directory.get();
    expect(directory.get("phong-ldtbxh")?.nameVi).toBe("Phòng Lao động – Thương binh và Xã hội");
    expect(directory.get("cn-vpdk-dat-dai")?.thresholds?.nearDueWorkingHours).toBe(16);
    expect(directory.leadership).toHaveLength(2);
    // The one-stop desk of each department (docs/rules.md R4), and none for the desk itself.
    expect(directory.oneStopDeskOf("phong-ldtbxh")).toEqual([
      { name: "Bộ phận Tiếp nhận và Trả kết quả", email: "mot-cua@ubnd.example.org" },
    ]);
    expect(directory.oneStopDeskOf("bp-mot-cua")).toEqual([]);
    await table.drop();
  });

  it("stores the province sample's agency tree with its units and reads the tree back", async () => {
    const table = await testTable("units-tree");
    const { stderr } = await run(process.execPath, [
      BIN,
      "units",
      "import",
      join(ROOT, "events/units/province-sample.json"),
      "--table",
      table.tableName,
      "--endpoint",
      table.endpoint,
    ]);
    expect(stderr).toMatch(/imported 1978 units, 554 agencies and 2 leadership contacts/);
    const directory = await table.store.directory.get();
    expect(directory.units).toHaveLength(1978);
    const tree = agencyTreeOf(directory);
    expect(tree.rootId).toBe("tinh-son-ha");
    expect(tree.agencies()).toHaveLength(554);
    expect(tree.isUnder("so-tu-phap.legal-division", ["so-tu-phap"], "2025-09-01")).toBe(true);
    expect(tree.isUnder("so-tu-phap.legal-division", ["so-tai-chinh"], "2025-09-01")).toBe(false);
    // A merger: the retired department's units report under its successor after it ends.
    expect(tree.reportingNode("so-tn-mt.office", "2025-01-15")).toBe("so-tn-mt");
    expect(tree.reportingNode("so-tn-mt.office", "2025-09-01")).toBe("so-nn-mt");
    // What a unit inherits from its agency, as the tree stands on the import's day, is written into
    // it for the flat readers: the retired department's unit escalates to its successor's director.
    expect(directory.get("so-tn-mt.office")?.escalation).toEqual([
      { name: "Giám đốc Sở Nông nghiệp và Môi trường", email: "giam-doc.so-nn-mt@example.org" },
    ]);
    await table.drop();
  });

  it("reads a flat directory (the seed's) as one office holding every unit", async () => {
    const table = await testTable("units-flat");
    const file = JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8"));
    await table.store.directory.put(file.units, file.leadership, file.integrations);
    const tree = agencyTreeOf(await table.store.directory.get());
    expect(tree.rootId).toBe(OFFICE_NODE_ID);
    expect(tree.subtree(OFFICE_NODE_ID, "2025-09-01").units).toHaveLength(file.units.length);
    await table.drop();
  });

  it("creates an API key with dossier-monitor keys create, stored as its hash only", async () => {
    const table = await testTable("keys");
    const { stdout } = await run(process.execPath, [
      BIN,
      "keys",
      "create",
      "--name",
      "iGate",
      "--role",
      "integration",
      "--source",
      "igate",
      "--table",
      table.tableName,
      "--endpoint",
      table.endpoint,
    ]);
    const key = stdout.trim();
    expect(key).toMatch(/^dm_i_/);
    const auth = await authenticate(table.store, key, "integration");
    expect(auth).toMatchObject({
      ok: true,
      value: { name: "iGate", source: "igate", role: "integration" },
    });
    const { ScanCommand } = await import("@aws-sdk/lib-dynamodb");
    const items = await table.doc.send(new ScanCommand({ TableName: table.tableName }));
    expect(JSON.stringify(items.Items)).not.toContain(key);
    // An integration key scoped to an agency may not take the office-wide key's source.
    const scoped = await run(process.execPath, [
      BIN,
      "keys",
      "create",
      "--name",
      "iGate đất đai",
      "--role",
      "integration",
      "--source",
      "igate",
      "--agencies",
      "khoi-dat-dai",
      "--table",
      table.tableName,
      "--endpoint",
      table.endpoint,
    ]).catch((e) => e);
    expect(scoped.code).toBe(EXIT.usage);
    expect(scoped.stderr).toMatch(/--source: "igate" is already the source of the integration key "iGate"/);
    await table.drop();
  });

  it("refuses a key scoped to units or agencies the table's directory does not know (a key that would read nothing)", async () => {
    const table = await testTable("keys-scope");
    const file = JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8"));
    await table.store.directory.put(file.units, file.leadership, file.integrations);
    const create = (...scope: string[]) =>
      run(process.execPath, [
        BIN,
        "keys",
        "create",
        "--name",
        "reader",
        "--role",
        "reader",
        "--source",
        "dashboard",
        ...scope,
        "--table",
        table.tableName,
        "--endpoint",
        table.endpoint,
      ]).catch((e) => e);
    const typo = await create("--units", "phong-tu-phap,phong-tnmtt");
    expect(typo.code).toBe(EXIT.badInput);
    expect(typo.stderr).toContain("--units: not in the table's unit directory: phong-tnmtt");
    const agency = await create("--agencies", "khoi-khong-co");
    expect(agency.code).toBe(EXIT.badInput);
    expect(agency.stderr).toContain("--agencies: not agencies of the table's directory: khoi-khong-co");
    const made = await create("--units", "phong-tu-phap,phong-tnmt");
    expect(made.stdout.trim()).toMatch(/^dm_r_/);
    expect(await authenticate(table.store, made.stdout.trim(), "reader")).toMatchObject({
      ok: true,
      value: { units: ["phong-tu-phap", "phong-tnmt"] },
    });
    await table.drop();
  });

  it("names the bad field of a directory file and exits 1", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "dm-units-")), "bad.json");
    writeFileSync(file, JSON.stringify({ leadership: [{ name: "A", email: "not-an-email" }], units: [] }));
    const err = await run(process.execPath, [
      BIN,
      "units",
      "import",
      file,
      "--table",
      "x",
      "--endpoint",
      "http://127.0.0.1:9",
    ]).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/leadership\.0\.email/);
    expect(err.stderr).toMatch(/units: /);
  });
});

describe("dossier-monitor keys list and keys revoke", () => {
  it("lists the keys by the start of their hash and revokes one by the key (on standard input) or by that start", async () => {
    const table = await testTable("keys-revoke");
    const revokeFromStdin = (key: string) =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          [BIN, "keys", "revoke", "--key", "-", "--table", table.tableName, "--endpoint", table.endpoint],
          (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
        );
        child.stdin?.end(key);
      });
    const cli = (...args: string[]) =>
      run(process.execPath, [
        BIN,
        "keys",
        ...args,
        "--table",
        table.tableName,
        "--endpoint",
        table.endpoint,
      ]).then(
        (out) => ({ code: 0, ...out }),
        (e) => e as { code: number; stdout: string; stderr: string },
      );
    const create = async (name: string, source: string) =>
      (await cli("create", "--name", name, "--role", "reader", "--source", source)).stdout.trim() as string;
    const first = await create("Lãnh đạo", "dashboard");
    const second = await create("Phòng Tư pháp", "dashboard-tp");
    const listed = (await cli("list")).stdout as string;
    const lines = listed.trim().split("\n");
    expect(lines).toHaveLength(2);
    // Never the key itself: the start of its hash, its role, source, scope, rate and holder.
    expect(listed).not.toContain(first);
    expect(lines[0]).toMatch(/^[0-9a-f]{12}\treader\tdashboard\toffice\t20\/s\tLãnh đạo$/);
    expect((await authenticate(table.store, first, "reader")).ok).toBe(true);
    // By the key itself, read from standard input (out of the shell's history), pasted with a newline.
    const byKey = await revokeFromStdin(`${first}\n`);
    expect(byKey.code).toBe(0);
    expect(byKey.stderr).toMatch(/^revoked the key [0-9a-f]{12}/);
    expect(byKey.stderr).not.toContain(first);
    expect((await authenticate(table.store, first, "reader")).ok).toBe(false);
    expect((await authenticate(table.store, second, "reader")).ok).toBe(true);
    // By the start of its hash, as the list shows it.
    const prefix = ((await cli("list")).stdout as string).split("\t")[0] as string;
    const byHash = await cli("revoke", "--hash", prefix.toUpperCase());
    expect(byHash.code).toBe(0);
    expect((await authenticate(table.store, second, "reader")).ok).toBe(false);
    expect(((await cli("list")).stdout as string).trim()).toBe("");
    // Again: nothing to revoke (bad input); neither or both of --key and --hash: usage.
    expect((await cli("revoke", "--key", first)).code).toBe(EXIT.badInput);
    expect((await cli("revoke", "--hash", prefix)).code).toBe(EXIT.badInput);
    expect((await cli("revoke")).code).toBe(EXIT.usage);
    expect((await cli("revoke", "--key", first, "--hash", prefix)).code).toBe(EXIT.usage);
    expect((await cli("revoke", "--hash", "abc")).code).toBe(EXIT.usage);
    // Nothing piped in (an empty input, or a bare line break): a usage error, never a delete of "".
    expect(await revokeFromStdin("\n")).toMatchObject({
      code: EXIT.usage,
      stderr: expect.stringContaining("standard input held no key"),
    });
    await table.drop();
  });
});
