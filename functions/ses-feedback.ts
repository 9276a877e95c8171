/**
 * ses-feedback: SES bounce and complaint events (from the configuration set, via the bus) →
 * the suppression list that send-alerts and kpi-report respect.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import middy from "@middy/core";
import { parseMonitorEnv } from "../lib/config";
import { DossierStore } from "../lib/store/repository";
import { suppressFromSesEvent } from "../lib/suppression";

export function createHandler(store: DossierStore, logger: Logger, now: () => number) {
  return middy(async (event: unknown) => {
    const suppressed = await suppressFromSesEvent(store, event, now());
    logger.info("addresses suppressed", { count: suppressed.length });
    return { suppressed: suppressed.length };
  }).use(injectLambdaContext(logger));
}

const env = parseMonitorEnv(process.env);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
export const handler = createHandler(
  new DossierStore(client, env.TABLE_NAME),
  new Logger({ serviceName: "ses-feedback" }),
  Date.now,
);
