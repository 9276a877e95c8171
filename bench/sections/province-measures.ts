import { readFileSync } from "node:fs";
import { join } from "node:path";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, type RunningDynamo } from "../../dev/local/dynamodb-local";
import { provinceLoad } from "../../dev/province/load";
import { BulkWriter } from "../../lib/adapters/dynamodb/bulk";
import { sweepPartition } from "../../lib/adapters/dynamodb/keys";
import { SWEEP_SHARDS, TABLE } from "../../lib/adapters/dynamodb/table";
import type { ApplyDeps } from "../../lib/app/apply";
import { groupAlerts } from "../../lib/app/digests";
import { importEvents } from "../../lib/app/import";
import { readNodeReport } from "../../lib/app/kpis";
import { SWEEP_MAX_PER_SHARD, type SweepDeps } from "../../lib/app/sweep";
import { validOn } from "../../lib/domain/agencies";
import { agencyTreeOf, parseDirectoryFile } from "../../lib/domain/agency-directory";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import type { CountingSettings } from "../../lib/domain/counting";
import { CALENDAR_QUARTER, type Period, periodBounds, periodByName } from "../../lib/domain/periods";
import type { PendingAlert } from "../../lib/domain/records";
import { formatInstant, instant, localDate, MINUTE_MS } from "../../lib/domain/time";
import type { UnitDirectory } from "../../lib/domain/units";
import { type Meter, meter } from "../capacity";
import { freshTable, ROOT } from "../common";

/**
 * The province section's loads and measurements (./province.ts runs them and reports): the two
 * tables loaded by the import path, the sweeps, the busiest hour's digests, and the reads of one
 * period's KPIs, of the directory and of each node.
 */

export const OPEN = Number(process.env.BENCH_PROVINCE_OPEN ?? 200_000);
/** The seed quarter's open dossiers at its end (775 in progress): an office of the seed's size. */
export const OFFICE_OPEN = 775;
/** The load's instant: a Tuesday, 15 minutes before the day's busiest sweep (measured below). */
export const AT = instant("2025-12-16T16:45:00+07:00");
const HISTORY_FROM = "2025-01-01";
/** The peak hour's four sweeps (every 15 minutes, as deployed: lib/contracts/schedules.ts). */
export const PEAK = ["17:00", "17:15", "17:30", "17:45"].map((t) => instant(`2025-12-16T${t}:00+07:00`));
/** A quiet instant after the peak (no threshold falls outside office hours), for the flat-read probe. */
const PROBE_AT = instant("2025-12-16T22:00:00+07:00");
export const PROBES = 10;

type Table = Awaited<ReturnType<typeof freshTable>>;
interface Loaded {
  table: Table;
  units: UnitDirectory;
  meter: Meter;
  settings: CountingSettings;
}

const settingsOf = (): CountingSettings => ({
  calendar: WorkingCalendar.official(),
  catalog: catalogOf(),
  scheme: CALENDAR_QUARTER,
});

/** A directory file read as of `AT`'s day (`own`: its units as `units import` stores them). */
function directory(file: string) {
  return parseDirectoryFile(JSON.parse(readFileSync(join(ROOT, file), "utf8")), localDate(AT));
}

/** Generates the load for a directory, imports it into a fresh table, and reads the directory back. */
export async function load(dynamo: RunningDynamo, file: string, open: number) {
  const dir = directory(file);
  const settings = settingsOf();
  const generating = performance.now();
  const generated = provinceLoad({
    units: dir.units,
    calendar: settings.calendar,
    seed: 23,
    at: AT,
    open,
    from: HISTORY_FROM,
    closedPerUnitQuarter: 1,
  });
  const generateSeconds = (performance.now() - generating) / 1000;
  const table = await freshTable(dynamo);
  await table.store.directory.put(dir.own.units, dir.own.leadership, dir.integrations, dir.agencies);
  const units = await table.store.directory.get(localDate(AT));
  const started = performance.now();
  const summary = await importEvents(
    {
      dossiers: table.store.dossiers,
      quarantine: table.store.quarantine,
      bulk: new BulkWriter(table.store.client, table.tableName),
      settings,
      units,
      now: () => AT,
    },
    generated.events.map((input, i) => ({ input, where: `load:${i + 1}` })),
    // 4 chunks in flight: at 8, DynamoDB Local times out waiting for its locks. The import writes
    // no event records since the log moved into the dossier item, so `recordWrites` (how its
    // quarantine items go) is left at its default: nothing of this load is quarantined.
    { chunksInFlight: 4 },
  );
  const seconds = (performance.now() - started) / 1000;
  if (summary.quarantined || summary.invalid)
    throw new Error(`the load was refused in part: ${JSON.stringify(summary.rejected.slice(0, 3))}`);
  const loaded: Loaded = { table, units, meter: meter(table.client), settings };
  const day = localDate(AT);
  return {
    loaded,
    generated,
    summary,
    seconds,
    generateSeconds,
    agencies: dir.agencies.filter((a) => validOn(a, day)).length,
    unitCount: dir.units.length,
    unitsOpen: dir.units.filter((u) => validOn(u, day)).length,
  };
}

