/** query-api: the read-only routes of the HTTP API (`GET /kpis`, `/kpis/export`, `/dossiers`). */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { countingSettings, parseMonitorEnv } from "../lib/config";
import type { HttpResult } from "../lib/http";
import type { KpiDeps } from "../lib/kpi-report";
import { handleQuery } from "../lib/query-api";
import { DossierStore } from "../lib/store/repository";
import { UnitDirectory } from "../lib/units";

export function createHandler(deps: KpiDeps, logger: Logger) {
  return middy(async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const result = await handleQuery(deps, event);
    logger.info("query", { route: event.rawPath.split("/")[1], status: result.statusCode });
    return result;
  }).use(injectLambdaContext(logger));
}

const env = parseMonitorEnv(process.env);
const settings = countingSettings(env);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
export const handler = createHandler(
  {
    store: new DossierStore(client, env.TABLE_NAME),
    calendar: settings.calendar,
    scheme: settings.scheme,
    strictSupplementRule: settings.strictSupplementRule,
    units: UnitDirectory.empty(),
    now: Date.now,
  },
  new Logger({ serviceName: "query-api" }),
);
