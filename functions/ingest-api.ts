/** ingest-api: `POST /events` and `POST /integrations/dvcqg`, published to the bus. */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import * as z from "zod";
import { EventBridgeClient, eventBridgePublisher } from "../lib/aws";
import type { HttpResult } from "../lib/http";
import type { IngestDeps } from "../lib/ingest";
import { handleIngest } from "../lib/ingest-api";
import { tableStore } from "./commons/clients";

export function createHandler(deps: IngestDeps, logger: Logger) {
  return middy(async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const result = await handleIngest(deps, event);
    // Status and route only: never the body (it may carry what an integration should not have sent).
    logger.info("ingest", { route: event.rawPath, status: result.statusCode });
    return result;
  }).use(injectLambdaContext(logger));
}

const env = z.object({ TABLE_NAME: z.string().min(3), EVENT_BUS_NAME: z.string().min(1) }).parse(process.env);
export const handler = createHandler(
  {
    store: tableStore(env.TABLE_NAME),
    publish: eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME),
    now: Date.now,
  },
  new Logger({ serviceName: "ingest-api" }),
);
