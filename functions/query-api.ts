/** query-api: the read-only routes of the HTTP API (`GET /kpis`, `/kpis/export`, `/dossiers`). */
import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { tableStore } from "../lib/adapters/dynamodb/store";
import { cachedDirectory } from "../lib/app/directory";
import {
  countingSettings,
  type MonitorEnv,
  MonitorEnvSchema,
  officialSettings,
} from "../lib/contracts/config";
import type { UnitDirectory } from "../lib/domain/units";
import { handleQuery, type QueryApiDeps } from "../lib/http/query-api";
import type { HttpResult } from "../lib/http/responses";
import { type Clients, kpiSettings } from "./commons/clients";

/** The query API's dependencies, with the unit directory read per request (names in every answer). */
export type QueryDeps = Omit<QueryApiDeps, "units"> & { units: () => Promise<UnitDirectory> };

export function createHandler(deps: QueryDeps, logger: Logger) {
  return middy(async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    // The directory is read (cached a minute) only for a request admitted to a keyed route.
    const result = await handleQuery(deps, event);
    logger.info("query", { route: event.rawPath.split("/")[1], status: result.statusCode });
    return result;
  }).use(injectLambdaContext(logger));
}

/** The query API's environment: the monitor's. */
export const EnvSchema = MonitorEnvSchema;

/**
 * The composition root, shared by Lambda (functions/lambda/) and the local stack. The unit
 * directory (display names: exports, the index per unit) is the table's, kept a minute as the
 * ingestion API keeps it; `units` gives a fixed one instead.
 */
export function compose(
  env: MonitorEnv,
  clients: Pick<Clients, "dynamo" | "now" | "cacheClock" | "logger">,
  units?: UnitDirectory,
) {
  const { counters, reports, dossiers, quarantine, directory, keys, rates } = tableStore(
    clients.dynamo,
    env.TABLE_NAME,
  );
  return createHandler(
    {
      counters,
      reports,
      dossiers,
      quarantine,
      keys,
      rates,
      ...kpiSettings(countingSettings(env)),
      official: officialSettings(env),
      catalog: env.CATALOG,
      units: units
        ? async () => units
        : cachedDirectory(directory, clients.cacheClock ?? Date.now, { today: clients.now }),
      now: clients.now,
      // Dashboards and exports: a second's lag is harmless, half the read units are not.
      eventualReads: true,
    },
    clients.logger("query-api"),
  );
}
