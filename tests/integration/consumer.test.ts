import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import readXlsxFile from "read-excel-file/node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readSesStore } from "../../dev/local/ses-local";
import { mulberry32 } from "../../dev/scenarios/rng";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import type { ConsumerDeps } from "../../functions/apply-events";
import { CONSUMER_TUNING } from "../../infra/consumer-tuning";
import { BulkWriter } from "../../lib/adapters/dynamodb/bulk";
import { importEvents } from "../../lib/app/import";
import { closeEndedPeriod } from "../../lib/app/kpi-report";
import { readKpiReport } from "../../lib/app/kpis";
import { envelope } from "../../lib/contracts/bus";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import type { CountingSettings } from "../../lib/domain/counting";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { FORM_VALUE_KEYS, type OfficialForm } from "../../lib/domain/official/form";
import type { NationalIndex } from "../../lib/domain/official/index766";
import type { Report } from "../../lib/domain/report";
import { computeReport } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory, UnitDirectory } from "../../lib/domain/units";
import { createApiKey } from "../../lib/http/auth";
import { handleQuery } from "../../lib/http/query-api";
import { TABLE_COLUMNS } from "../../lib/render/format";
import { apiGet } from "../helpers/api";
import { kpiView } from "../helpers/compare";
import { atLeastOnce, deliver, sqsRecord } from "../helpers/delivery";
import { testTable } from "../helpers/dynamo";
import { ROOT } from "../helpers/fixtures";
import { kpiSendDeps } from "../helpers/kpi-deps";

const NOW = instant("2026-11-30T09:00:00+07:00");
const seedEvents = seed2022Q3();
/**
 * Every tenth dossier of the seed quarter with all its events, in the seed's order (its own repeats
 * and late arrivals included): the replay below checks exactly-once on these; the whole quarter
 * through the consumer takes minutes here, and is bench/sections/consumer-volume.ts's (the same
 * checks at full volume, `npm run bench -- consumerVolume`).
 */
const sampledEvents = (() => {
  const ids = [...new Set(seedEvents.map((e) => e.dossierId))];
  const chosen = new Set(ids.filter((_, i) => i % 10 === 0));
  return seedEvents.filter((e) => chosen.has(e.dossierId));
})();
const directory = parseUnitDirectory(
  JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")),
);
const units = new UnitDirectory(directory.units, directory.leadership);
let readerKey = "";

const get = (path: string, query: Record<string, string> = {}) => apiGet(path, query, readerKey);

/** The whole-office row's numbers, in TABLE_COLUMNS order. */
const officeRow = (r: Report) => TABLE_COLUMNS.map((c) => c.get(r));

/**
 * Form II.06a's rows (kind, then columns 3..13): the total row equals the report's totals (no
 * withdrawn dossiers in the seed), and each level's subtotal is the sum of its domain rows.
 */
function expectFormMatches(rows: unknown[][], report: Report) {
  const total = rows.find((r) => r[0] === "total")?.slice(1);
  expect(total).toEqual([
    report.received.total,
    report.received.online,
    report.received.direct + report.received.postal,
    report.received.carriedOver,
    report.resolved.total,
    report.resolved.early,
    report.resolved.onTime,
    report.resolved.late,
    report.pending.total,
    report.pending.withinDeadline,
    report.pending.overdue,
  ]);
  let level: number[] | undefined;
  let sum: number[] = [];
  const close = () => level && expect(sum).toEqual(level);
  for (const r of rows) {
    if (r[0] === "domain") sum = sum.map((v, i) => v + (r[i + 1] as number));
    else {
      close();
      level = r.slice(1) as number[];
      sum = level.map(() => 0);
    }
  }
  expect(rows.filter((r) => r[0] === "level").length).toBeGreaterThanOrEqual(3);
}
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

