import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "../../dev/local/stack-options";
import { SEED_PERIOD } from "../../dev/scenarios/seed-2022-q3";
import { ROUTES } from "../../lib/contracts/routes";
import { parseDirectoryFile } from "../../lib/domain/agency-directory";
import type { Report } from "../../lib/domain/report";
import { createApiKey } from "../../lib/http/auth";
import { startE2eStack } from "../helpers/e2e-stack";
import { dvcqgSnapshot, ROOT } from "../helpers/fixtures";

// Keys scoped to agencies: every crossing between two agencies' subtrees tried over real
// HTTP on the local stack, on the seed's units put under a small tree: the district, its land
// block (phong-tnmt, cn-vpdk-dat-dai) and its social block (phong-tu-phap, phong-ldtbxh).
const run = promisify(execFile);
const BIN = join(ROOT, "bin", "dossier-monitor.mjs");
const seed = JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8"));
const BLOCKS: Record<string, string> = {
  "phong-tnmt": "khoi-dat-dai",
  "cn-vpdk-dat-dai": "khoi-dat-dai",
  "phong-tu-phap": "khoi-xa-hoi",
  "phong-ldtbxh": "khoi-xa-hoi",
};
const block = (id: string, name: string) => ({
  id,
  nameVi: `Khối ${name}`,
  nameEn: `${name} block`,
  level: "district-department",
  parentId: "ubnd-huyen",
});
const treeFile = {
  ...seed,
  agencies: [
    { id: "ubnd-huyen", nameVi: "UBND huyện", nameEn: "District People's Committee", level: "district" },
    block("khoi-dat-dai", "đất đai"),
    block("khoi-xa-hoi", "xã hội"),
  ],
  units: seed.units.map((u: { id: string }) => ({ ...u, parentId: BLOCKS[u.id] ?? "ubnd-huyen" })),
};

let stack: LocalStack;
let keys: { integration: string; reader: string };
let post: Awaited<ReturnType<typeof startE2eStack>>["post"];
let get: Awaited<ReturnType<typeof startE2eStack>>["get"];

beforeAll(async () => {
  ({ stack, keys, post, get } = await startE2eStack("agency-keys", {
    directory: parseDirectoryFile(treeFile, "2022-07-04"),
  }));
}, 120_000);
afterAll(async () => stack?.stop());

