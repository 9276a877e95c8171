import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApplyDeps } from "../../lib/apply";
import { WorkingCalendar } from "../../lib/calendar/calendar";
import { catalogOf } from "../../lib/catalog";
import type { CountingSettings } from "../../lib/counting";
import type { DossierEvent } from "../../lib/events/schema";
import { readKpiReport } from "../../lib/kpis";
import { computeReport } from "../../lib/report";
import { mulberry32 } from "../../lib/scenarios/rng";
import { SEED_PERIOD, seed2022Q3 } from "../../lib/scenarios/seed-2022-q3";
import { instant } from "../../lib/time";
import { kpiView } from "../helpers/compare";
import { atLeastOnce, deliver, sqsRecord } from "../helpers/delivery";
import { testTable } from "../helpers/dynamo";

const NOW = instant("2026-11-30T09:00:00+07:00");
const settings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  catalog: catalogOf(),
  scheme: { kind: "explicit", windows: [SEED_PERIOD] },
};

type Table = Awaited<ReturnType<typeof testTable>>;
let createHandler: typeof import("../../functions/apply-events").createHandler;

beforeAll(async () => {
  // The function module parses its environment at cold start, as in Lambda.
  process.env.TABLE_NAME = "unused-by-these-tests";
  ({ createHandler } = await import("../../functions/apply-events"));
});

function handlerFor(table: Table, overrides: Partial<ApplyDeps> = {}) {
  const deps: ApplyDeps = { store: table.store, settings, now: () => NOW, ...overrides };
  return createHandler(deps, new Logger({ logLevel: "SILENT" }), new Metrics({ namespace: "test" }));
}

async function countersMatch(table: Table, events: DossierEvent[]) {
  const fromCounters = await readKpiReport(table.store, SEED_PERIOD, { asOf: NOW });
  const fromEvents = computeReport(events, settings, { period: SEED_PERIOD, asOf: NOW });
  expect(kpiView(fromCounters)).toEqual(kpiView(fromEvents));
  return fromCounters;
}

describe("apply-events against DynamoDB Local", () => {
  let table: Table;
  beforeAll(async () => {
    table = await testTable("seed");
  });
  afterAll(async () => table.drop());

  it("applies the seed scenario shuffled, 5% duplicated, by 4 concurrent workers, exactly once", async () => {
    const events = seed2022Q3();
    const delivery = atLeastOnce(mulberry32(11), events, 0.05);
    const result = await deliver(
      () => handlerFor(table) as never,
      delivery.map((e) => sqsRecord(e)),
      { workers: 4 },
    );
    expect(result.failedForGood).toEqual([]);
    const report = await countersMatch(table, events);
    expect(report).toMatchObject({
      received: { total: 5520, online: 2, direct: 5518 },
      resolved: { total: 4745, late: 345 },
      pending: { total: 775, withinDeadline: 660, overdue: 115 },
    });
    expect(report.resolved.early + report.resolved.onTime).toBe(4400);
    // Reading the KPIs reads one item per unit and per domain counted in the period (the one-stop
    // desk's, whose dossiers all moved on, reads as zeros), never one per dossier.
    expect(report.basis.itemsRead).toBe(report.byUnit.length + report.byDomain.length + 1);
    expect(await table.store.listQuarantine()).toEqual([]);
  }, 300_000);
});

describe("failures half way and redelivery", () => {
  const events = seed2022Q3({ seed: 5 }).slice(0, 400);

  it("changes no counter twice when DynamoDB fails half way through a batch and it comes back", async () => {
    const table = await testTable("fault");
    let transactions = 0;
    // Every 7th transaction fails before reaching DynamoDB; every 11th is committed but its answer is lost.
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== "TransactWriteItemsCommand") return next(args);
        transactions++;
        if (transactions % 7 === 0)
          throw Object.assign(new Error("injected: service unavailable"), {
            name: "ServiceUnavailable",
            $metadata: { httpStatusCode: 503 },
          });
        const out = await next(args);
        if (transactions % 11 === 0)
          throw Object.assign(new Error("injected: connection reset after commit"), { name: "ECONNRESET" });
        return out;
      },
      { step: "initialize", name: "faults" },
    );
    const result = await deliver(
      () => handlerFor(table) as never,
      events.map((e) => sqsRecord(e)),
      { workers: 2, maxReceives: 20 },
    );
    expect(result.redelivered).toBeGreaterThan(0);
    expect(result.failedForGood).toEqual([]);
    await countersMatch(table, events);
    await table.drop();
  }, 120_000);

  it("applies a whole batch delivered twice concurrently once", async () => {
    const table = await testTable("twice");
    const records = events.slice(0, 100).map((e) => sqsRecord(e));
    // Two execution environments receive the same batch at the same time.
    const [first, second] = [handlerFor(table), handlerFor(table)];
    const context = {} as never;
    for (let i = 0; i < records.length; i += 10) {
      const batch = { Records: records.slice(i, i + 10) };
      const [a, b] = await Promise.all([first(batch, context), second(batch, context)]);
      expect([...a.batchItemFailures, ...b.batchItemFailures]).toEqual([]);
    }
    await countersMatch(table, events.slice(0, 100));
    await table.drop();
  }, 60_000);
});

describe("invalid input", () => {
  it("quarantines 100 invalid events with their reasons, changes no counter, applies the valid ones", async () => {
    const table = await testTable("bad");
    const valid = seed2022Q3({ seed: 9 }).slice(0, 60);
    const invalid: (Record<string, unknown> | string)[] = [];
    for (let i = 0; i < 100; i++) {
      const base = { ...(valid[i % valid.length] as DossierEvent), eventId: `bad-${i}` } as Record<
        string,
        unknown
      >;
      switch (i % 5) {
        case 0:
          invalid.push({ ...base, type: "dossier.recieved" });
          break;
        case 1:
          invalid.push({ ...base, occurredAt: "yesterday" });
          break;
        case 2:
          invalid.push({ ...base, data: { ...(base.data as object), extraField: i } });
          break;
        case 3:
          invalid.push(`{"not json ${i}`);
          break;
        default:
          invalid.push({ ...base, dossierId: "" });
      }
    }
    const records = [...valid.map((e) => sqsRecord(e)), ...invalid.map((e) => sqsRecord(e))];
    const result = await deliver(() => handlerFor(table) as never, records, { workers: 3 });
    expect(result.redelivered).toBe(0);
    const quarantined = await table.store.listQuarantine();
    expect(quarantined).toHaveLength(100);
    for (const q of quarantined)
      expect(q.reason).toMatch(
        /^(invalid event: (type|occurredAt|data\.extraField|dossierId): |the message body is not JSON)/,
      );
    await countersMatch(table, valid);
    await table.drop();
  }, 60_000);
});
