/**
 * kpi-report: the leadership KPI email, weekly (the current period, rolling) and at each
 * period's close (the period is frozen as issued, then emailed), on EventBridge Scheduler.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import middy from "@middy/core";
import * as z from "zod";
import { sesMailer } from "../lib/adapters/ses";
import { closeEndedPeriod, type SendDeps, sendWeeklyKpi } from "../lib/app/kpi-report";
import { countingSettings, parseMonitorEnv } from "../lib/contracts/config";
import { kpiSettings, tableStore } from "./commons/clients";

const InputSchema = z.object({ kind: z.enum(["weekly", "close"]) });

export function createHandler(deps: Omit<SendDeps, "units">, logger: Logger) {
  return middy(async (event: unknown) => {
    const { kind } = InputSchema.parse(event);
    const units = await deps.store.getUnitDirectory();
    const result =
      kind === "weekly"
        ? await sendWeeklyKpi({ ...deps, units })
        : await closeEndedPeriod({ ...deps, units });
    logger.info("kpi report", { kind, period: result?.period, sent: Boolean(result?.messageId) });
    return result ?? { kind, skipped: true };
  }).use(injectLambdaContext(logger));
}

const env = {
  ...parseMonitorEnv(process.env),
  ...z
    .object({ SENDER_ADDRESS: z.email(), SES_CONFIGURATION_SET: z.string().min(1).optional() })
    .parse(process.env),
};
const settings = countingSettings(env);
export const handler = createHandler(
  {
    store: tableStore(env.TABLE_NAME),
    ...kpiSettings(settings),
    mailer: sesMailer(new SESv2Client({}), { configurationSet: env.SES_CONFIGURATION_SET }),
    from: env.SENDER_ADDRESS,
    now: Date.now,
  },
  new Logger({ serviceName: "kpi-report" }),
);