describe("keys scoped to agencies, over HTTP", () => {
  const at = "2022-07-01T08:00:00+07:00";
  const received = (eventId: string, dossierId: string, unitId: string) => ({
    eventId,
    type: "dossier.received",
    occurredAt: at,
    dossierId,
    data: { unitId, procedureCode: "1.001990", channel: "direct", processingDays: 5 },
  });
  let landIntegration = "";
  let landReader = "";
  let unknownReader = "";
  /** An office-wide reader with room for the many reads below in one second (the demo key's rate is 20). */
  let officeReader = "";

  beforeAll(async () => {
    const key = (name: string, role: "reader" | "integration", agencies: string[]) =>
      createApiKey(stack.store, { name, role, source: name, ratePerSecond: 100, agencies });
    landIntegration = await key("igate-dat-dai", "integration", ["khoi-dat-dai"]);
    landReader = await key("dashboard-dat-dai", "reader", ["khoi-dat-dai"]);
    unknownReader = await key("dashboard-nowhere", "reader", ["khong-co"]);
    officeReader = await createApiKey(stack.store, {
      name: "lanh-dao",
      role: "reader",
      source: "lanh-dao",
      ratePerSecond: 1000,
    });
    expect(
      (await post("/events", JSON.stringify(received("ak-1", "AK-TNMT-1", "phong-tnmt")), landIntegration))
        .status,
    ).toBe(200);
    expect(
      (
        await post(
          "/events",
          JSON.stringify(received("ak-2", "AK-TUPHAP-1", "phong-tu-phap")),
          keys.integration,
        )
      ).status,
    ).toBe(200);
    await stack.drain();
  });

  it("lets an integration key post only for units under its agencies, naming the field", async () => {
    const outside = await post(
      "/events",
      JSON.stringify(received("ak-3", "AK-TUPHAP-2", "phong-tu-phap")),
      landIntegration,
    );
    expect(outside.status).toBe(400);
    expect(outside.json.results).toEqual([
      expect.objectContaining({
        status: "rejected",
        problems: [expect.objectContaining({ path: "data.unitId" })],
      }),
    ]);
    // A unit outside its agencies and one the directory lacks are refused alike: the key learns
    // nothing of which units exist elsewhere.
    const made = await post(
      "/events",
      JSON.stringify(received("ak-3b", "AK-NOWHERE-1", "phong-khong-co")),
      landIntegration,
    );
    expect(made.status).toBe(400);
    const problemsOf = (r: typeof made) => (r.json.results as { problems: unknown[] }[])[0]?.problems;
    expect(problemsOf(made)).toEqual(problemsOf(outside));
    const moved = await post(
      "/events",
      JSON.stringify({
        eventId: "ak-4",
        type: "dossier.transferred",
        occurredAt: at,
        dossierId: "AK-TNMT-1",
        data: { toUnitId: "phong-ldtbxh" },
      }),
      landIntegration,
    );
    expect(moved.status).toBe(400);
    expect(moved.json.results).toEqual([
      expect.objectContaining({ problems: [expect.objectContaining({ path: "data.toUnitId" })] }),
    ]);
    const inside = await post(
      "/events",
      JSON.stringify(received("ak-5", "AK-VPDK-1", "cn-vpdk-dat-dai")),
      landIntegration,
    );
    expect(inside.status).toBe(200);
    await stack.drain();
    expect((await stack.store.dossiers.getWithLog("AK-TUPHAP-2")).dossier).toBeUndefined();
    expect((await stack.store.dossiers.getWithLog("AK-TNMT-1")).dossier?.unitId).toBe("phong-tnmt");
  });

  it("answers a key scoped to agencies 403 on every route of the other role, 400 naming the unit to a read that names none, and its subtree only from /agencies", async () => {
    const sample = JSON.stringify(received("ak-x", "AK-X", "phong-tnmt"));
    for (const route of ROUTES.filter((r) => r.role !== "public")) {
      const path = route.path.replace("{id}", "AK-TNMT-1");
      if (route.method === "GET") expect((await get(path, landIntegration)).status, path).toBe(403);
      else
        for (const key of [landReader, unknownReader])
          expect((await post(path, sample, key)).status, path).toBe(403);
    }
    const p = `period=${SEED_PERIOD.name}`;
    for (const path of [`/kpis?${p}`, `/kpis/export?${p}`, `/kpis/index?${p}`, "/dossiers?sla=overdue"]) {
      const res = await get(path, landReader);
      expect(res.status, path).toBe(400);
      expect(res.json.problems, path).toEqual([expect.objectContaining({ path: "unit" })]);
    }
    const ids = async (key: string) =>
      ((await get(`/agencies?${p}`, key)).json.nodes as { id: string }[]).map((n) => n.id).sort();
    expect(await ids(landReader)).toEqual(["cn-vpdk-dat-dai", "khoi-dat-dai", "phong-tnmt"]);
    expect(await ids(officeReader)).toEqual(
      expect.arrayContaining(["khoi-xa-hoi", "phong-tu-phap", "ubnd-huyen"]),
    );
  });

  it("holds an integration key scoped to agencies to its units on the portal's route too", async () => {
    const snapshot = (code: string, unit: string) => JSON.stringify(dvcqgSnapshot(code, { DonViXuLy: unit }));
    const outside = await post(
      "/integrations/dvcqg",
      snapshot("AK-DVCQG-1", "phong-tu-phap"),
      landIntegration,
    );
    expect(outside.status).toBe(400);
    expect(JSON.stringify(outside.json.results)).toMatch(/unitId|DonViXuLy/);
    // A unit the directory lacks is answered as one outside the key's agencies: same problems, and
    // no note on the unit (which would say the directory has no such unit).
    const made = await post("/integrations/dvcqg", snapshot("AK-DVCQG-3", "phong-khong-co"), landIntegration);
    expect(made.status).toBe(400);
    const said = (r: typeof made) => (r.json.results as { problems: unknown[] }[]).map((x) => x.problems);
    expect(said(made)).toEqual(said(outside));
    expect(made.json.notes).toEqual(outside.json.notes);
    expect(made.json.notes).toBeUndefined();
    // Resolved too (status 9): the resolution is not a unit's to check and is taken, the receipt
    // refused; the receipt's note on its unit is not answered either.
    const resolvedAt = { TrangThaiHoSo: "9", NgayKetThucXuLy: "20220701100000" };
    const twoEvents = (code: string, unit: string) =>
      JSON.stringify(dvcqgSnapshot(code, { DonViXuLy: unit, ...resolvedAt }));
    const madeResolved = await post(
      "/integrations/dvcqg",
      twoEvents("AK-DVCQG-4", "phong-khong-co"),
      landIntegration,
    );
    const outsideResolved = await post(
      "/integrations/dvcqg",
      twoEvents("AK-DVCQG-5", "phong-tu-phap"),
      landIntegration,
    );
    expect(madeResolved.status).toBe(207);
    expect(madeResolved.status).toBe(outsideResolved.status);
    expect(said(madeResolved)).toEqual(said(outsideResolved));
    expect(madeResolved.json.notes).toEqual(outsideResolved.json.notes);
    const inside = await post("/integrations/dvcqg", snapshot("AK-DVCQG-2", "phong-tnmt"), landIntegration);
    expect(inside.status).toBe(200);
    await stack.drain();
    expect((await stack.store.dossiers.getWithLog("AK-DVCQG-1")).dossier).toBeUndefined();
    expect((await stack.store.dossiers.getWithLog("AK-DVCQG-2")).dossier?.unitId).toBe("phong-tnmt");
  });

  it("lets a reader key read only its subtree: another subtree is 403, its dossier not found", async () => {
    const p = `period=${SEED_PERIOD.name}`;
    for (const path of [
      `/kpis?${p}&unit=phong-tu-phap`,
      `/kpis/export?${p}&unit=phong-tu-phap`,
      `/kpis/index?${p}&unit=phong-tu-phap`,
      "/dossiers?unit=phong-tu-phap&sla=overdue",
    ]) {
      const res = await get(path, landReader);
      expect(res.status, path).toBe(403);
      expect(res.json.problems, path).toEqual([expect.objectContaining({ path: "unit" })]);
      expect((await get(path, keys.reader)).status, path).toBe(200);
    }
    for (const path of [
      `/kpis?${p}&unit=phong-tnmt`,
      `/kpis/index?${p}&unit=cn-vpdk-dat-dai`,
      "/dossiers?unit=phong-tnmt&sla=overdue",
    ])
      expect((await get(path, landReader)).status, path).toBe(200);
    expect((await get("/dossiers/AK-TNMT-1", landReader)).status).toBe(200);
    const hidden = await get("/dossiers/AK-TUPHAP-1", landReader);
    expect(hidden).toEqual(await get("/dossiers/NO-SUCH-DOSSIER", landReader));
    expect(hidden.status).toBe(404);
    expect((await get("/dossiers/AK-TUPHAP-1", keys.reader)).status).toBe(200);
    const me = await get("/me", landReader);
    expect((me.json.units as { id: string }[]).map((u) => u.id).sort()).toEqual([
      "cn-vpdk-dat-dai",
      "phong-tnmt",
    ]);
  });

  it("refuses the office-wide routes to a key scoped to agencies", async () => {
    for (const path of [
      "/quarantine",
      `/kpis/form?period=${SEED_PERIOD.name}`,
      `/kpis/trend?period=${SEED_PERIOD.name}`,
      "/quality",
    ]) {
      const refused = await get(path, landReader);
      expect(refused.status, path).toBe(403);
      // Said as it is: the key is scoped to agencies (for the form: name one).
      expect(JSON.stringify(refused.json), path).toContain("this key is scoped to agencies (khoi-dat-dai)");
      expect((await get(path, keys.reader)).status, path).toBe(200);
    }
    const form = await get(`/kpis/form?period=${SEED_PERIOD.name}`, landReader);
    expect(JSON.stringify(form.json)).toContain("name one with agency= for its form");
  });

  it("gives a key scoped to an agency the directory does not know nothing to read", async () => {
    expect((await get("/dossiers/AK-TNMT-1", unknownReader)).status).toBe(404);
    expect((await get(`/kpis?period=${SEED_PERIOD.name}&unit=phong-tnmt`, unknownReader)).status).toBe(403);
    expect((await get("/me", unknownReader)).json.units).toEqual([]);
  });

  it("lets a reader read an agency's KPIs, exports, form and index from its counters: its own subtree, 403 outside it", async () => {
    const p = `period=${SEED_PERIOD.name}`;
    const office = (await get(`/kpis?${p}`, officeReader)).json as unknown as Report;
    const received = (units: string[]) =>
      office.byUnit.filter((u) => units.includes(u.unit)).reduce((n, u) => n + u.received.total, 0);
    const land = await get(`/kpis?${p}&agency=khoi-dat-dai`, landReader);
    expect(land.status).toBe(200);
    expect(land.json).toMatchObject({ agency: "khoi-dat-dai", unit: null });
    const landReport = land.json as unknown as Report;
    expect(landReport.received.total).toBe(received(["phong-tnmt", "cn-vpdk-dat-dai"]));
    expect(landReport.received.total).toBeGreaterThan(0);
    expect(landReport.byUnit.map((u) => u.unit).sort()).toEqual(
      ["cn-vpdk-dat-dai", "phong-tnmt"].filter((u) => office.byUnit.some((o) => o.unit === u)),
    );
    // The same figures as an office-wide key reads for that agency; the root's are the office's.
    const landByOffice = (await get(`/kpis?${p}&agency=khoi-dat-dai`, officeReader)).json;
    expect(landByOffice).toMatchObject({ received: landReport.received, pending: landReport.pending });
    // How many counter items the read took is the office's to know, not a scoped key's.
    expect(landByOffice.basis).toHaveProperty("itemsRead");
    expect(land.json.basis).not.toHaveProperty("itemsRead");
    expect((await get(`/agencies?${p}`, landReader)).json.basis).toEqual({});
    const unitRead = await get(`/kpis?${p}&unit=phong-tnmt`, landReader);
    expect(unitRead.status).toBe(200);
    expect(unitRead.json.basis).not.toHaveProperty("itemsRead");
    const root = (await get(`/kpis?${p}&agency=ubnd-huyen`, officeReader)).json as unknown as Report;
    expect(root.received).toEqual(office.received);
    expect((await get(`/kpis?${p}&agency=khoi-xa-hoi`, officeReader)).json).toMatchObject({
      received: { total: received(["phong-tu-phap", "phong-ldtbxh"]) },
    });
    const form = await get(`/kpis/form?${p}&agency=khoi-dat-dai`, landReader);
    expect(form.status).toBe(200);
    expect(form.json).toMatchObject({
      agency: "khoi-dat-dai",
      office: "Khối đất đai",
      recipient: "UBND huyện",
    });
    const total = (form.json.rows as { kind: string; values: { receivedTotal: number } }[]).find(
      (r) => r.kind === "total",
    );
    // Withdrawn dossiers count as resolved on the form (the default): none are withdrawn here.
    expect(total?.values.receivedTotal).toBe(landReport.received.total);
    const index = await get(`/kpis/index?${p}&agency=khoi-dat-dai`, landReader);
    expect(index.status).toBe(200);
    expect(index.json).toMatchObject({ agency: "khoi-dat-dai" });
    for (const path of [
      `/kpis/export?${p}&agency=khoi-dat-dai&format=csv`,
      `/kpis/export?${p}&agency=khoi-dat-dai&format=xlsx`,
      `/kpis/form?${p}&agency=khoi-dat-dai&format=xlsx`,
    ])
      expect((await get(path, landReader)).status, path).toBe(200);
    // The agency's file names its total after the agency, as every text people read does.
    const csv = await fetch(`${stack.urls.api}/kpis/export?${p}&agency=khoi-dat-dai&format=csv`, {
      headers: { authorization: `Bearer ${landReader}` },
    }).then((r) => r.text());
    expect(csv.trim().split("\r\n").at(-1)).toMatch(/^Khối đất đai,/);
    // A tree's export says which agency each unit reports under (the total's is empty); the
    // office-wide one too, across both blocks.
    const cells = (text: string) =>
      text
        .trim()
        .split("\r\n")
        .map((line) => line.split(",").slice(0, 2));
    expect(cells(csv)[0]).toEqual(["Đơn vị", "Cơ quan"]);
    const rows = cells(csv).slice(1);
    expect(rows.at(-1)).toEqual(["Khối đất đai", ""]);
    expect(rows.slice(0, -1)).toContainEqual(["Phòng Tài nguyên và Môi trường", "Khối đất đai"]);
    for (const [unit, agency] of rows.slice(0, -1)) expect(agency, unit).toBe("Khối đất đai");
    const officeCsv = await fetch(`${stack.urls.api}/kpis/export?${p}&format=csv`, {
      headers: { authorization: `Bearer ${officeReader}` },
    }).then((r) => r.text());
    const byUnit = Object.fromEntries(cells(officeCsv).slice(1, -1));
    expect(byUnit["Phòng Tư pháp"]).toBe("Khối xã hội");
    expect(byUnit["Phòng Tài nguyên và Môi trường"]).toBe("Khối đất đai");
    // Crossings: the sibling block and the parent district, on every route.
    for (const agency of ["khoi-xa-hoi", "ubnd-huyen"])
      for (const route of ["/kpis", "/kpis/export", "/kpis/form", "/kpis/index"]) {
        const path = `${route}?${p}&agency=${agency}`;
        const res = await get(path, landReader);
        expect(res.status, path).toBe(403);
        expect(res.json.problems, path).toEqual([expect.objectContaining({ path: "agency" })]);
        expect((await get(path, officeReader)).status, path).toBe(200);
        expect((await get(path, unknownReader)).status, path).toBe(403);
      }
  });

  it("answers an agency the tree does not have 404, an agency with a unit 400, and a key scoped to units 403", async () => {
    const p = `period=${SEED_PERIOD.name}`;
    const unknown = await get(`/kpis?${p}&agency=khong-co`, officeReader);
    expect(unknown.status).toBe(404);
    expect(unknown.json.problems).toEqual([expect.objectContaining({ path: "agency" })]);
    // A scoped key learns nothing of agencies outside its scope, not even whether they exist.
    for (const agency of ["khong-co", "khoi-xa-hoi"])
      expect((await get(`/kpis?${p}&agency=${agency}`, landReader)).status, agency).toBe(403);
    // A unit is not an agency.
    expect((await get(`/kpis/index?${p}&agency=phong-tnmt`, officeReader)).status).toBe(404);
    const both = await get(`/kpis?${p}&agency=khoi-dat-dai&unit=phong-tnmt`, landReader);
    expect(both.status).toBe(400);
    expect(both.json.problems).toEqual([expect.objectContaining({ path: "agency" })]);
    const unitKey = await createApiKey(stack.store, {
      name: "dashboard-tnmt",
      role: "reader",
      source: "dashboard-tnmt",
      ratePerSecond: 100,
      units: ["phong-tnmt"],
    });
    for (const route of ["/kpis", "/kpis/form", "/kpis/index"])
      expect((await get(`${route}?${p}&agency=khoi-dat-dai`, unitKey)).status, route).toBe(403);
  });

  it("reads an agency's report with report --api --agency, and exits 1 on the API's refusal", async () => {
    const args = (key: string, agency: string) => [
      BIN,
      "report",
      "--api",
      stack.urls.api,
      "--period",
      SEED_PERIOD.name,
      "--agency",
      agency,
      "--key",
      key,
    ];
    const { stdout } = await run(process.execPath, args(landReader, "khoi-dat-dai"));
    const fromApi = await get(`/kpis?period=${SEED_PERIOD.name}&agency=khoi-dat-dai`, landReader);
    // The same report, but for the instant each was taken at (the demo clock runs).
    expect(JSON.parse(stdout)).toEqual({ ...fromApi.json, asOf: expect.any(String) });
    const refused = await run(process.execPath, args(landReader, "khoi-xa-hoi")).catch((e) => e);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/403/);
    // As CSV, the stack's own file: in this tree, each unit with the agency it reports under.
    const csv = await run(process.execPath, [...args(landReader, "khoi-dat-dai"), "--format", "csv"]);
    const rows = csv.stdout
      .trim()
      .split("\r\n")
      .map((line) => line.split(",").slice(0, 2));
    expect(rows[0]).toEqual(["Đơn vị", "Cơ quan"]);
    expect(rows.slice(1, -1)).toContainEqual(["Phòng Tài nguyên và Môi trường", "Khối đất đai"]);
    const csvRefused = await run(process.execPath, [
      ...args(landReader, "khoi-xa-hoi"),
      "--format",
      "csv",
    ]).catch((e) => e);
    expect(csvRefused.code).toBe(1);
    expect(csvRefused.stderr).toMatch(/403/);
  });
});
