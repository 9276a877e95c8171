/**
 * sweep-deadlines: on a schedule, recounts the dossiers whose next check is due (sparse index),
 * records each alert transition once, and tells send-alerts when alerts wait and the office is open.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { tableStore } from "../lib/adapters/dynamodb/store";
import type { DigestQueue, DirectoryReader } from "../lib/app/ports";
import { dropStaleAlerts } from "../lib/app/stale-alerts";
import { runSweep, type SweepDeps, type SweepResult } from "../lib/app/sweep";
import { ALERTS_PENDING, type Publish, SWEEP_SOURCE } from "../lib/contracts/bus";
import { BusEnvShape, countingSettings, MonitorEnvSchema } from "../lib/contracts/config";
import { METRICS } from "../lib/contracts/metrics";
import { CALENDAR_WARNING_DAYS } from "../lib/domain/calendar/calendar";
import { localDate } from "../lib/domain/time";
import * as z from "../lib/domain/zod";
import type { Clients } from "./commons/clients";

/** An error for the log: its name and message, cut (messages name ids, never event bodies). */
const describe = (e: unknown) =>
  e instanceof Error ? `${e.name}: ${e.message.slice(0, 300)}` : String(e).slice(0, 300);

/**
 * The sweep's dependencies: a run's, the unit directory read at each run, and the alert queue
 * (whether alerts wait).
 */
export type SweepDeadlinesDeps = Omit<SweepDeps, "units"> & {
  directory: DirectoryReader;
  alerts: Pick<DigestQueue, "pending" | "dropPending">;
};

export function createHandler(deps: SweepDeadlinesDeps, publish: Publish, logger: Logger, metrics: Metrics) {
  return middy(async (_event: unknown, context?: Partial<Pick<Context, "getRemainingTimeInMillis">>) => {
    const units = await deps.directory.get(localDate(deps.now()));
    const result: SweepResult = await runSweep(
      { ...deps, units },
      {
        // A quarter's start or a catch-up holds more than a run checks in its time: it stops with
        // time in hand, and the next run takes the rest (still due in the index).
        timeLeft: context?.getRemainingTimeInMillis?.bind(context),
        // One dossier never stops the sweep: its id and error are logged (no event bodies), an
        // alarm watches the metric, and its next check moved later.
        onFailure: ({ dossierId, error, postponed, postponeError }) =>
          logger.error("a dossier could not be checked; the sweep goes on", {
            dossierId,
            postponed,
            error: describe(error),
            ...(postponeError !== undefined && { postponeError: describe(postponeError) }),
          }),
      },
    );
    // A clock alert still pending whose dossier closed since is not sent; a failure here
    // costs only that (the alert goes as raised), never the sweep.
    const stale = await dropStaleAlerts(deps).catch((e: unknown) => {
      logger.warn("could not drop the pending alerts of closed dossiers", { error: describe(e) });
      return undefined;
    });
    // Digests go while the office is open (docs/rules.md "When digests go"): what a sweep raises
    // after hours (most due instants fall at 17:00) waits for the next opening's digest, so a
    // dossier an integration's nightly sync closes meanwhile is dropped above, not reported overdue.
    const open = deps.settings.calendar.isOpen(deps.now());
    if (!open && result.raised > 0)
      logger.info("alerts held until the office opens", { raised: result.raised });
    // The pending alerts as the drop left them, read again only when the drop failed.
    const pending = open && (result.raised > 0 || (stale?.left ?? (await deps.alerts.pending()).length) > 0);
    if (pending) {
      const { failed } = await publish([
        {
          source: SWEEP_SOURCE,
          detailType: ALERTS_PENDING,
          detail: { at: deps.now(), raised: result.raised },
        },
      ]);
      // The alerts stay pending: the next sweep tells send-alerts again.
      if (failed.length) logger.warn("could not notify send-alerts; the next sweep will");
    }
    // Deadlines cannot be computed past the calendar's data: say so well before (an alarm watches it).
    const { missingYear, daysLeft } = deps.settings.calendar.coverageFrom(deps.now());
    metrics.addMetric(METRICS.calendarDaysLeft, MetricUnit.Count, daysLeft);
    if (daysLeft <= CALENDAR_WARNING_DAYS)
      logger.warn("the working-day calendar has no data for a coming year: add its entry", {
        missingYear,
        daysLeft,
      });
    metrics.addMetric(METRICS.dossiersChecked, MetricUnit.Count, result.checked);
    metrics.addMetric(METRICS.alertsRaised, MetricUnit.Count, result.raised);
    metrics.addMetric(METRICS.sweepDossierFailed, MetricUnit.Count, result.failed);
    logger.info("sweep done", { ...result, staleAlertsDropped: stale?.dropped ?? 0 });
    return result;
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

/** The sweep's environment: the monitor's, and the bus it tells send-alerts on. */
export const EnvSchema = z.extend(MonitorEnvSchema, BusEnvShape);
export type Env = z.infer<typeof EnvSchema>;

/** The composition root, shared by Lambda (functions/lambda/) and the local stack. */
export function compose(env: Env, clients: Pick<Clients, "dynamo" | "bus" | "now" | "logger" | "metrics">) {
  const { dossiers, directory, alerts } = tableStore(clients.dynamo, env.TABLE_NAME);
  return createHandler(
    { dossiers, directory, alerts, settings: countingSettings(env), now: clients.now },
    clients.bus(env.EVENT_BUS_NAME),
    clients.logger("sweep-deadlines"),
    clients.metrics("sweep-deadlines"),
  );
}
