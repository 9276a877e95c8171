import { loadavg } from "node:os";
import type { RunningDynamo } from "../../dev/local/dynamodb-local";
import { SWEEP_SHARDS } from "../../lib/adapters/dynamodb/table";
import { SWEEP_MAX_PER_SHARD } from "../../lib/app/sweep";
import { formatInstant } from "../../lib/domain/time";
import { results, row } from "../common";
import {
  AT,
  directoryReads,
  kpiReads,
  load,
  NODES,
  nextChecksBySlot,
  nodeReads,
  OFFICE_OPEN,
  OPEN,
  openOf,
  PEAK,
  PROBES,
  peakHour,
  probe,
  quarterStart,
  sweepAt,
} from "./province-measures";

/**
 * The province at scale (docs/province.md): a synthetic province (events/units/province-sample.json:
 * 170 agencies from 2025-07-01, 1,978 units over its history) holding 200,000 open dossiers and a
 * year of closed ones, loaded with the import path (lib/app/import.ts), set beside an office of the
 * seed's size (its 8 units, 775 open dossiers) loaded the same way. Measured: the sweep's reads for
 * the same dossiers due in both (they must not grow with the table), the sweeps of the day's busiest
 * hour (dossiers due, digests, time), and what one period's KPIs read.
 *
 * `BENCH_PROVINCE_OPEN` sets the open dossiers for a trial run (default 200,000).
 */

/** The section's phases, each with its time (the whole must stay under 10 minutes here). */
const phases: Record<string, number> = {};
async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    phases[name] = Number(((performance.now() - started) / 1000).toFixed(1));
    console.log(`province: ${name} ${phases[name]} s (load average ${loadavg()[0]?.toFixed(1)})`);
  }
}

export async function benchProvince(dynamo: RunningDynamo) {
  const started = performance.now();
  const loadAverage = { start: loadavg().map((x) => Number(x.toFixed(1))), end: [] as number[] };
  const province = await timed("load the province", () =>
    load(dynamo, "events/units/province-sample.json", OPEN),
  );
  const office = await timed("load the office", () =>
    load(dynamo, "events/units/seed-units.json", OFFICE_OPEN),
  );
  const loadSeconds = (performance.now() - started) / 1000;
  const catchUp = await timed("catch-up sweeps", async () => ({
    province: await sweepAt(province.loaded, AT),
    office: await sweepAt(office.loaded, AT),
  }));
  const slots = await timed("next checks by slot", async () =>
    [...(await nextChecksBySlot(province.loaded, AT)).entries()].sort((a, b) => b[1] - a[1]),
  );
  const peak = await timed("peak hour", () => peakHour(province.loaded));
  const flat = await timed("flat-read probe", async () => ({
    province: await probe(province.loaded, "so-noi-vu.office"),
    office: await probe(office.loaded, "phong-tnmt"),
  }));
  const kpi = await timed("KPI reads", async () => ({
    province: await kpiReads(province.loaded),
    office: await kpiReads(office.loaded),
  }));
  const nodes = await timed("KPI reads per node", async () => ({
    province: await nodeReads(province.loaded, NODES),
    office: await nodeReads(office.loaded, []),
  }));
  const dirReads = await timed("directory reads", async () => ({
    province: await directoryReads(province.loaded),
    office: await directoryReads(office.loaded),
  }));
  const quarter = await timed("due at the quarter's start", () =>
    quarterStart(province.loaded, openOf(province.generated.events) + PROBES),
  );
  const seconds = (performance.now() - started) / 1000;
  loadAverage.end = loadavg().map((x) => Number(x.toFixed(1)));
  report({
    province,
    office,
    loadSeconds,
    catchUp,
    slots,
    peak,
    flat,
    kpi,
    nodes,
    dirReads,
    quarter,
    seconds,
    loadAverage,
  });
}

type Measured = {
  province: Awaited<ReturnType<typeof load>>;
  office: Awaited<ReturnType<typeof load>>;
  loadSeconds: number;
  catchUp: { province: Awaited<ReturnType<typeof sweepAt>>; office: Awaited<ReturnType<typeof sweepAt>> };
  slots: [number, number][];
  peak: Awaited<ReturnType<typeof peakHour>>;
  flat: { province: Awaited<ReturnType<typeof probe>>; office: Awaited<ReturnType<typeof probe>> };
  kpi: { province: Awaited<ReturnType<typeof kpiReads>>; office: Awaited<ReturnType<typeof kpiReads>> };
  nodes: { province: Awaited<ReturnType<typeof nodeReads>>; office: Awaited<ReturnType<typeof nodeReads>> };
  quarter: Awaited<ReturnType<typeof quarterStart>>;
  loadAverage: { start: number[]; end: number[] };
  dirReads: {
    province: Awaited<ReturnType<typeof directoryReads>>;
    office: Awaited<ReturnType<typeof directoryReads>>;
  };
  seconds: number;
};

