import { randomUUID } from "node:crypto";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { inject } from "vitest";
import { documentClient, ensureTable, localDynamoClient } from "../../dev/local/dynamodb-local";
import { tableStore } from "../../lib/adapters/dynamodb/store";

/** A fresh table on the run's DynamoDB Local, for one test file (or one test). */
export async function testTable(prefix = "t") {
  const endpoint = inject("dynamoEndpoint");
  const client = localDynamoClient(endpoint);
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  const doc = documentClient(client);
  return {
    endpoint,
    tableName,
    client,
    doc,
    store: tableStore(doc, tableName),
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}
