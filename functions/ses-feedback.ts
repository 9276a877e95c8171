/**
 * ses-feedback: SES bounce and complaint events (from the configuration set, via the bus) →
 * the suppression list that send-alerts and kpi-report respect.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { tableStore } from "../lib/adapters/dynamodb/store";
import type { SuppressionList } from "../lib/app/ports";
import { suppressFromSesEvent } from "../lib/app/suppression";
import { type MonitorEnv, MonitorEnvSchema } from "../lib/contracts/config";
import type { Clients } from "./commons/clients";

export function createHandler(suppression: SuppressionList, logger: Logger, now: () => number) {
  return middy(async (event: unknown) => {
    const suppressed = await suppressFromSesEvent(suppression, event, now());
    logger.info("addresses suppressed", { count: suppressed.length });
    return { suppressed: suppressed.length };
  }).use(injectLambdaContext(logger));
}

/** The feedback function's environment: the monitor's. */
export const EnvSchema = MonitorEnvSchema;

/** The composition root, shared by Lambda (functions/lambda/) and the local stack. */
export function compose(env: MonitorEnv, clients: Pick<Clients, "dynamo" | "now" | "logger">) {
  const { suppression } = tableStore(clients.dynamo, env.TABLE_NAME);
  return createHandler(suppression, clients.logger("ses-feedback"), clients.now);
}
