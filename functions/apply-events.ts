/**
 * apply-events: SQS (fed by the bus rule) → the batch's dossier events applied together
 * (lib/app/apply-batch.ts: one read of the batch's dossiers, their changes written in as few
 * transactions as DynamoDB allows, counter deltas summed per item). Partial batch failures are
 * reported, so only the messages that failed come back.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { tableStore } from "../lib/adapters/dynamodb/store";
import { applyBatch, type BatchApplyDeps, type BatchItem } from "../lib/app/apply-batch";
import { type ReadRecord, type RecordOutcome, readSqsRecord } from "../lib/app/consumer";
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

/**
 * The consumer's dependencies: applying events, and the unit directory it reads. `directoryClock`
 * times the directory's cache (real time, `Date.now`, whatever clock `now` keeps; a test drives it).
 */
export type ConsumerDeps = BatchApplyDeps & { directory: DirectoryReader; directoryClock?: () => number };

/**
 * The handler. Without `deps.units` it reads the directory from the table, kept as every handler
 * keeps it (lib/app/directory.ts: a minute, read again on a miss at most once a second).
 */
export function createHandler(deps: ConsumerDeps, logger: Logger, metrics: Metrics) {
  const processor = new BatchProcessor(EventType.SQS);
  const directory = deps.units
    ? undefined
    : cachedDirectory(deps.directory, deps.directoryClock ?? Date.now, { today: deps.now });
  const report = (record: SQSRecord, outcome: RecordOutcome) => {
    metrics.addMetric(METRIC[outcome.status], MetricUnit.Count, 1);
    const keys = { messageId: record.messageId, eventId: outcome.eventId, dossierId: outcome.dossierId };
    if (outcome.status === "quarantined")
      logger.warn("event quarantined", { ...keys, reason: outcome.reason });
    else logger.debug(`event ${outcome.status}`, keys);
  };
  // A message that failed goes back to SQS (a partial batch failure: the invocation succeeds), so
  // it is said here, by its ids and reason, and counted: the ConsumerErrors alarm reads the count.
  const failed = (record: SQSRecord, read: ReadRecord | undefined, error: unknown): never => {
    metrics.addMetric(METRICS.eventsFailed, MetricUnit.Count, 1);
    logger.error("event failed: SQS delivers it again", {
      messageId: record.messageId,
      ...read?.keys,
      error:
        error instanceof Error
          ? `${error.name}: ${error.message.slice(0, 300)}`
          : String(error).slice(0, 300),
    });
    throw error;
  };
  return middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const applyDeps: BatchApplyDeps = directory
      ? { ...deps, units: await directory(), unitsOnMiss: () => directory("miss") }
      : deps;
    // Each message read once (an invalid one is quarantined at once), then the valid events
    // applied as one batch; the processor awaits each message's own outcome, so a failure is that
    // message's. A standard queue may hand over one message twice in a batch: its copies share the
    // one read and the one outcome (each item keyed by its own message id, never by position).
    const reads = new Map<string, Promise<ReadRecord>>();
    for (const record of event.Records)
      if (!reads.has(record.messageId)) reads.set(record.messageId, readSqsRecord(applyDeps, record));
    const items: BatchItem[] = [];
    const messageIds = [...reads.keys()];
    for (const [i, read] of (await Promise.allSettled(reads.values())).entries())
      if (read.status === "fulfilled" && "event" in read.value)
        items.push({ key: messageIds[i] as string, event: read.value.event });
    const applied = applyBatch(applyDeps, items, (error) =>
      logger.warn("batch applied message by message", { error: (error as Error).message }),
    );
    const answered = new Set<string>();
    const recordHandler = async (record: SQSRecord): Promise<void> => {
      const read = await reads.get(record.messageId)?.catch((e: unknown) => failed(record, undefined, e));
      const outcome = await Promise.resolve(
        read && "outcome" in read ? read.outcome : applied.get(record.messageId),
      ).catch((e: unknown) => failed(record, read, e));
      if (!read || !outcome)
        return failed(record, read, new Error(`no outcome for message ${record.messageId}`));
      // A second copy of a message changed nothing: counted as a duplicate, not applied twice.
      const copy = answered.has(record.messageId);
      answered.add(record.messageId);
      report(record, {
        ...(copy && outcome.status === "applied" ? { ...outcome, status: "duplicate" } : outcome),
        ...read.keys,
      });
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
export function compose(
  env: Env,
  clients: Pick<Clients, "dynamo" | "now" | "cacheClock" | "logger" | "metrics">,
) {
  const { dossiers, quarantine, directory } = tableStore(clients.dynamo, env.TABLE_NAME);
  return createHandler(
    {
      dossiers,
      quarantine,
      directory,
      settings: countingSettings(env),
      now: clients.now,
      directoryClock: clients.cacheClock,
      unknownUnits: env.UNKNOWN_UNITS,
    },
    clients.logger("apply-events"),
    clients.metrics("apply-events"),
  );
}
