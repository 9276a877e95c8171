import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Clients } from "../../functions/commons/clients";
import { documentClient, localDynamoClient } from "./dynamodb-local";

/**
 * Each function's clients, with a DynamoDB client of its own (as each Lambda function has) that
 * records the IAM actions its requests need: what `LocalStack.dynamoActions` answers.
 */
export function perFunctionClients(clients: Clients, dynamoEndpoint: string) {
  const actions = new Map<string, Set<string>>();
  const own: DynamoDBClient[] = [];
  const clientsFor = (fn: string): Clients => {
    const client = localDynamoClient(dynamoEndpoint);
    own.push(client);
    const used = actions.get(fn) ?? new Set<string>();
    actions.set(fn, used);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        for (const a of iamActionsOf(context.commandName ?? "", (args as { input: object }).input))
          used.add(a);
        return next(args);
      },
      { step: "initialize", name: "iamActions" },
    );
    return { ...clients, dynamo: documentClient(client) };
  };
  return {
    clientsFor,
    dynamoActions: () =>
      Object.fromEntries(
        [...actions].filter(([, used]) => used.size).map(([fn, used]) => [fn, [...used].sort()]),
      ),
    destroy: () => {
      for (const client of own) client.destroy();
    },
  };
}

/** What a transaction's items are, as IAM names the actions they need (it has no action of its own). */
const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: "dynamodb:PutItem",
  Update: "dynamodb:UpdateItem",
  Delete: "dynamodb:DeleteItem",
  ConditionCheck: "dynamodb:ConditionCheckItem",
  Get: "dynamodb:GetItem",
};

/**
 * The IAM actions one DynamoDB request needs: its own (`GetItemCommand` → `dynamodb:GetItem`), or
 * for a transaction those of its items, as IAM authorises them.
 */
export function iamActionsOf(commandName: string, input: object): string[] {
  const items = (input as { TransactItems?: Record<string, unknown>[] }).TransactItems;
  if (commandName.startsWith("Transact") && items)
    return items.flatMap((item) =>
      Object.keys(item).flatMap((k) => (TRANSACT_ITEM_ACTIONS[k] ? [TRANSACT_ITEM_ACTIONS[k]] : [])),
    );
  return [`dynamodb:${commandName.replace(/Command$/, "")}`];
}
