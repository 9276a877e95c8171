/**
 * "One dossier never stops the others", against DynamoDB Local: a dossier flooded with
 * anomalous events stays small and writable (or refuses with a reason), the sweep goes on past a
 * dossier it cannot check, and one dossier's many events in one batch are all applied once.
 */
import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { localSesClient, readSesStore } from "../../dev/local/ses-local";
import { mulberry32 } from "../../dev/scenarios/rng";
import { SEED_PERIOD } from "../../dev/scenarios/seed-2022-q3";
import { BulkWriter } from "../../lib/adapters/dynamodb/bulk";
import { itemBytes, MAX_DOSSIER_ITEM_BYTES } from "../../lib/adapters/dynamodb/dossier-items";
import type { Dossiers } from "../../lib/adapters/dynamodb/dossiers";
import { encodeLog } from "../../lib/adapters/dynamodb/log-codec";
import { sesMailer } from "../../lib/adapters/ses";
import { type ApplyDeps, type ApplyOutcome, applyEvent } from "../../lib/app/apply";
import { sendDigests } from "../../lib/app/digests";
import { importEvents } from "../../lib/app/import";
import { readKpiReport } from "../../lib/app/kpis";
import { runSweep, SWEEP_RETRY_DELAY_MS, type SweepFailure } from "../../lib/app/sweep";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { MAX_EVENTS_PER_DOSSIER } from "../../lib/domain/records";
import { computeReport } from "../../lib/domain/report";
import { formatInstant, HOUR_MS, instant } from "../../lib/domain/time";
import { kpiView } from "../helpers/compare";
import { sqsRecord } from "../helpers/delivery";
import { testTable } from "../helpers/dynamo";
import { FAULT_NOW, seedDirectory, faultSettings as settings } from "../helpers/faults";
import { asImport } from "../helpers/import-fixture";

process.env.TABLE_NAME ??= "unused-by-these-tests";
const { createHandler } = await import("../../functions/apply-events");

const units = seedDirectory();
type Table = Awaited<ReturnType<typeof testTable>>;
let table: Table;
beforeAll(async () => {
  table = await testTable("bound");
});
afterAll(async () => table.drop());

const received = (
  dossierId: string,
  unitId: string,
  occurredAt: string,
  processingDays = 2,
): DossierEvent => ({
  eventId: `r-${dossierId}`,
  type: "dossier.received",
  occurredAt,
  dossierId,
  source: "A",
  data: { unitId, procedureCode: "1.004227", channel: "direct", processingDays },
});
const at = (start: string, hours: number) => formatInstant(instant(start) + hours * HOUR_MS);

/** `n` bytes that do not compress, the same each run for one `seed` (a failure can be replayed). */
function noiseBytes(seed: number, n: number): Buffer {
  const rng = mulberry32(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(rng() * 256)));
}

/** Runs `work` over `items`, `workers` at a time. */
async function pool<T>(items: readonly T[], workers: number, work: (item: T) => Promise<unknown>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await work(next);
    }),
  );
}

