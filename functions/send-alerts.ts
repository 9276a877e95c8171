/**
 * send-alerts: on the sweep's notice, one digest per unit (and per escalation recipients) through
 * SES; what fails stays pending for the next sweep.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { tableStore } from "../lib/adapters/dynamodb/store";
import { sesMailer } from "../lib/adapters/ses";
import { type DigestDeps, type DigestResult, sendDigests } from "../lib/app/digests";
import type { DirectoryReader } from "../lib/app/ports";
import { countingSettings, MonitorEnvSchema, officialSettings, SesEnvShape } from "../lib/contracts/config";
import { METRICS } from "../lib/contracts/metrics";
import type { Catalog } from "../lib/domain/catalog";
import { localDate } from "../lib/domain/time";
import * as z from "../lib/domain/zod";
import type { Clients } from "./commons/clients";

/** The digests' dependencies, with the unit directory read at each run. */
export type SendAlertsDeps = Omit<DigestDeps, "units"> & { directory: DirectoryReader };

export function createHandler(deps: SendAlertsDeps, logger: Logger, metrics: Metrics) {
  return middy(async (_event: unknown, context?: Partial<Pick<Context, "getRemainingTimeInMillis">>) => {
    // Digests go while the office is open (docs/rules.md "When digests go"): the sweep tells this
    // function only then, but a retry of a late run, or a notice from elsewhere, may come after
    // the close; what waits goes with the next opening's sweep.
    if (!deps.calendar.isOpen(deps.now())) {
      logger.info("the office is closed: the digests wait for its next opening");
      return { sent: [], failed: [], inPlaceOfUnit: [] };
    }
    const units = await deps.directory.get(localDate(deps.now()));
    const timeLeft = context?.getRemainingTimeInMillis?.bind(context);
    const result: DigestResult = await sendDigests({ ...deps, units }, { timeLeft });
    metrics.addMetric(METRICS.digestsSent, MetricUnit.Count, result.sent.length);
    metrics.addMetric(METRICS.digestsFailed, MetricUnit.Count, result.failed.length);
    metrics.addMetric(METRICS.digestsInPlaceOfUnit, MetricUnit.Count, result.inPlaceOfUnit.length);
    for (const f of result.failed) logger.error("digest not sent", { group: f.group, reason: f.reason });
    for (const group of result.inPlaceOfUnit)
      logger.warn(
        "every address of the unit is suppressed: its digest went to its escalation list or leadership",
        {
          group,
        },
      );
    if (result.incomplete)
      logger.warn("the run's time was nearly spent: the digests left wait for the next sweep's notice");
    logger.info("digests", { sent: result.sent.length, failed: result.failed.length });
    return result;
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

/** The digests' environment: the monitor's, and their sender. */
export const EnvSchema = z.extend(MonitorEnvSchema, SesEnvShape);
export type Env = z.infer<typeof EnvSchema>;

/**
 * The catalog the digests name procedures and domains from: the deployment's, its domains named
 * as the official settings name them first, as the KPI emails do (a domain named only there would
 * otherwise show its code).
 */
export function digestCatalog(env: Env): Catalog {
  return { ...env.CATALOG, domains: officialSettings(env).domains };
}

/**
 * The composition root, shared by Lambda (functions/lambda/) and the local stack. Each handler
 * leases the alerts it sends under its own owner id.
 */
export function compose(env: Env, clients: Pick<Clients, "dynamo" | "ses" | "now" | "logger" | "metrics">) {
  const { alerts, suppression, directory } = tableStore(clients.dynamo, env.TABLE_NAME);
  return createHandler(
    {
      alerts,
      suppression,
      directory,
      mailer: sesMailer(clients.ses, { configurationSet: env.SES_CONFIGURATION_SET }),
      calendar: countingSettings(env).calendar,
      catalog: digestCatalog(env),
      from: env.SENDER_ADDRESS,
      now: clients.now,
      owner: randomUUID(),
    },
    clients.logger("send-alerts"),
    clients.metrics("send-alerts"),
  );
}
