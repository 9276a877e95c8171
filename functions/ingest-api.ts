/** ingest-api: `POST /events` and `POST /integrations/dvcqg`, published to the bus. */
import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { tableStore } from "../lib/adapters/dynamodb/store";
import { cachedDirectory } from "../lib/app/directory";
import { BusEnvShape, MonitorEnvSchema } from "../lib/contracts/config";
import * as z from "../lib/domain/zod";
import { handleIngest, type IngestApiDeps } from "../lib/http/ingest-api";
import type { HttpResult } from "../lib/http/responses";
import type { Clients } from "./commons/clients";

export function createHandler(deps: IngestApiDeps, logger: Logger) {
  return middy(async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const result = await handleIngest(deps, event);
    // Status and route only: never the body (it may carry what an integration should not have sent).
    logger.info("ingest", { route: event.rawPath, status: result.statusCode });
    return result;
  }).use(injectLambdaContext(logger));
}

/** The ingestion API's environment: the monitor's, and the bus it publishes to. */
export const EnvSchema = z.extend(MonitorEnvSchema, BusEnvShape);
export type Env = z.infer<typeof EnvSchema>;

/**
 * The composition root, shared by Lambda (functions/lambda/), the local stack and the bench.
 * The unit directory is kept `directoryTtlMs` in this execution environment (a minute: one read
 * per minute, not per post; real time, whatever clock `clients.now` keeps).
 */
export function compose(
  env: Env,
  clients: Pick<Clients, "dynamo" | "bus" | "now" | "cacheClock" | "logger">,
  directoryTtlMs = 60_000,
) {
  const { dossiers, directory, keys, rates } = tableStore(clients.dynamo, env.TABLE_NAME);
  return createHandler(
    {
      dossiers,
      directory,
      keys,
      rates,
      publish: clients.bus(env.EVENT_BUS_NAME),
      now: clients.now,
      units: cachedDirectory(directory, clients.cacheClock ?? Date.now, {
        ttlMs: directoryTtlMs,
        today: clients.now,
      }),
      unknownUnits: env.UNKNOWN_UNITS,
    },
    clients.logger("ingest-api"),
  );
}
