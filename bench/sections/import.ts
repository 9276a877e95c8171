import type { RunningDynamo } from "../../dev/local/dynamodb-local";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { BulkWriter } from "../../lib/adapters/dynamodb/bulk";
import { importEvents } from "../../lib/app/import";
import { readKpiReport } from "../../lib/app/kpis";
import { computeReport } from "../../lib/domain/report";
import { meter } from "../capacity";
import { freshTable, NOW, results, row, seedUnits, settings } from "../common";

/**
 * The bulk import (`dossier-monitor import`, lib/app/import.ts): the whole seed quarter into a fresh
 * table on DynamoDB Local, with the counters then checked against the reference computation; set
 * beside the consumer's events/s of the same run (its section runs first).
 */
export async function benchImport(dynamo: RunningDynamo) {
  const events = seed2022Q3();
  // The same import once into a table of its own first: DynamoDB Local's JVM and Node compile the
  // paths it takes during the first run, which took 2,130 events/s where the next took 3,815 and the
  // third 4,879 (2026-12-05, idle). Run alone, this section would otherwise time the warm-up; in a
  // whole bench run the sections before it have warmed DynamoDB Local already. Both are reported.
  const cold = await importSeed(dynamo, events);
  const { table, units, summary, seconds } = await importSeed(dynamo, events);
  const report = await readKpiReport(table.store.counters, SEED_PERIOD, { asOf: NOW });
  const check = computeReport(events, settings, { period: SEED_PERIOD, asOf: NOW });
  if (JSON.stringify(report.byUnit) !== JSON.stringify(check.byUnit))
    throw new Error("counters differ from the reference");
  const eventsPerSecond = events.length / seconds;
  const coldEventsPerSecond = Math.round(events.length / cold.seconds);
  const consumer = results.consumer as Record<string, { eventsPerSecond: number }> | undefined;
  const beside = consumer
    ? ` (the consumer, same run: ${consumer.workers4?.eventsPerSecond} events/s at 4 workers, ${consumer.workers16?.eventsPerSecond} at 16)`
    : "";
  results.import = {
    events: events.length,
    applied: summary.applied,
    duplicates: summary.duplicates,
    dossiers: summary.dossiers.created,
    seconds: Number(seconds.toFixed(2)),
    eventsPerSecond: Math.round(eventsPerSecond),
    coldEventsPerSecond,
    writeUnitsPerEvent: Number((units.writeUnits / summary.applied).toFixed(2)),
    consumerEventsPerSecond: consumer && {
      workers4: consumer.workers4?.eventsPerSecond,
      workers16: consumer.workers16?.eventsPerSecond,
    },
  };
  row(
    "Import, seed quarter",
    `${Math.round(eventsPerSecond).toLocaleString("en")} events/s${beside}`,
    `\`dossier-monitor import\`'s use case on all ${events.length.toLocaleString("en")} events of the seed quarter (${summary.applied.toLocaleString("en")} applied, the rest its own repeats; ${summary.dossiers.created.toLocaleString("en")} dossiers) into a fresh table on DynamoDB Local, in ${seconds.toFixed(1)} s, after the same import once into another table (that first run: ${coldEventsPerSecond.toLocaleString("en")} events/s): dossiers, their logs inside, with their counters by transactions of up to 100 items; the counters then equal the reference`,
  );
}

/** The seed quarter by the import's use case into a fresh table, timed, its write units metered. */
async function importSeed(dynamo: RunningDynamo, events: ReturnType<typeof seed2022Q3>) {
  const table = await freshTable(dynamo);
  const units = meter(table.client);
  const t0 = performance.now();
  const summary = await importEvents(
    {
      dossiers: table.store.dossiers,
      quarantine: table.store.quarantine,
      bulk: new BulkWriter(table.store.client, table.tableName),
      settings,
      units: seedUnits(),
      now: () => NOW,
    },
    events.map((input, i) => ({ input, where: `seed:${i + 1}` })),
  );
  return { table, units, summary, seconds: (performance.now() - t0) / 1000 };
}
