import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BulkWriter } from "../../lib/adapters/dynamodb/bulk";
import { type ImportDeps, importEvents } from "../../lib/app/import";
import { parseUnitDirectory } from "../../lib/domain/units";
import { families, tableSnapshot } from "../helpers/compare-tables";
import { deliver, sqsRecord } from "../helpers/delivery";
import { testTable } from "../helpers/dynamo";
import { FAULT_NOW, faultSettings, seedDirectory } from "../helpers/faults";
import { ROOT, readProjectFile } from "../helpers/fixtures";
import { asImport, importFixture } from "../helpers/import-fixture";
import { killAtPause } from "../helpers/kill-at-pause";

/**
 * The import leaves the table the consumer leaves. The seed quarter through the consumer
 * costs about two minutes here, so these tests take every fifteenth of its dossiers (about 1,400
 * events, with the seed's own repeats) and three events the consumer refuses; the bench imports the
 * whole quarter (bench/sections/import.ts).
 */

type Table = Awaited<ReturnType<typeof testTable>>;
type Snapshot = Awaited<ReturnType<typeof tableSnapshot>>;

const events = importFixture();
const directory = parseUnitDirectory(JSON.parse(readProjectFile("events/units/seed-units.json")));
const units = seedDirectory();
const tables: Table[] = [];
let createHandler: typeof import("../../functions/apply-events").createHandler;

async function table(prefix: string): Promise<Table> {
  const t = await testTable(prefix);
  tables.push(t);
  await t.store.directory.put(directory.units, directory.leadership, directory.integrations);
  return t;
}

const importDeps = (t: Table): ImportDeps => ({
  ...t.store,
  bulk: new BulkWriter(t.store.client, t.store.tableName),
  settings: faultSettings,
  units,
  now: () => FAULT_NOW,
});

/** The events through the apply-events handler, in file order, 4 execution environments at once. */
async function throughConsumer(t: Table, list = events) {
  const make = () =>
    createHandler(
      { ...t.store, settings: faultSettings, units, now: () => FAULT_NOW },
      new Logger({ logLevel: "SILENT" }),
      new Metrics({ namespace: "test" }),
    ) as never;
  const result = await deliver(
    make,
    list.map((e) => sqsRecord(e)),
    { workers: 4 },
  );
  expect(result.failedForGood).toEqual([]);
}

/** The import in a child process that stops for good at `pause`, then is killed (killable-import.ts). */
async function killAt(t: Table, pause: `after-${"commit" | "batch"}:${number}`) {
  const { killed, finished, lines } = await killAtPause("killable-import.ts", {
    DYNAMO_ENDPOINT: t.endpoint,
    TABLE_NAME: t.tableName,
    PAUSE: pause,
  });
  return { killed, finished, seen: { commit: lines.commit ?? 0, batch: lines.batch ?? 0 } };
}

let viaConsumer: Snapshot | undefined;

/** The fixture through the consumer once, into a fresh table. */
async function consumedOnce(): Promise<Snapshot> {
  if (!viaConsumer) {
    const consumer = await table("imp-consumer");
    await throughConsumer(consumer);
    viaConsumer = await tableSnapshot(consumer);
  }
  return viaConsumer;
}
let imported:
  | { table: Table; snapshot: Snapshot; summary: Awaited<ReturnType<typeof importEvents>> }
  | undefined;

/** The fixture imported once into a fresh table (the tests below compare with it). */
async function importedOnce() {
  if (!imported) {
    const t = await table("imp-import");
    const summary = await importEvents(importDeps(t), asImport(events));
    imported = { table: t, snapshot: await tableSnapshot(t), summary };
  }
  return imported;
}

beforeAll(async () => {
  process.env.TABLE_NAME = "unused-by-these-tests";
  ({ createHandler } = await import("../../functions/apply-events"));
});
afterAll(async () => {
  for (const t of tables) await t.drop();
});

