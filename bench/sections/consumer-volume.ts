import { Logger } from "@aws-lambda-powertools/logger";
import { atLeastOnce, deliver, sqsRecord } from "../../dev/local/delivery";
import type { RunningDynamo } from "../../dev/local/dynamodb-local";
import { LocalMetrics as Metrics } from "../../dev/local/metrics";
import { mulberry32 } from "../../dev/scenarios/rng";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import type { ConsumerDeps } from "../../functions/apply-events";
import { CONSUMER_TUNING } from "../../infra/consumer-tuning";
import { readKpiReport } from "../../lib/app/kpis";
import { computeReport, type Report } from "../../lib/domain/report";
import { freshTable, NOW, results, row, seedUnits, settings } from "../common";

/** The KPI part of a report: what the counters must reproduce exactly. */
const kpis = (r: Report) =>
  JSON.stringify([
    r.received,
    r.resolved,
    r.withdrawn,
    r.pending,
    r.ratings,
    r.rates,
    r.pausedByKind,
    r.noCalendar,
    r.byUnit,
    r.byDomain,
  ]);

/**
 * The whole seed quarter through the consumer at full volume, shuffled, 5% delivered twice, by 4
 * workers: what tests/integration/consumer.test.ts checks on every tenth dossier, checked here on all
 * of them — the counters equal the report computed from the events, nothing is quarantined, and the
 * office's figures are the seed report's (5.520 received, 4.400 resolved in time, 115 overdue).
 * Throws when any of that fails; reports how long the replay took.
 */
export async function benchConsumerVolume(dynamo: RunningDynamo) {
  const { createHandler } = await import("../../functions/apply-events");
  const events = seed2022Q3();
  const table = await freshTable(dynamo);
  // The consumer reads the directory from the table, as deployed (and as the test does).
  const directory = seedUnits();
  await table.store.directory.put(directory.units, directory.leadership, directory.integrations);
  const deps: ConsumerDeps = { ...table.store, settings, now: () => NOW };
  const make = () =>
    createHandler(deps, new Logger({ logLevel: "SILENT" }), new Metrics({ namespace: "bench" })) as never;
  const records = atLeastOnce(mulberry32(11), events, 0.05).map((e) => sqsRecord(e));
  const t0 = performance.now();
  const outcome = await deliver(make, records, { workers: 4, batchSize: CONSUMER_TUNING.batchSize });
  const seconds = (performance.now() - t0) / 1000;
  if (outcome.failedForGood.length > 0) throw new Error(`${outcome.failedForGood.length} failed for good`);
  const report = await readKpiReport(table.store.counters, SEED_PERIOD, { asOf: NOW });
  const check = computeReport(events, settings, { period: SEED_PERIOD, asOf: NOW });
  if (kpis(report) !== kpis(check)) throw new Error("counters differ from the report of the events");
  const office = [
    report.received.total,
    report.resolved.early + report.resolved.onTime,
    report.pending.overdue,
  ];
  if (office.join() !== "5520,4400,115")
    throw new Error(`office figures ${office.join(", ")}, not the seed's`);
  const quarantined = (await table.store.quarantine.list()).length;
  if (quarantined > 0) throw new Error(`${quarantined} events quarantined`);
  const applied = new Set(events.map((e) => e.eventId)).size;
  results.consumerVolume = {
    deliveries: records.length,
    applied,
    seconds: Number(seconds.toFixed(1)),
    eventsPerSecond: Math.round(applied / seconds),
    redelivered: outcome.redelivered,
  };
  row(
    "Consumer, the whole seed quarter",
    `${seconds.toFixed(1)} s (${Math.round(applied / seconds)} events/s); counters equal the report`,
    `all ${records.length.toLocaleString("en")} SQS messages of the seed quarter (${applied.toLocaleString("en")} distinct events, shuffled, 5% delivered twice) through the apply-events handler, 4 workers, batches of ${CONSUMER_TUNING.batchSize} as deployed, on DynamoDB Local; then the counters equal the report computed from the events (5,520 received, 4,400 resolved in time, 115 overdue) and nothing is quarantined — the full-volume form of tests/integration/consumer.test.ts's sampled replay`,
  );
}
