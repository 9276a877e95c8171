/**
 * ses-feedback: SES bounce and complaint events (from the configuration set, via the bus) →
 * the suppression list that send-alerts and kpi-report respect.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { DossierStore } from "../lib/adapters/dynamodb/repository";
import { suppressFromSesEvent } from "../lib/app/suppression";
import { type MonitorEnv, MonitorEnvSchema } from "../lib/contracts/config";
import { type Clients, tableStore } from "./commons/clients";

export function createHandler(store: DossierStore, logger: Logger, now: () => number) {
  return middy(async (event: unknown) => {
    const suppressed = await suppressFromSesEvent(store, event, now());
    logger.info("addresses suppressed", { count: suppressed.length });
    return { suppressed: suppressed.length };
  }).use(injectLambdaContext(logger));
}

/** The feedback function's environment: the monitor's. */
export const EnvSchema = MonitorEnvSchema;

/** The composition root, shared by Lambda (functions/lambda/) and the local stack. */
export function compose(env: MonitorEnv, clients: Pick<Clients, "dynamo" | "now" | "logger">) {
  return createHandler(
    tableStore(clients.dynamo, env.TABLE_NAME),
    clients.logger("ses-feedback"),
    clients.now,
  );
}
