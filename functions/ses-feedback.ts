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
import { MonitorEnvSchema, SesEnvShape } from "../lib/contracts/config";
import * as z from "../lib/domain/zod";
import type { Clients } from "./commons/clients";

export function createHandler(
  suppression: SuppressionList,
  logger: Logger,
  now: () => number,
  configurationSet?: string,
) {
  return middy(async (event: unknown) => {
    const { suppressed, unreadable } = await suppressFromSesEvent(
      suppression,
      event,
      now(),
      configurationSet,
    );
    // The paths only: an address is never logged.
    if (unreadable)
      logger.warn("SES feedback event not understood in part: what it names there is not suppressed", {
        fields: unreadable,
        count: suppressed.length,
      });
    else logger.info("addresses suppressed", { count: suppressed.length });
    return { suppressed: suppressed.length };
  }).use(injectLambdaContext(logger));
}

/** The feedback function's environment: the monitor's, and the stage's configuration set (its emails' only). */
export const EnvSchema = z.extend(MonitorEnvSchema, {
  SES_CONFIGURATION_SET: SesEnvShape.SES_CONFIGURATION_SET,
});
export type Env = z.infer<typeof EnvSchema>;

/** The composition root, shared by Lambda (functions/lambda/) and the local stack. */
export function compose(env: Env, clients: Pick<Clients, "dynamo" | "now" | "logger">) {
  const { suppression } = tableStore(clients.dynamo, env.TABLE_NAME);
  return createHandler(suppression, clients.logger("ses-feedback"), clients.now, env.SES_CONFIGURATION_SET);
}
