import { Duration, Tags } from "aws-cdk-lib";
import type * as events from "aws-cdk-lib/aws-events";
import type * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { API_KEY_PK, QUARANTINE_PK, RATE_PK } from "../lib/adapters/dynamodb/keys";
import { TABLE } from "../lib/adapters/dynamodb/table";
import { INGEST_SOURCE } from "../lib/contracts/bus";
import { allow, type FunctionSet, onlyPartitions, PARTITIONS } from "./functions";
import { buildHttpApi } from "./http-api";
import { ProjectFunction } from "./project-function";
import { INGEST_ROLE_TAG } from "./stateful-stack";

/**
 * The HTTP API (infra/http-api.ts): the routes of lib/contracts/routes.ts behind a cached key
 * authorizer; the handlers check the key and its role again, and count each key's rate.
 */
export function buildApis(
  scope: Construct,
  functions: FunctionSet,
  props: { tableArn: string; tableName: string; bus: events.IEventBus; logRetention: logs.RetentionDays },
) {
  const { tableArn, bus } = props;
  const ingest = functions.make(
    "ingest-api",
    "POST /events and /integrations/dvcqg, published to the bus",
    { EVENT_BUS_NAME: bus.eventBusName },
    Duration.seconds(15),
  );
  // GetItem: the key; BatchGetItem: events already stored; Query: the unit directory (units must
  // exist); UpdateItem: the key's rate window, and nothing else.
  allow(ingest, ["dynamodb:Query"], [tableArn], onlyPartitions(PARTITIONS.directory));
  allow(ingest, ["dynamodb:GetItem"], [tableArn], onlyPartitions(API_KEY_PK));
  allow(ingest, ["dynamodb:BatchGetItem"], [tableArn], onlyPartitions(PARTITIONS.dossiers));
  allow(ingest, ["dynamodb:UpdateItem"], [tableArn], onlyPartitions(RATE_PK));
  // Under the API's source only: the consumer takes the envelope's source as the owner of what
  // other producers put on the bus, so this role must not speak for them.
  allow(ingest, ["events:PutEvents"], [bus.eventBusArn], {
    StringEquals: { "events:source": INGEST_SOURCE },
  });
  // The bus lets only this role put events under the API's source (the stateful stack's bus policy).
  if (ingest.fn.role) Tags.of(ingest.fn.role).add(INGEST_ROLE_TAG.key, INGEST_ROLE_TAG.value);
  const query = functions.make(
    "query-api",
    "GET /kpis, /kpis/export, /dossiers and /quarantine",
    {},
    Duration.seconds(15),
  );
  allowQueryApi(query, tableArn);
  // The key authorizer: reads a key's record, nothing else (it counts no rates: its answers are
  // cached, so it does not see every request). Its environment is the table's name only.
  const authorizer = new ProjectFunction(scope, "authorizer", {
    name: "authorizer",
    description: "HTTP API key authorizer (cached): the key's credential, or a refusal",
    environment: { TABLE_NAME: props.tableName },
    logRetention: props.logRetention,
    timeout: Duration.seconds(5),
    memorySize: 256,
  });
  functions.byName.authorizer = authorizer;
  allow(authorizer, ["dynamodb:GetItem"], [tableArn], onlyPartitions(API_KEY_PK));
  const { api } = buildHttpApi(scope, {
    handlers: { "ingest-api": ingest, "query-api": query },
    authorizer,
    logRetention: props.logRetention,
  });
  return { ingest, query, authorizer, api };
}

/** The query API's grants: what its reader routes read, and its keys' rate windows. */
function allowQueryApi(query: ProjectFunction, tableArn: string): void {
  // Query: lists of dossiers by due date (the SLA index, its own grant), a dossier's log, a period's
  // counters and snapshots (the trend), the quarantine, the directory.
  allow(query, ["dynamodb:Query"], [ProjectFunction.indexArn(tableArn, TABLE.slaIndex.name)]);
  allow(
    query,
    ["dynamodb:Query"],
    [tableArn],
    onlyPartitions(
      PARTITIONS.dossiers,
      PARTITIONS.counters,
      PARTITIONS.periods,
      QUARANTINE_PK,
      PARTITIONS.directory,
    ),
  );
  // GetItem: the key, a period's issued report (a dossier's page is a Query of its partition);
  // BatchGetItem: quarantined events applied since, an agency's units' counters kept under an
  // earlier import's tree (docs/kpis.md "A tree imported again").
  allow(query, ["dynamodb:GetItem"], [tableArn], onlyPartitions(API_KEY_PK, PARTITIONS.periods));
  allow(
    query,
    ["dynamodb:BatchGetItem"],
    [tableArn],
    onlyPartitions(PARTITIONS.dossiers, PARTITIONS.counters),
  );
  // The reader key's rate window, and nothing else.
  allow(query, ["dynamodb:UpdateItem"], [tableArn], onlyPartitions(RATE_PK));
}