function handlerFor(table: Table, overrides: Partial<ConsumerDeps> = {}) {
  const deps: ConsumerDeps = { ...table.store, settings, units, now: () => NOW, ...overrides };
  return createHandler(deps, new Logger({ logLevel: "SILENT" }), new Metrics({ namespace: "test" }));
}

async function countersMatch(table: Table, events: DossierEvent[]) {
  const fromCounters = await readKpiReport(table.store.counters, SEED_PERIOD, { asOf: NOW });
  const fromEvents = computeReport(events, settings, { period: SEED_PERIOD, asOf: NOW });
  expect(kpiView(fromCounters)).toEqual(kpiView(fromEvents));
  return fromCounters;
}

describe("apply-events against DynamoDB Local", () => {
  let table: Table;
  const tables: Table[] = [];
  beforeAll(async () => {
    table = await testTable("seed");
    tables.push(table);
    // The consumer reads the directory from the table, as deployed: it holds every seed unit.
    await table.store.directory.put(directory.units, directory.leadership, directory.integrations);
  });
  afterAll(async () => Promise.all(tables.map((t) => t.drop())));

  it("applies every tenth seed dossier shuffled, 5% duplicated, by 4 concurrent workers in batches as deployed, exactly once", async () => {
    const events = sampledEvents;
    const delivery = atLeastOnce(mulberry32(11), events, 0.05);
    expect(delivery.length).toBeGreaterThan(events.length);
    const result = await deliver(
      () => handlerFor(table, { units: undefined }) as never,
      delivery.map((e) => sqsRecord(e)),
      { workers: 4, batchSize: CONSUMER_TUNING.batchSize },
    );
    expect(result.failedForGood).toEqual([]);
    const report = await countersMatch(table, events);
    // The sample's own figures: every kind of outcome of the seed is in it.
    expect(report).toMatchObject({
      received: { total: 554, online: 0, direct: 554 },
      resolved: { total: 476, early: 233, onTime: 207, late: 36 },
      pending: { total: 78, withinDeadline: 66, overdue: 12 },
    });
    // Reading the KPIs reads one item per unit counted in the period, its (level, domain) split
    // inside (the one-stop desk's, whose dossiers all moved on, reads as zeros), never one per dossier.
    expect(report.basis.itemsRead).toBe(report.byUnit.length + 1);
    expect(await table.store.quarantine.list()).toEqual([]);
    // Each event stored once: every dossier's log holds its distinct events, none twice.
    const byDossier = new Map<string, Set<string>>();
    for (const e of events)
      byDossier.set(e.dossierId, (byDossier.get(e.dossierId) ?? new Set()).add(e.eventId));
    const ids = [...byDossier.keys()];
    for (let i = 0; i < ids.length; i += 20)
      await Promise.all(
        ids.slice(i, i + 20).map(async (id) => {
          const stored = (await table.store.dossiers.getWithLog(id)).log.map((e) => e.eventId);
          expect(stored.sort(), id).toEqual([...(byDossier.get(id) ?? [])].sort());
        }),
      );
  }, 300_000);

  it("gives the same numbers in the KPI email, the API's JSON, the CSV and the XLSX", async () => {
    // The whole seed quarter, filled by the import (lib/app/import.ts: the table the consumer
    // leaves, tests/integration/import.test.ts) rather than by a replay through the consumer.
    const table = await testTable("kpi");
    tables.push(table);
    await table.store.directory.put(directory.units, directory.leadership);
    const summary = await importEvents(
      {
        ...table.store,
        bulk: new BulkWriter(table.store.client, table.tableName),
        settings,
        units,
        now: () => NOW,
      },
      seedEvents.map((input, i) => ({ input, where: `seed:${i + 1}` })),
    );
    expect(summary.quarantined + summary.invalid).toBe(0);
    readerKey = await createApiKey(table.store, {
      name: "dashboard",
      role: "reader",
      source: "dashboard",
      ratePerSecond: 20,
    });
    const reference = computeReport(seedEvents, settings, { period: SEED_PERIOD, asOf: NOW });
    expect(reference.received.total).toBe(5520);
    const deps = kpiSendDeps(table.store, settings, units, () => NOW, "kpi");
    const { from } = deps;

    // The API's JSON.
    const api = await handleQuery(deps, get("/kpis", { period: SEED_PERIOD.name }));
    expect(api.statusCode).toBe(200);
    const fromApi = JSON.parse(api.body ?? "") as Report & { basis: { itemsRead: number } };
    expect(kpiView(fromApi)).toEqual(kpiView(reference));
    expect(fromApi.basis.itemsRead).toBeLessThan(30);

    // CSV and XLSX exports.
    const csv = await handleQuery(deps, get("/kpis/export", { period: SEED_PERIOD.name, format: "csv" }));
    const csvRows = Buffer.from(csv.body ?? "", "base64")
      .toString("utf8")
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(
      csvRows
        .at(-1)
        ?.split(",")
        .slice(1, 1 + TABLE_COLUMNS.length)
        .map(Number),
    ).toEqual(officeRow(reference));
    const xlsx = await handleQuery(deps, get("/kpis/export", { period: SEED_PERIOD.name, format: "xlsx" }));
    const sheets = (await readXlsxFile(Buffer.from(xlsx.body ?? "", "base64"))) as unknown as {
      data: unknown[][];
    }[];
    const rows = sheets[0]?.data ?? [];
    expect(rows.at(-1)?.slice(1, 1 + TABLE_COLUMNS.length)).toEqual(officeRow(reference));

    // Form II.06a and the national index from the API, the form read back from its XLSX.
    const formJson = await handleQuery(deps, get("/kpis/form", { period: SEED_PERIOD.name }));
    expect(formJson.statusCode).toBe(200);
    const form = JSON.parse(formJson.body ?? "") as OfficialForm;
    expectFormMatches(
      form.rows.map((r) => [r.kind, ...FORM_VALUE_KEYS.map((k) => r.values[k])]),
      reference,
    );
    const formFile = await handleQuery(deps, get("/kpis/form", { period: SEED_PERIOD.name, format: "xlsx" }));
    const formSheet =
      (
        (await readXlsxFile(Buffer.from(formFile.body ?? "", "base64"))) as unknown as { data: unknown[][] }[]
      )[0]?.data ?? [];
    expect(formSheet[0]?.[0]).toBe("Biểu số II.06a/VPCP/KSTT");
    const kinds = new Map(form.rows.map((r) => [r.label, r.kind]));
    const dataRows = formSheet.filter(
      (r) => typeof r[1] === "string" && kinds.has(r[1] as string) && typeof r[2] === "number",
    );
    expectFormMatches(
      dataRows.map((r) => [kinds.get(r[1] as string), ...r.slice(2, 13)]),
      reference,
    );
    const index = await handleQuery(deps, get("/kpis/index", { period: SEED_PERIOD.name }));
    const indicators = (JSON.parse(index.body ?? "") as NationalIndex).indicators;
    const onTime = indicators.find((i) => i.id === "2.1");
    expect(onTime?.rate).toBe(0.9167);
    // 2.1 has its points (the rate × its maximum); 5.4 counts dossiers once each: over 90 %, full points.
    expect(onTime?.pointsShare).toBe(0.9167);
    const satisfaction = indicators.find((i) => i.id === "5.4");
    expect(satisfaction?.rate).toBeGreaterThanOrEqual(0.9);
    expect(satisfaction?.rate).toBeLessThan(0.9167);
    expect(satisfaction?.pointsShare).toBe(1);
    // byUnit=false: the same index without each unit's block (the dashboard's), and nothing else.
    const whole = JSON.parse(index.body ?? "") as NationalIndex;
    expect(whole.byUnit.length).toBeGreaterThan(0);
    const lean = await handleQuery(deps, get("/kpis/index", { period: SEED_PERIOD.name, byUnit: "false" }));
    expect(JSON.parse(lean.body ?? "")).toEqual({ ...whole, byUnit: [] });
    const bad = await handleQuery(deps, get("/kpis/index", { period: SEED_PERIOD.name, byUnit: "no" }));
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("byUnit");

    // The period-close email, read back from the SES store, with both attachments.
    const closed = await closeEndedPeriod(deps);
    expect(closed?.period).toBe(SEED_PERIOD.name);
    const [mail] = (await readSesStore(inject("sesEndpoint"))).filter((m) => m.from === from);
    expect(mail?.destination.to.join(",")).toMatch(
      /chu-tich@ubnd\.example\.org.*pho-chu-tich@ubnd\.example\.org/,
    );
    expect(mail?.body.text).toContain(
      "Tổng hồ sơ tiếp nhận: 5.520 (trực tiếp 5.518, trực tuyến 2); đã giải quyết 4.745 (trước và đúng hạn 4.400, trễ hạn 345); đang giải quyết 775 (còn trong hạn 660, quá hạn 115).",
    );
    expect(mail?.body.text).toMatch(
      /Toàn cơ quan \| 5\.520 \(2\/5\.518\/0\/\d+(\.\d+)?\) \| 4\.745 \(\d+(\.\d+)?\/\d+(\.\d+)?\/345\) \| 0 \| 775 \(660\/115\) \| 92,73%/,
    );
    expect(mail?.body.html).toContain("Hồ sơ quá hạn lâu nhất");
    // No script and nothing fetched from outside: the trend images travel inside the message, each
    // `cid:` of the HTML an inline PNG part under that Content-ID, not an attachment.
    expect(mail?.body.html).not.toMatch(/<script|src="http/);
    const images = [...(mail?.body.html?.matchAll(/<img src="([^"]*)"/g) ?? [])].map((m) => m[1] ?? "");
    expect(images.length).toBeGreaterThan(0);
    for (const src of images) expect(src).toMatch(/^cid:/);
    const related = (mail?.attachments ?? []).filter((a) => a.related);
    expect(related.every((a) => a.contentType === "image/png")).toBe(true);
    expect(related.map((a) => `cid:${a.cid}`).sort()).toEqual([...new Set(images)].sort());
    const attached = mail?.attachments
      .filter((a) => !a.related)
      .map((a) => a.filename)
      .sort();
    expect(attached).toEqual([
      "bao-cao-seed-2022-q3.csv",
      "bao-cao-seed-2022-q3.xlsx",
      "bieu-II.06a-seed-2022-q3.xlsx",
    ]);
    const mailedCsv = Buffer.from(
      mail?.attachments.find((a) => a.filename?.endsWith(".csv"))?.content ?? "",
      "base64",
    ).toString("utf8");
    expect(
      mailedCsv
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\r\n")
        .at(-1)
        ?.split(",")
        .slice(1, 1 + TABLE_COLUMNS.length)
        .map(Number),
    ).toEqual(officeRow(reference));
    // Closing twice closes once.
    expect(await closeEndedPeriod(deps)).toMatchObject({ sent: [], alreadySent: 1 });

    // A mistyped unit is named (404), never answered with zeros or an empty list; a unit the
    // directory no longer lists is still reported while the period holds dossiers of it.
    const period = SEED_PERIOD.name;
    for (const [path, query] of [
      ["/kpis", { period, unit: "phong-tu-phapp" }],
      ["/kpis/export", { period, unit: "phong-tu-phapp", format: "csv" }],
      ["/kpis/index", { period, unit: "phong-tu-phapp" }],
      ["/dossiers", { unit: "phong-tu-phapp", sla: "overdue" }],
    ] as const) {
      const res = await handleQuery(deps, get(path, query));
      expect(res.statusCode, path).toBe(404);
      expect(JSON.parse(res.body ?? "").problems, path).toEqual([
        { path: "unit", message: expect.stringContaining("phong-tu-phapp") },
      ]);
    }
    const known = JSON.parse(
      (await handleQuery(deps, get("/kpis", { period, unit: "phong-vhtt" }))).body ?? "",
    );
    expect(known.received.total).toBeGreaterThan(0);
    const without = new UnitDirectory(
      directory.units.filter((u) => u.id !== "phong-vhtt"),
      directory.leadership,
    );
    const dropped = await handleQuery(
      { ...deps, units: without },
      get("/kpis", { period, unit: "phong-vhtt" }),
    );
    expect(dropped.statusCode).toBe(200);
    expect(JSON.parse(dropped.body ?? "").received).toEqual(known.received);
  }, 120_000);
});

describe("invalid input", () => {
  it("quarantines 101 invalid events with their reasons, changes no counter, applies the valid ones", async () => {
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
    // And one nested deeper than JSON.stringify's stack goes (JSON.parse takes it): kept, not retried.
    const deep = JSON.stringify(
      envelope({ ...(valid[0] as DossierEvent), eventId: "deep", data: "DEEP" } as Record<string, unknown>),
    ).replace('"DEEP"', `${"[".repeat(20_000)}${"]".repeat(20_000)}`);
    invalid.push(deep);
    const records = [...valid.map((e) => sqsRecord(e)), ...invalid.map((e) => sqsRecord(e))];
    const result = await deliver(() => handlerFor(table) as never, records, { workers: 3 });
    expect(result.redelivered).toBe(0);
    const quarantined = await table.store.quarantine.list();
    expect(quarantined).toHaveLength(101);
    for (const q of quarantined)
      expect(q.reason).toMatch(
        /^(invalid event: (type|occurredAt|data\.extraField|dossierId): |the message body is not JSON|the event is nested too deeply to read)/,
      );
    expect(quarantined.filter((q) => q.reason === "the event is nested too deeply to read")).toHaveLength(1);
    await countersMatch(table, valid);
    await table.drop();
  }, 60_000);
});

describe("a message handed over twice in one batch", () => {
  // Standard SQS queues may put one message in a batch twice: its copies share one outcome, and
  // every other message of the batch is answered with its own event (never by position).
  const seed = seed2022Q3({ seed: 9 });
  const [first, later] = (() => {
    for (const e of seed) {
      const next = seed.find((o) => o.dossierId === e.dossierId && o.eventId !== e.eventId);
      if (e.type === "dossier.received" && next) return [e, next];
    }
    throw new Error("the seed has no dossier with two events");
  })();
  const other = seed.find((e) => e.type === "dossier.received" && e.dossierId !== first?.dossierId);
  const events = [first, other, later] as DossierEvent[];

  it.each([
    ["applied as a batch", false],
    ["applied message by message, the batch's read having failed", true],
  ])(
    "applies each event once and answers every message: %s",
    async (_, readFails) => {
      const table = await testTable(readFails ? "copy-each" : "copy-batch");
      const dossiers = readFails
        ? Object.create(table.store.dossiers, {
            getMany: { value: () => Promise.reject(new Error("injected: the batch's read failed")) },
          })
        : table.store.dossiers;
      const handler = handlerFor(table, { dossiers });
      const [a, b, c] = events.map((e) => sqsRecord(e));
      const response = await handler({ Records: [a, a, b, c] } as never, {} as never);
      expect(response.batchItemFailures).toEqual([]);
      for (const dossierId of new Set(events.map((e) => e.dossierId))) {
        const { log } = await table.store.dossiers.getWithLog(dossierId);
        expect(log.map((e) => e.eventId).sort()).toEqual(
          events
            .filter((e) => e.dossierId === dossierId)
            .map((e) => e.eventId)
            .sort(),
        );
      }
      await countersMatch(table, events);
      await table.drop();
    },
    60_000,
  );
});
