/** query-api: the read-only routes of the HTTP API (`GET /kpis`, `/kpis/export`, `/dossiers`). */
import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { KpiDeps } from "../lib/app/kpi-report";
import { countingSettings, type MonitorEnv, MonitorEnvSchema } from "../lib/contracts/config";
import { UnitDirectory } from "../lib/domain/units";
import { handleQuery } from "../lib/http/query-api";
import type { HttpResult } from "../lib/http/responses";
import { type Clients, kpiSettings, tableStore } from "./commons/clients";

export function createHandler(deps: KpiDeps, logger: Logger) {
  return middy(async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const result = await handleQuery(deps, event);
    logger.info("query", { route: event.rawPath.split("/")[1], status: result.statusCode });
    return result;
  }).use(injectLambdaContext(logger));
}

/** The query API's environment: the monitor's. */
export const EnvSchema = MonitorEnvSchema;

/**
 * The composition root, shared by Lambda (functions/lambda/) and the local stack. `units`: the
 * directory for display names (Lambda: none; the local stack gives the one it loaded).
 */
export function compose(
  env: MonitorEnv,
  clients: Pick<Clients, "dynamo" | "now" | "logger">,
  units: UnitDirectory = UnitDirectory.empty(),
) {
  return createHandler(
    {
      store: tableStore(clients.dynamo, env.TABLE_NAME),
      ...kpiSettings(countingSettings(env)),
      units,
      now: clients.now,
    },
    clients.logger("query-api"),
  );
}