describe("the wedge: anomalous events to one dossier, past its cap", () => {
  it("keeps the dossier item small, refuses beyond the cap with a reason, and stays answerable", async () => {
    const deps: ApplyDeps = { ...table.store, settings, units, now: () => FAULT_NOW };
    const id = "WEDGE-1";
    const start = "2022-07-04T08:00:00+07:00";
    await applyEvent(deps, received(id, "cn-vpdk-dat-dai", start));
    await applyEvent(deps, {
      eventId: "w-resolved",
      type: "dossier.resolved",
      occurredAt: at(start, 2),
      dossierId: id,
      source: "A",
      data: { outcome: "approved" },
    });
    // Status events after the close: kept in the log, each an anomaly; the cap's room, then 200
    // more at once (how many more changes nothing: each is refused by the same check).
    const FLOOD = MAX_EVENTS_PER_DOSSIER + 200;
    const flood: DossierEvent[] = Array.from({ length: FLOOD }, (_, i) => ({
      eventId: `w-${i}`,
      type: "dossier.supplement_requested",
      occurredAt: at(start, 3 + i / 60),
      dossierId: id,
      source: "A",
      data: {},
    }));
    const room = MAX_EVENTS_PER_DOSSIER - 2;
    const outcomes: ApplyOutcome[] = [];
    // Sequentially up to the cap (as the consumer applies one dossier's events), then all at once.
    for (const e of flood.slice(0, room)) outcomes.push(await applyEvent(deps, e));
    await pool(flood.slice(room), 8, async (e) => outcomes.push(await applyEvent(deps, e)));
    expect(outcomes.filter((o) => o.status === "applied")).toHaveLength(room);
    const refused = outcomes.filter((o) => o.status === "quarantined");
    expect(refused).toHaveLength(FLOOD - room);
    expect(new Set(refused.map((o) => (o as { reason: string }).reason))).toEqual(
      new Set([
        `dossier ${id} already holds ${MAX_EVENTS_PER_DOSSIER} events, the most one dossier may have`,
      ]),
    );

    // The item stays small: anomalies counted by kind, only the last few kept with their ids.
    const item = await table.doc.send(
      new GetCommand({ TableName: table.tableName, Key: { pk: `D#${id}`, sk: "DOSSIER" } }),
    );
    // Its log of 500 events inside, compressed: a few KB as DynamoDB counts it.
    expect(itemBytes(item.Item ?? {})).toBeLessThan(8 * 1024);
    expect(item.Item?.anomalyCounts).toEqual({ after_close: room });
    expect(item.Item?.anomalies).toHaveLength(5);
    expect(item.Item?.logSize).toBe(MAX_EVENTS_PER_DOSSIER);

    // A genuine event on it: answered with a reason, nothing throws; a redelivery is a duplicate.
    const rating = await applyEvent(deps, {
      eventId: "w-rating",
      type: "dossier.rated",
      occurredAt: at(start, 80),
      dossierId: id,
      source: "A",
      data: { score: 5 },
    });
    expect(rating).toEqual({
      status: "quarantined",
      reason: `dossier ${id} already holds ${MAX_EVENTS_PER_DOSSIER} events, the most one dossier may have`,
    });
    expect((await applyEvent(deps, flood[7] as DossierEvent)).status).toBe("duplicate");
    expect(
      await applyEvent(deps, { ...(flood[7] as DossierEvent), occurredAt: at(start, 90) }),
    ).toMatchObject({
      status: "quarantined",
      reason: "conflict: event w-7 of A was already applied with a different body",
    });
  }, 300_000);
});