/** One sweep at `at` (the use case the sweep-deadlines handler runs), with the items it read and its time. */
export async function sweepAt(l: Loaded, at: number) {
  const { runSweep } = await import("../../lib/app/sweep");
  const deps: ApplyDeps & SweepDeps = {
    ...l.table.store,
    settings: l.settings,
    units: l.units,
    now: () => at,
  };
  const before = { ...l.meter };
  const started = performance.now();
  const result = await runSweep(deps);
  return {
    result,
    itemsRead: l.meter.itemsRead - before.itemsRead,
    readUnits: l.meter.readUnits - before.readUnits,
    writeUnits: l.meter.writeUnits - before.writeUnits,
    ms: performance.now() - started,
  };
}

/** How many next checks fall in each 15-minute slot of the day after `from` (read from the sweep index). */
export async function nextChecksBySlot(l: Loaded, from: number) {
  const doc = documentClient(l.table.client);
  const slots = new Map<number, number>();
  for (let shard = 0; shard < SWEEP_SHARDS; shard++) {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await doc.send(
        new QueryCommand({
          TableName: l.table.tableName,
          IndexName: TABLE.sweepIndex.name,
          KeyConditionExpression: "gsi1pk = :s AND nextCheckAt BETWEEN :a AND :b",
          ExpressionAttributeValues: { ":s": sweepPartition(shard), ":a": from + 1, ":b": from + 86_400_000 },
          ProjectionExpression: "nextCheckAt",
          ExclusiveStartKey: start,
        }),
      );
      for (const i of out.Items ?? []) {
        // The sweep that takes it: the first run at or after it (every 15 minutes).
        const slot = Math.ceil((i.nextCheckAt as number) / (15 * MINUTE_MS)) * 15 * MINUTE_MS;
        slots.set(slot, (slots.get(slot) ?? 0) + 1);
      }
      start = out.LastEvaluatedKey;
    } while (start);
  }
  return slots;
}

const alertKey = (a: PendingAlert) =>
  `${a.unitId}#${a.kind}#${a.dossier.dossierId}#${a.key}${a.recipient ? `#${a.recipient}` : ""}`;

/**
 * The digests the sender would send for the alerts a sweep raised: one per group (unit, one-stop
 * desk, escalation list) and language among its recipients, as lib/app/digests.ts sends them.
 */
function digestsOf(alerts: PendingAlert[], units: UnitDirectory): { digests: number; units: number } {
  let digests = 0;
  const groups = groupAlerts(alerts, units);
  for (const g of groups) digests += new Set(g.contacts.map((c) => c.locale ?? g.locale)).size;
  return { digests, units: groups.filter((g) => g.key.startsWith("unit:")).length };
}

/** The peak hour's sweeps, each with what it checked, raised, read and took, and the digests it makes. */
export async function peakHour(l: Loaded) {
  const seen = new Set((await l.table.store.alerts.pending()).map(alertKey));
  const runs = [];
  for (const at of PEAK) {
    const sweep = await sweepAt(l, at);
    // The sender's read of the pending alerts (one partition, strongly consistent), as it makes it.
    const before = l.meter.readUnits;
    const pending = await l.table.store.alerts.pending();
    const pendingReadUnits = l.meter.readUnits - before;
    const raised = pending.filter((a) => !seen.has(alertKey(a)));
    for (const a of raised) seen.add(alertKey(a));
    runs.push({
      at: formatInstant(at),
      checked: sweep.result.checked,
      raised: sweep.result.raised,
      byKind: sweep.result.byKind,
      itemsRead: sweep.itemsRead,
      readUnits: sweep.readUnits,
      writeUnits: sweep.writeUnits,
      seconds: Number((sweep.ms / 1000).toFixed(1)),
      ...digestsOf(raised, l.units),
      pendingAlerts: pending.length,
      pendingReadUnits,
    });
  }
  return runs;
}

/**
 * The sweep's reads for the same dossiers due in either table: sweeps at a quiet instant until
 * nothing is due, then {@link PROBES} dossiers received days before, each crossing its thresholds
 * (applied through the consumer's path, so each is due at once), and one sweep: its items read.
 */
