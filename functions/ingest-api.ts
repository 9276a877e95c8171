/** ingest-api: `POST /events` and `POST /integrations/dvcqg`, published to the bus. */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import * as z from "zod";
import { EventBridgeClient, eventBridgePublisher } from "../lib/adapters/eventbridge";
import { cachedDirectory, type IngestDeps } from "../lib/app/ingest";
import { MonitorEnvSchema } from "../lib/contracts/config";
import { handleIngest } from "../lib/http/ingest-api";
import type { HttpResult } from "../lib/http/responses";
import { tableStore } from "./commons/clients";

export function createHandler(deps: IngestDeps, logger: Logger) {
  return middy(async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const result = await handleIngest(deps, event);
    // Status and route only: never the body (it may carry what an integration should not have sent).
    logger.info("ingest", { route: event.rawPath, status: result.statusCode });
    return result;
  }).use(injectLambdaContext(logger));
}

const env = z
  .object({
    TABLE_NAME: z.string().min(3),
    EVENT_BUS_NAME: z.string().min(1),
    UNKNOWN_UNITS: MonitorEnvSchema.shape.UNKNOWN_UNITS,
  })
  .parse(process.env);
const store = tableStore(env.TABLE_NAME);
export const handler = createHandler(
  {
    store,
    publish: eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME),
    now: Date.now,
    // Kept for a minute in this execution environment: one directory read per minute, not per post.
    units: cachedDirectory(store, Date.now),
    unknownUnits: env.UNKNOWN_UNITS,
  },
  new Logger({ serviceName: "ingest-api" }),
);
