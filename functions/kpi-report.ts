/**
 * kpi-report: the leadership KPI email, weekly (the current period, rolling) and at each
 * period's close (the period is frozen as issued, then emailed), on EventBridge Scheduler.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { tableStore } from "../lib/adapters/dynamodb/store";
import { sesMailer } from "../lib/adapters/ses";
import { closeEndedPeriod } from "../lib/app/kpi-report";
import type { DirectoryReader } from "../lib/app/ports";
import { sendWeeklyKpi, type WeeklyDeps } from "../lib/app/weekly-kpi";
import { countingSettings, MonitorEnvSchema, officialSettings, SesEnvShape } from "../lib/contracts/config";
import { localDate } from "../lib/domain/time";
import * as z from "../lib/domain/zod";
import { type Clients, kpiSettings } from "./commons/clients";

const InputSchema = z.object({ kind: z.enum(["weekly", "close"]) });

/** The KPI emails' dependencies, with the unit directory read at each run. */
export type KpiReportDeps = Omit<WeeklyDeps, "units"> & { directory: DirectoryReader };

export function createHandler(deps: KpiReportDeps, logger: Logger) {
  return middy(async (event: unknown, context?: Partial<Pick<Context, "getRemainingTimeInMillis">>) => {
    const { kind } = InputSchema.parse(event);
    const units = await deps.directory.get(localDate(deps.now()));
    if (kind === "weekly") {
      // Lambda's time left (none locally): the run stops short of its timeout rather than die mid-email.
      const timeLeft = context?.getRemainingTimeInMillis?.bind(context);
      const weekly = await sendWeeklyKpi({ ...deps, units }, { timeLeft });
      // Agencies by id only: no address or figure is logged.
      logger.info("kpi report", {
        kind,
        period: weekly?.period,
        sent: weekly?.sent.map((s) => `${s.agency}/${s.locale}`) ?? [],
        alreadySent: weekly?.alreadySent ?? 0,
      });
      // Failing lets Lambda's retry of the scheduler's asynchronous invocation send the rest (the marks skip what was sent).
      if (weekly?.incomplete)
        throw new Error(
          `weekly KPI emails: out of time after ${weekly.sent.length}; the retry sends the rest`,
        );
      return weekly ?? { kind, skipped: true };
    }
    const result = await closeEndedPeriod({ ...deps, units });
    logger.info("kpi report", {
      kind,
      period: result?.period,
      sent: result?.sent ?? [],
      alreadySent: result?.alreadySent ?? 0,
      // An ended period with no dossier in it: not closed (lib/app/kpi-report.ts closeEndedPeriod).
      ...(result?.empty && { empty: true }),
    });
    return result ?? { kind, skipped: true };
  }).use(injectLambdaContext(logger));
}

/** The KPI email's environment: the monitor's, and its sender. */
export const EnvSchema = z.extend(MonitorEnvSchema, SesEnvShape);
export type Env = z.infer<typeof EnvSchema>;

/** The composition root, shared by Lambda (functions/lambda/) and the local stack. */
export function compose(env: Env, clients: Pick<Clients, "dynamo" | "ses" | "now" | "logger">) {
  const { counters, reports, dossiers, quarantine, suppression, directory, weeklySends } = tableStore(
    clients.dynamo,
    env.TABLE_NAME,
  );
  return createHandler(
    {
      counters,
      reports,
      dossiers,
      quarantine,
      suppression,
      directory,
      weeklySends,
      ...kpiSettings(countingSettings(env)),
      official: officialSettings(env),
      catalog: env.CATALOG,
      mailer: sesMailer(clients.ses, { configurationSet: env.SES_CONFIGURATION_SET }),
      from: env.SENDER_ADDRESS,
      now: clients.now,
    },
    clients.logger("kpi-report"),
  );
}
