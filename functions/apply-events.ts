/**
 * apply-events: SQS (fed by the bus rule) → one DynamoDB transaction per dossier event.
 * Partial batch failures are reported, so only the messages that failed come back.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { tableStore } from "../lib/adapters/dynamodb/store";
import type { ApplyDeps } from "../lib/app/apply";
import { dossierOfMessage, processSqsRecord } from "../lib/app/consumer";
import { cachedDirectory } from "../lib/app/directory";
import type { DirectoryReader } from "../lib/app/ports";
import { countingSettings, type MonitorEnv, MonitorEnvSchema } from "../lib/contracts/config";
import { METRICS } from "../lib/contracts/metrics";
import type { Clients } from "./commons/clients";

const METRIC = {
  applied: METRICS.eventsApplied,
  duplicate: METRICS.eventsDuplicate,
  quarantined: METRICS.eventsQuarantined,
} as const;

/** The consumer's dependencies: applying events, and the unit directory it reads. */
export type ConsumerDeps = ApplyDeps & { directory: DirectoryReader };

/**
 * The handler. Without `deps.units` it reads the directory from the table, kept as every handler
 * keeps it (lib/app/directory.ts: a minute, read again on a miss at most once a second; real time,
 * whatever clock `deps.now` keeps).
 */
export function createHandler(deps: ConsumerDeps, logger: Logger, metrics: Metrics) {
  const processor = new BatchProcessor(EventType.SQS);
  const directory = deps.units ? undefined : cachedDirectory(deps.directory, Date.now);
  const applyOne = async (applyDeps: ApplyDeps, record: SQSRecord) => {
    const outcome = await processSqsRecord(applyDeps, record);
    metrics.addMetric(METRIC[outcome.status], MetricUnit.Count, 1);
    const keys = { messageId: record.messageId, eventId: outcome.eventId, dossierId: outcome.dossierId };
    if (outcome.status === "quarantined")
      logger.warn("event quarantined", { ...keys, reason: outcome.reason });
    else logger.debug(`event ${outcome.status}`, keys);
  };
  return middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const applyDeps: ApplyDeps = directory
      ? { ...deps, units: await directory(), unitsOnMiss: () => directory("miss") }
      : deps;
    // One dossier's events are applied one after another (they would only race for its version,
    // and a long run of them could exhaust the retries); different dossiers run concurrently. The
    // processor calls the handler for every record at once, in order: each waits for the previous
    // record of its dossier to settle (its failure is reported for that record, not this one).
    const last = new Map<string, Promise<void>>();
    const recordHandler = (record: SQSRecord): Promise<void> => {
      const key = dossierOfMessage(record.body) ?? `\u0000${record.messageId}`;
      const run = () => applyOne(applyDeps, record);
      const previous = last.get(key);
      const mine = previous ? previous.then(run, run) : run();
      last.set(key, mine);
      return mine;
    };
    return processPartialResponse(event, recordHandler, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

/** The consumer's environment: the monitor's. */
export const EnvSchema = MonitorEnvSchema;
export type Env = MonitorEnv;

/** The composition root, shared by Lambda (functions/lambda/), the local stack and the bench. */
export function compose(env: Env, clients: Pick<Clients, "dynamo" | "now" | "logger" | "metrics">) {
  const { dossiers, quarantine, directory } = tableStore(clients.dynamo, env.TABLE_NAME);
  return createHandler(
    {
      dossiers,
      quarantine,
      directory,
      settings: countingSettings(env),
      now: clients.now,
      unknownUnits: env.UNKNOWN_UNITS,
    },
    clients.logger("apply-events"),
    clients.metrics("apply-events"),
  );
}