describe("the sweep, with one dossier it cannot check", () => {
  it("checks the others, raises the near-due canary's alert, and moves the failing one later", async () => {
    const t = await testTable("sweep");
    await t.store.directory.put(units.units, units.leadership);
    const clock = instant("2022-07-06T10:00:00+07:00");
    const deps = { ...t.store, settings, units, now: () => clock };
    // Received two days before, due 2022-07-06 17:00: five working hours left, near due.
    const opened = "2022-07-04T08:00:00+07:00";
    const broken = "SWEEP-BROKEN";
    for (const [dossierId, unit] of [
      [broken, "cn-vpdk-dat-dai"],
      ["SWEEP-2", "cn-vpdk-dat-dai"],
      ["SWEEP-3", "phong-tu-phap"],
      ["CANARY-1", "phong-tckh"],
    ] as const)
      expect((await applyEvent(deps, received(dossierId, unit, opened))).status).toBe("applied");
    // Every read of the broken dossier fails (a store call injected to fail for it alone).
    const failing: Dossiers = Object.create(t.store.dossiers);
    failing.getWithLog = (dossierId, options) =>
      dossierId === broken
        ? Promise.reject(new Error("injected failure"))
        : t.store.dossiers.getWithLog(dossierId, options);
    const failures: SweepFailure[] = [];
    const result = await runSweep({ ...deps, dossiers: failing }, { onFailure: (f) => failures.push(f) });
    expect(result.failed).toBe(1);
    expect(failures.map((f) => [f.dossierId, (f.error as Error).message, f.postponed])).toEqual([
      [broken, "injected failure", true],
    ]);
    expect(result.checked).toBe(3);
    expect(result.byKind.near_due).toBe(3);
    expect((await t.store.dossiers.get(broken))?.nextCheckAt).toBe(clock + SWEEP_RETRY_DELAY_MS);
    expect((await t.store.dossiers.dueForCheck(clock)).map((d) => d.dossierId)).not.toContain(broken);

    // The canary's unit gets its digest.
    const from = `canh-bao+${randomUUID().slice(0, 8)}@ubnd.example.org`;
    await sendDigests({
      ...t.store,
      mailer: sesMailer(localSesClient(inject("sesEndpoint"))),
      calendar: settings.calendar,
      units,
      from,
      now: () => clock,
      owner: randomUUID(),
    });
    const mail = (await readSesStore(inject("sesEndpoint"))).filter((m) => m.from === from);
    expect(mail.some((m) => m.body.text?.includes("CANARY-1"))).toBe(true);
    await t.drop();
  }, 120_000);
});

describe("one dossier's events in one batch", () => {
  it("applies 300 events of one dossier, delivered in one batch, all exactly once", async () => {
    const t = await testTable("batch");
    await t.store.directory.put(units.units, units.leadership);
    const start = "2022-07-01T08:00:00+07:00";
    const id = "BATCH-1";
    const events: DossierEvent[] = [received(id, "phong-tnmt", start, 60)];
    for (let i = 0; i < 149; i++) {
      const base = { dossierId: id, source: "A", data: {} };
      events.push({
        ...base,
        eventId: `q-${i}`,
        type: "dossier.supplement_requested",
        occurredAt: at(start, 1 + 2 * i),
      });
      events.push({
        ...base,
        eventId: `a-${i}`,
        type: "dossier.supplement_received",
        occurredAt: at(start, 2 + 2 * i),
      });
    }
    events.push({
      eventId: "done",
      type: "dossier.resolved",
      occurredAt: at(start, 400),
      dossierId: id,
      source: "A",
      data: { outcome: "approved" },
    });
    expect(events).toHaveLength(300);
    // Through the function's handler, which reads the directory from the table itself.
    const handler = createHandler(
      { ...t.store, settings, now: () => FAULT_NOW },
      new Logger({ logLevel: "SILENT" }),
      new Metrics({ namespace: "test" }),
    );
    const records = [...events].reverse().map((e) => sqsRecord(e));
    expect((await handler({ Records: records }, {} as never)).batchItemFailures).toEqual([]);
    // Part of it delivered again: duplicates, nothing changes.
    expect((await handler({ Records: records.slice(0, 20) }, {} as never)).batchItemFailures).toEqual([]);

    const { log, dossier } = await t.store.dossiers.getWithLog(id);
    expect(log.map((e) => e.eventId).sort()).toEqual(events.map((e) => e.eventId).sort());
    expect(dossier).toMatchObject({ logSize: 300, supplementRequests: 149, owner: "A" });
    expect(await t.store.quarantine.list()).toEqual([]);
    const counters = await readKpiReport(t.store.counters, SEED_PERIOD, { asOf: FAULT_NOW });
    expect(kpiView(counters)).toEqual(
      kpiView(computeReport(events, settings, { period: SEED_PERIOD, asOf: FAULT_NOW })),
    );
    expect(counters.resolved.total).toBe(1);
    await t.drop();
  }, 300_000);
});

