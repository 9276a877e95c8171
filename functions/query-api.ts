/** query-api: the read-only routes of the HTTP API (`GET /kpis`, `/kpis/export`, `/dossiers`). */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { KpiDeps } from "../lib/app/kpi-report";
import { countingSettings, parseMonitorEnv } from "../lib/contracts/config";
import { UnitDirectory } from "../lib/domain/units";
import { handleQuery } from "../lib/http/query-api";
import type { HttpResult } from "../lib/http/responses";
import { kpiSettings, tableStore } from "./commons/clients";

export function createHandler(deps: KpiDeps, logger: Logger) {
  return middy(async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const result = await handleQuery(deps, event);
    logger.info("query", { route: event.rawPath.split("/")[1], status: result.statusCode });
    return result;
  }).use(injectLambdaContext(logger));
}

const env = parseMonitorEnv(process.env);
const settings = countingSettings(env);
export const handler = createHandler(
  {
    store: tableStore(env.TABLE_NAME),
    ...kpiSettings(settings),
    units: UnitDirectory.empty(),
    now: Date.now,
  },
  new Logger({ serviceName: "query-api" }),
);