function report(m: Measured) {
  const ratio = m.flat.province.itemsRead / m.flat.office.itemsRead;
  const busiest = m.peak.reduce((a, b) => (b.checked > a.checked ? b : a));
  results.province = {
    open: OPEN,
    agencies: m.province.agencies,
    units: m.province.unitCount,
    unitsValidAtLoad: m.province.unitsOpen,
    events: m.province.generated.events.length,
    dossiers: m.province.summary.dossiers.created,
    receiptsPerWorkingDay: m.province.generated.receiptsPerWorkingDay,
    olderLeftOut: m.province.generated.olderLeftOut,
    generateSeconds: Number(m.province.generateSeconds.toFixed(1)),
    importSeconds: Number(m.province.seconds.toFixed(1)),
    importEventsPerSecond: Math.round(m.province.generated.events.length / m.province.seconds),
    officeImportSeconds: Number(m.office.seconds.toFixed(1)),
    catchUpChecked: { province: m.catchUp.province.result.checked, office: m.catchUp.office.result.checked },
    busiestSlots: m.slots.slice(0, 6).map(([at, n]) => ({ at: formatInstant(at), nextChecks: n })),
    nextChecksNext24h: m.slots.reduce((s, [, n]) => s + n, 0),
    peakHour: m.peak,
    sweepItemsRead: { province: m.flat.province, office: m.flat.office, ratio: Number(ratio.toFixed(3)) },
    kpiItemsReadPerPeriod: m.kpi,
    kpiItemsReadPerNode: m.nodes,
    dueAtNextQuarterStart: m.quarter,
    directoryReadPerRun: m.dirReads,
    seconds: Number(m.seconds.toFixed(1)),
    phases,
    loadAverage: m.loadAverage,
  };
  const n = (x: number) => x.toLocaleString("en");
  row(
    "Province: sweep items read, province ÷ seed office",
    `${ratio.toFixed(2)} (${m.flat.province.itemsRead} ÷ ${m.flat.office.itemsRead} items)`,
    `the same ${PROBES} dossiers due at a quiet instant in a table holding ${n(OPEN)} open dossiers of a synthetic province (${m.province.agencies} agencies, ${n(m.province.unitCount)} units) and a year's closed ones, and in one of the seed office's size (8 units, ${OFFICE_OPEN} open), both loaded with the import path: items returned by the sweep index and the dossier reads of one sweep run`,
  );
  row(
    "Province: the busiest sweep",
    `${n(busiest.checked)} dossiers checked in ${busiest.seconds} s, ${n(busiest.digests)} digests (${n(busiest.units)} units)`,
    `the sweeps of ${PEAK.length} quarter hours from 17:00 on a Tuesday (the day's busiest slot by the sweep index: ${n(m.slots[0]?.[1] ?? 0)} next checks at ${formatInstant(m.slots[0]?.[0] ?? 0)}), on DynamoDB Local; digests as the sender groups the alerts raised (one per unit, desk or escalation list and language)`,
  );
  const nodes = m.nodes.province
    .map((r) => `${r.agency}: ${n(r.itemsRead)} items for ${n(r.unitsCounted)} units counted`)
    .join("; ");
  row(
    "Province: KPI items read per node",
    `${nodes}; the seed office: ${m.nodes.office[0]?.itemsRead} items`,
    `GET /kpis?agency= for 2025-Q4 (eventually consistent) in the same tables: a commune, a department and the province root, each reading the counter items under its path in the agency tree (one per unit counted, nothing else: ${m.nodes.province.every((r) => r.own) ? "true of each" : "NOT true of each"})`,
  );
  row(
    "Province: due at the next quarter's start",
    `all ${n(m.quarter.open)} open dossiers (${m.quarter.dueLater} due later); ${m.quarter.sweepRuns} sweep run${m.quarter.sweepRuns === 1 ? "" : "s"} to check them`,
    `the sweep index (${SWEEP_SHARDS} shards) holds no next check after ${m.quarter.at} (COUNT queries): a dossier's next check is never after the next period's start; a run takes at most ${n(SWEEP_MAX_PER_SHARD)} a shard`,
  );
  row(
    "Province: load through the import path",
    `${n(m.province.summary.dossiers.created)} dossiers in ${m.province.seconds.toFixed(0)} s (${n(Math.round(m.province.generated.events.length / m.province.seconds))} events/s); whole section ${m.seconds.toFixed(0)} s`,
    `${n(m.province.generated.events.length)} events (the open dossiers and 1 closed dossier per unit and quarter of 2025, each unit's dossiers together) by importEvents into DynamoDB Local in memory; load average ${m.loadAverage.start[0]} at the start, ${m.loadAverage.end[0]} at the end`,
  );
}