describe("dossier-monitor import", () => {
  it("leaves the table the consumer leaves: dossiers with their logs, index attributes, counters, quarantine", async () => {
    const consumer = await consumedOnce();
    const { snapshot: viaImport, summary } = await importedOnce();
    const counts = families(viaImport);
    expect(counts.dossier).toBeGreaterThan(350);
    // No event records: each dossier's log is inside its item, as the consumer keeps it.
    expect(counts.event).toBeUndefined();
    // One counter item per unit counted in the period (its level/domain split inside).
    expect(counts.K).toBeGreaterThanOrEqual(6);
    expect(summary).toMatchObject({ quarantined: 2, dossiers: { applyPath: 0 } });
    expect(summary.rejected.map((r) => r.reason.split(":")[0])).toEqual(expect.arrayContaining(["conflict"]));
    expect(viaImport).toEqual(consumer);
  }, 400_000);

  it("imported twice gives the same table", async () => {
    const once = await importedOnce();
    const summary = await importEvents(importDeps(once.table), asImport(events));
    expect(summary.applied).toBe(0);
    expect(summary.dossiers.created).toBe(0);
    expect(await tableSnapshot(once.table)).toEqual(once.snapshot);
  }, 120_000);

  it("stopped half way (twice, during the transactions), then run again, gives the same table", async () => {
    const t = await table("imp-killed");
    const first = await killAt(t, "after-commit:2");
    const second = await killAt(t, "after-commit:3");
    expect([first, second].map((r) => [r.killed, r.finished])).toEqual([
      [true, false],
      [true, false],
    ]);
    const { snapshot } = await importedOnce();
    const partial = families(await tableSnapshot(t));
    expect(partial.dossier).toBeGreaterThan(0);
    expect(partial.dossier).toBeLessThan(families(snapshot).dossier as number);
    await importEvents(importDeps(t), asImport(events));
    expect(await tableSnapshot(t)).toEqual(snapshot);
  }, 240_000);

  it("names an invalid event by the ids that read as ids, never by a name or phone number sent in one", async () => {
    const t = await table("imp-invalid");
    const inputs = [
      // A name and a phone number in the event's id, which refuses both: neither is kept.
      { eventId: "Nguyễn Văn A", type: "dossier.received", dossierId: "HS-2022-0001" },
      { eventId: "0912 345 678", type: "dossier.received", dossierId: "HS-2022-0002" },
      // Ids that read as ids are kept, so the line can be found and mended.
      { eventId: "ev-17", type: "dossier.received", dossierId: "HS-2022-0017" },
    ].map((input, i) => ({ input, where: `file:${i + 1}` }));
    const summary = await importEvents(importDeps(t), inputs);
    expect(summary.invalid).toBe(3);
    expect(summary.rejected.map(({ where, eventId, dossierId }) => ({ where, eventId, dossierId }))).toEqual([
      { where: "file:1", eventId: "", dossierId: "HS-2022-0001" },
      { where: "file:2", eventId: "", dossierId: "HS-2022-0002" },
      { where: "file:3", eventId: "ev-17", dossierId: "HS-2022-0017" },
    ]);
    expect(JSON.stringify(summary.rejected)).not.toMatch(/Nguyễn|0912/);
  });

  it("keeps a dossier whose counters no transaction holds, as the consumer does, and imports the rest", async () => {
    const t = await table("imp-old");
    // Received in 2000 and still open: a counter item in each of 108 quarters since.
    const deps = {
      ...importDeps(t),
      settings: { ...faultSettings, scheme: { kind: "calendar-quarter" as const } },
    };
    const old = {
      eventId: "old-1",
      type: "dossier.received",
      occurredAt: "2000-03-01T08:00:00+07:00",
      dossierId: "HS-2000-0001",
      data: { unitId: "phong-tu-phap", procedureCode: "1.001193", channel: "direct", processingDays: 5 },
    };
    const fresh = {
      ...old,
      eventId: "new-1",
      occurredAt: "2026-11-02T08:00:00+07:00",
      dossierId: "HS-2026-0001",
    };
    const summary = await importEvents(
      deps,
      [old, fresh].map((input, i) => ({ input, where: `file:${i + 1}` })),
    );
    expect(summary.rejected).toEqual([
      {
        where: "file:1",
        eventId: "old-1",
        dossierId: "HS-2000-0001",
        reason: expect.stringContaining("more than one DynamoDB transaction can hold"),
      },
    ]);
    expect(summary.applied).toBe(1);
    expect((await t.store.dossiers.getWithLog("HS-2026-0001")).dossier?.received).toBe(true);
  });

  it("beside the consumer: dossiers already in the table go through the apply path, and the table is the consumer's", async () => {
    const t = await table("imp-mixed");
    await throughConsumer(t, events.slice(0, 300));
    const summary = await importEvents(importDeps(t), asImport(events));
    expect(summary.dossiers.applyPath).toBeGreaterThan(50);
    expect(summary.dossiers.created).toBeGreaterThan(150);
    expect(await tableSnapshot(t)).toEqual(await consumedOnce());
  }, 240_000);

  it("on the command line: a summary, the rejects with file and line, and nothing the second time", async () => {
    const t = await table("imp-cli");
    const dir = mkdtempSync(join(tmpdir(), "dm-import-"));
    const file = join(dir, "history.ndjson");
    const lines = events.slice(0, 40).map((e) => JSON.stringify(e));
    lines.splice(5, 0, '{"eventId":"broken","type":"dossier.received"}');
    writeFileSync(file, `${lines.join("\n")}\n`);
    const run = (...extra: string[]) =>
      promisify(execFile)(
        process.execPath,
        [
          join(ROOT, "bin", "dossier-monitor.mjs"),
          "import",
          file,
          "--table",
          t.tableName,
          "--endpoint",
          t.endpoint,
          "--now",
          "2026-11-30T09:00:00+07:00",
          ...extra,
        ],
        { env: { ...process.env, PERIOD_SCHEME: JSON.stringify(faultSettings.scheme) } },
      ).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({
          code: e.code,
          stdout: e.stdout,
          stderr: e.stderr,
        }),
      );
    // A catalog that is not one stops the command before it writes anything, naming the field.
    const catalog = join(dir, "catalog.json");
    writeFileSync(
      catalog,
      JSON.stringify({ procedures: [{ code: "1.1", vi: "x", en: "x", domain: "d", days: -1 }] }),
    );
    const refused = await run("--catalog", catalog);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/catalog\.json: procedures\[0\]\.days: /);
    expect(refused.stdout).toBe("");
    const first = await run();
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(
      /^41 events in .*: applied \d+, duplicate \d+, quarantined 0, invalid 1; dossiers created \d+/,
    );
    const rejects = readFileSync(`${file}.rejects.ndjson`, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rejects).toEqual([expect.objectContaining({ kind: "invalid", where: `${file}:6` })]);
    const second = await run();
    expect(second.stdout).toMatch(/applied 0, duplicate 40, quarantined 0, invalid 1; dossiers created 0/);
  }, 60_000);
});
