/**
 * send-alerts: on the sweep's notice, one digest per unit (and per escalation recipients) through
 * SES; what fails stays pending for the next sweep.
 */
import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import middy from "@middy/core";
import * as z from "zod";
import { sesMailer } from "../lib/adapters/ses";
import { type DigestDeps, type DigestResult, sendDigests } from "../lib/app/digests";
import { countingSettings, parseMonitorEnv } from "../lib/contracts/config";
import { tableStore } from "./commons/clients";

export function createHandler(deps: Omit<DigestDeps, "units">, logger: Logger, metrics: Metrics) {
  return middy(async (): Promise<DigestResult> => {
    const units = await deps.store.getUnitDirectory();
    const result = await sendDigests({ ...deps, units });
    metrics.addMetric("DigestsSent", MetricUnit.Count, result.sent.length);
    metrics.addMetric("DigestsFailed", MetricUnit.Count, result.failed.length);
    for (const f of result.failed) logger.error("digest not sent", { group: f.group, reason: f.reason });
    logger.info("digests", { sent: result.sent.length, failed: result.failed.length });
    return result;
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

const env = {
  ...parseMonitorEnv(process.env),
  ...z
    .object({ SENDER_ADDRESS: z.email(), SES_CONFIGURATION_SET: z.string().min(1).optional() })
    .parse(process.env),
};
const logger = new Logger({ serviceName: "send-alerts" });
const metrics = new Metrics({ namespace: "DossierMonitor", serviceName: "send-alerts" });

export const handler = createHandler(
  {
    store: tableStore(env.TABLE_NAME),
    mailer: sesMailer(new SESv2Client({}), { configurationSet: env.SES_CONFIGURATION_SET }),
    calendar: countingSettings(env).calendar,
    from: env.SENDER_ADDRESS,
    now: Date.now,
    owner: randomUUID(),
  },
  logger,
  metrics,
);
