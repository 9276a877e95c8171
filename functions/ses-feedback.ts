/**
 * ses-feedback: SES bounce and complaint events (from the configuration set, via the bus) →
 * the suppression list that send-alerts and kpi-report respect.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { DossierStore } from "../lib/adapters/dynamodb/repository";
import { suppressFromSesEvent } from "../lib/app/suppression";
import { parseMonitorEnv } from "../lib/contracts/config";
import { tableStore } from "./commons/clients";

export function createHandler(store: DossierStore, logger: Logger, now: () => number) {
  return middy(async (event: unknown) => {
    const suppressed = await suppressFromSesEvent(store, event, now());
    logger.info("addresses suppressed", { count: suppressed.length });
    return { suppressed: suppressed.length };
  }).use(injectLambdaContext(logger));
}

const env = parseMonitorEnv(process.env);
export const handler = createHandler(
  tableStore(env.TABLE_NAME),
  new Logger({ serviceName: "ses-feedback" }),
  Date.now,
);