describe("a dossier of 500 events, its log inside its item", () => {
  it("applies in any order, reports, sweeps, and refuses the 501st with its reason", async () => {
    const t = await testTable("five-hundred");
    await t.store.directory.put(units.units, units.leadership);
    const start = "2022-07-01T08:00:00+07:00";
    const id = "FULL-500";
    const events: DossierEvent[] = [received(id, "phong-tnmt", start, 10)];
    for (let i = 0; events.length < MAX_EVENTS_PER_DOSSIER - 1; i++) {
      const base = { dossierId: id, source: "A", data: {} };
      const minute = (n: number) => formatInstant(instant(start) + HOUR_MS + n * 60_000);
      events.push({
        ...base,
        eventId: `q-${i}`,
        type: "dossier.supplement_requested",
        occurredAt: minute(2 * i),
      });
      events.push({
        ...base,
        eventId: `a-${i}`,
        type: "dossier.supplement_received",
        occurredAt: minute(2 * i + 1),
      });
    }
    events.push({
      eventId: "rating",
      type: "dossier.rated",
      occurredAt: at(start, 20),
      dossierId: id,
      source: "A",
      data: { score: 4 },
    });
    expect(events).toHaveLength(MAX_EVENTS_PER_DOSSIER);
    const clock = instant("2022-07-04T09:00:00+07:00");
    const deps = { ...t.store, settings, units, now: () => clock };
    // Out of order: the received last but one, the rest reversed.
    const order = [...events.slice(1).reverse(), events[0] as DossierEvent];
    for (const e of order) expect((await applyEvent(deps, e)).status, e.eventId).toBe("applied");
    expect((await applyEvent(deps, events[250] as DossierEvent)).status).toBe("duplicate");
    const more = { ...(events[2] as DossierEvent), eventId: "q-more" };
    expect(await applyEvent(deps, more)).toEqual({
      status: "quarantined",
      reason: `dossier ${id} already holds ${MAX_EVENTS_PER_DOSSIER} events, the most one dossier may have`,
    });
    const { log, dossier } = await t.store.dossiers.getWithLog(id);
    expect(log).toHaveLength(MAX_EVENTS_PER_DOSSIER);
    expect(dossier?.logSize).toBe(MAX_EVENTS_PER_DOSSIER);
    const report = (asOf: number) => kpiView(computeReport(events, settings, { period: SEED_PERIOD, asOf }));
    expect(kpiView(await readKpiReport(t.store.counters, SEED_PERIOD, { asOf: clock }))).toEqual(
      report(clock),
    );
    // The import takes the same 500 (in file order: the receipt first) and leaves the same counts.
    const imported = await testTable("five-hundred-import");
    const summary = await importEvents(
      {
        ...imported.store,
        bulk: new BulkWriter(imported.store.client, imported.store.tableName),
        settings,
        units,
        now: () => clock,
      },
      asImport(events),
    );
    expect(summary.applied).toBe(MAX_EVENTS_PER_DOSSIER);
    expect((await imported.store.dossiers.getWithLog(id)).log).toHaveLength(MAX_EVENTS_PER_DOSSIER);
    expect(kpiView(await readKpiReport(imported.store.counters, SEED_PERIOD, { asOf: clock }))).toEqual(
      report(clock),
    );
    await imported.drop();

    // Its due instant passes: the sweep recounts it from its 500 events, overdue now.
    const due = dossier?.kpiDueAt as number;
    expect(due).toBeGreaterThan(clock);
    const later = due + 2 * HOUR_MS;
    const swept = await runSweep({ ...deps, now: () => later }, {});
    expect(swept.failed).toBe(0);
    const after = await t.store.dossiers.get(id);
    expect(after?.sla).toBe("overdue");
    expect(after?.version).toBeGreaterThan(dossier?.version as number);
    expect((await t.store.dossiers.getWithLog(id)).log).toHaveLength(MAX_EVENTS_PER_DOSSIER);
    const counted = kpiView(await readKpiReport(t.store.counters, SEED_PERIOD, { asOf: later }));
    expect(counted).toEqual(report(later));
    expect(counted).not.toEqual(report(clock));
    await t.drop();
  }, 600_000);

  it("refuses an event that would take the item past its byte bound, with the reason, and changes nothing", async () => {
    const t = await testTable("oversize");
    const deps = { ...t.store, settings, units, now: () => FAULT_NOW };
    const id = "OVERSIZE-1";
    const start = "2022-07-04T08:00:00+07:00";
    expect((await applyEvent(deps, received(id, "cn-vpdk-dat-dai", start))).status).toBe("applied");
    const read = await t.store.dossiers.getWithLog(id);
    const dossier = read.dossier as NonNullable<typeof read.dossier>;
    // Fields the contract does not know, stored by a writer of another version: random, so they
    // do not compress. The last one sized so the item is as close under the bound as it gets.
    // Each filler's characters are drawn once: `sized` below must measure the same log each time
    // it is asked for the same length, or the item found under the bound is not the one committed.
    const pool = new Map<number, string>();
    const pad = (i: number, chars: number) => {
      if (!pool.has(i)) pool.set(i, noiseBytes(i, 96_000).toString("base64url"));
      return (pool.get(i) as string).slice(0, chars);
    };
    const filler = (i: number, chars: number) =>
      ({
        eventId: `f-${i}`,
        type: "dossier.rated",
        occurredAt: at(start, 1),
        dossierId: id,
        source: "A",
        data: {
          score: 5,
          pad: pad(i, chars),
        },
      }) as DossierEvent;
    const base = [...read.log, ...Array.from({ length: 150 }, (_, i) => filler(i, 2000))];
    const sized = (chars: number) => [...base, filler(999, chars)];
    const record = { ...dossier, version: dossier.version + 1, logSize: base.length + 1 };
    // As `dossierItem` measures the item committed below, without refusing past the bound.
    const bytes = (log: DossierEvent[]) =>
      itemBytes({ ...record, pk: `D#${id}`, sk: "DOSSIER", z1: encodeLog(log) });
    let [lo, hi] = [0, 120_000];
    expect(bytes(sized(lo))).toBeLessThan(MAX_DOSSIER_ITEM_BYTES);
    expect(bytes(sized(hi))).toBeGreaterThan(MAX_DOSSIER_ITEM_BYTES);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (bytes(sized(mid)) <= MAX_DOSSIER_ITEM_BYTES) lo = mid;
      else hi = mid;
    }
    const big = sized(lo);
    expect(bytes(big)).toBeGreaterThan(MAX_DOSSIER_ITEM_BYTES - 64);
    expect(bytes(big)).toBeLessThanOrEqual(MAX_DOSSIER_ITEM_BYTES);
    const put = await t.store.dossiers.commit({
      log: big,
      previousVersion: dossier.version,
      record,
      deltas: [],
    });
    expect(put.ok).toBe(true);

    // A valid event with an identity that does not compress: past the bound, quarantined.
    const event: DossierEvent = {
      eventId: noiseBytes(7_777, 72).toString("base64url"),
      type: "dossier.resolved",
      occurredAt: at(start, 3),
      dossierId: id,
      source: "A",
      data: { outcome: "approved" },
    };
    const outcome = await applyEvent(deps, event);
    expect(outcome.status).toBe("quarantined");
    expect((outcome as { reason: string }).reason).toMatch(
      new RegExp(
        `^the dossier's item would be \\d+ bytes with its ${big.length + 1} events, more than ${MAX_DOSSIER_ITEM_BYTES}$`,
      ),
    );
    expect((await t.store.quarantine.list()).map((q) => q.eventId)).toEqual([event.eventId]);
    const now = await t.store.dossiers.getWithLog(id);
    expect(now.dossier?.version).toBe(record.version);
    expect(now.log).toHaveLength(big.length);
    // The dossier stays answerable: a redelivered event of its log is a duplicate.
    expect((await applyEvent(deps, read.log[0] as DossierEvent)).status).toBe("duplicate");
    await t.drop();
  }, 300_000);
});