export async function probe(l: Loaded, unitId: string) {
  const { applyEvent } = await import("../../lib/app/apply");
  for (let i = 0; i < 20 && (await l.table.store.dossiers.dueForCheck(PROBE_AT, 1)).length > 0; i++)
    await sweepAt(l, PROBE_AT);
  if ((await l.table.store.dossiers.dueForCheck(PROBE_AT, 1)).length > 0)
    throw new Error("the sweep did not catch up");
  const deps: ApplyDeps & SweepDeps = {
    ...l.table.store,
    settings: l.settings,
    units: l.units,
    now: () => PROBE_AT,
  };
  for (let i = 0; i < PROBES; i++)
    await applyEvent(deps, {
      eventId: `probe-${i}`,
      type: "dossier.received",
      occurredAt: "2025-12-12T08:00:00+07:00",
      dossierId: `PROBE-${i}`,
      data: { unitId, procedureCode: "1.001990", channel: "direct", processingDays: 2 },
    });
  const sweep = await sweepAt(l, PROBE_AT);
  return { itemsRead: sweep.itemsRead, checked: sweep.result.checked, raised: sweep.result.raised };
}

/** What one period's KPIs read today: every counter item of the period (the report, GET /kpis). */
export async function kpiReads(l: Loaded) {
  const before = l.meter.itemsRead;
  const counts = await l.table.store.counters.readPeriodCounts({ name: "2025-Q4" }, { consistent: false });
  return { itemsRead: l.meter.itemsRead - before, counterItems: counts.itemsRead };
}

/** The directory as a handler reads it (the sweep's and the sender's, every run). */
export async function directoryReads(l: Loaded) {
  const before = { items: l.meter.itemsRead, units: l.meter.readUnits };
  await l.table.store.directory.get(localDate(AT));
  return { items: l.meter.itemsRead - before.items, readUnits: l.meter.readUnits - before.units };
}

/** The agencies whose KPIs are read alone: a commune, a department and the province (the sample's). */
export const NODES = ["xa-cat-nam", "so-tu-phap"];

/**
 * What one node's KPIs read (GET /kpis?agency=, eventually consistent): the counter items under its
 * path in the agency tree, and nothing else (docs/kpis.md "One node's counters"); the office's one
 * node is its root. `own`: the items read are the node's units' counter items, one each.
 */
export async function nodeReads(l: Loaded, agencies: readonly string[]) {
  const tree = agencyTreeOf(l.units);
  const period = periodByName(CALENDAR_QUARTER, "2025-Q4") as Period;
  const out = [];
  for (const agency of [...agencies, tree.rootId]) {
    const before = { items: l.meter.itemsRead, units: l.meter.readUnits };
    const report = await readNodeReport(l.table.store.counters, tree, agency, period, {
      asOf: AT,
      consistent: false,
    });
    const itemsRead = l.meter.itemsRead - before.items;
    const unitsCounted = report?.byUnit.length ?? 0;
    out.push({
      agency,
      unitsCounted,
      itemsRead,
      readUnits: l.meter.readUnits - before.units,
      own: itemsRead === unitsCounted,
    });
  }
  return out;
}

/** The first instant of the quarter after the load's: every dossier still open then is due at it. */
const NEXT_QUARTER = periodBounds(periodByName(CALENDAR_QUARTER, "2026-Q1") as Period).start;

/**
 * The dossiers due at the next quarter's start: a dossier's next check is never later than the next
 * period's start (lib/domain/counting.ts `nextCountCheck`), so every open dossier is due then. Shown
 * by the index holding no next check after it (COUNT queries that read nothing when it is so:
 * counting the dossiers due by it would read the whole index). A run of the sweep takes at most
 * {@link SWEEP_MAX_PER_SHARD} a shard: the runs it takes to check them, the shards even (ids hashed).
 */
export async function quarterStart(l: Loaded, open: number) {
  const doc = documentClient(l.table.client);
  let after = 0;
  for (let shard = 0; shard < SWEEP_SHARDS; shard++) {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await doc.send(
        new QueryCommand({
          TableName: l.table.tableName,
          IndexName: TABLE.sweepIndex.name,
          KeyConditionExpression: "gsi1pk = :s AND nextCheckAt > :q",
          ExpressionAttributeValues: { ":s": sweepPartition(shard), ":q": NEXT_QUARTER },
          Select: "COUNT",
          ExclusiveStartKey: start,
        }),
      );
      after += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
  }
  return {
    at: formatInstant(NEXT_QUARTER),
    open,
    dueLater: after,
    sweepRuns: Math.ceil(open / (SWEEP_SHARDS * SWEEP_MAX_PER_SHARD)),
  };
}

/** The open dossiers of a load (dev/province/load.ts names them PV-…; the closed ones PH-…). */
export const openOf = (events: readonly { type: string; dossierId: string }[]) =>
  events.filter((e) => e.type === "dossier.received" && e.dossierId.startsWith("PV-")).length;
