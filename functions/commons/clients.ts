/** AWS clients, built once per execution environment and passed into lib/ (STYLE.md 5). */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DossierStore } from "../../lib/adapters/dynamodb/repository";
import type { CountingSettings } from "../../lib/domain/counting";

const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

/** The repository over the deployment's table. */
export function tableStore(tableName: string): DossierStore {
  return new DossierStore(documentClient, tableName);
}

/** What the KPI readers need of the deployment's settings. */
export function kpiSettings(settings: CountingSettings) {
  return {
    calendar: settings.calendar,
    scheme: settings.scheme,
    strictSupplementRule: settings.strictSupplementRule,
  };
}
