/**
 * apply-events: SQS (fed by the bus rule) → one DynamoDB transaction per dossier event.
 * Partial batch failures are reported, so only the messages that failed come back.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { ApplyDeps } from "../lib/apply";
import { countingSettings, parseMonitorEnv } from "../lib/config";
import { processSqsRecord } from "../lib/consumer";
import { tableStore } from "./commons/clients";

const METRIC = {
  applied: "EventsApplied",
  duplicate: "EventsDuplicate",
  quarantined: "EventsQuarantined",
} as const;

export function createHandler(deps: ApplyDeps, logger: Logger, metrics: Metrics) {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord) => {
    const outcome = await processSqsRecord(deps, record);
    metrics.addMetric(METRIC[outcome.status], MetricUnit.Count, 1);
    const keys = { messageId: record.messageId, eventId: outcome.eventId, dossierId: outcome.dossierId };
    if (outcome.status === "quarantined")
      logger.warn("event quarantined", { ...keys, reason: outcome.reason });
    else logger.debug(`event ${outcome.status}`, keys);
  };
  return middy(
    async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
      processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false }),
  )
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

const env = parseMonitorEnv(process.env);
const logger = new Logger({ serviceName: "apply-events" });
const metrics = new Metrics({ namespace: "DossierMonitor", serviceName: "apply-events" });

export const handler = createHandler(
  { store: tableStore(env.TABLE_NAME), settings: countingSettings(env), now: Date.now },
  logger,
  metrics,
);
