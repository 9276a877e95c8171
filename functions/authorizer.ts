/**
 * authorizer: the HTTP API's cached Lambda REQUEST authorizer (simple responses). Looks the key up
 * once per route per cache period and passes the credential on; never logs the key.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerResult } from "aws-lambda";
import { tableStore } from "../lib/adapters/dynamodb/store";
import type { KeyStore } from "../lib/app/ports";
import { MonitorEnvSchema } from "../lib/contracts/config";
import * as z from "../lib/domain/zod";
import { type AuthorizerContext, decide } from "../lib/http/authorizer";
import type { Clients } from "./commons/clients";

type Result = APIGatewaySimpleAuthorizerResult & { context?: AuthorizerContext };

export function createHandler(store: KeyStore, logger: Logger) {
  return middy(async (event: APIGatewayRequestAuthorizerEventV2): Promise<Result> => {
    const decision = await decide(store, { routeKey: event.routeKey, headers: event.headers });
    if (decision.isAuthorized) {
      logger.info("allowed", { route: event.routeKey, keyName: decision.context.name });
      return { isAuthorized: true, context: decision.context };
    }
    // Logged once per key per route per cache period (API Gateway caches the refusal too).
    logger.warn("refused", {
      route: event.routeKey,
      reason: decision.reason,
      sourceIp: event.requestContext.http.sourceIp,
    });
    return { isAuthorized: false };
  }).use(injectLambdaContext(logger));
}

/** The authorizer's environment: the monitor's table, nothing else. */
export const EnvSchema = z.pick(MonitorEnvSchema, { TABLE_NAME: true });
export type Env = z.infer<typeof EnvSchema>;

/** The composition root, shared by Lambda (functions/lambda/) and the tests. */
export function compose(env: Env, clients: Pick<Clients, "dynamo" | "logger">) {
  const { keys, rates } = tableStore(clients.dynamo, env.TABLE_NAME);
  return createHandler({ keys, rates }, clients.logger("authorizer"));
}
