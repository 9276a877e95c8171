import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Clients } from "../../functions/commons/clients";
import { documentClient, localDynamoClient } from "./dynamodb-local";

/**
 * Each function's clients, with a DynamoDB client of its own (as each Lambda function has) that
 * records the IAM actions its requests need, and the partitions its requests touch (by key, or a
 * query of the table):
 * what `LocalStack.dynamoActions` and `dynamoPartitions` answer.
 */
export function perFunctionClients(clients: Clients, dynamoEndpoint: string) {
  const actions = new Map<string, Set<string>>();
  const partitions = new Map<string, Map<string, Set<string>>>();
  /** By function, action and partition: the attributes its updates named. */
  const attributes = new Map<string, Map<string, Set<string>>>();
  const own: DynamoDBClient[] = [];
  const clientsFor = (fn: string): Clients => {
    const client = localDynamoClient(dynamoEndpoint);
    own.push(client);
    const used = actions.get(fn) ?? new Set<string>();
    actions.set(fn, used);
    const touched = partitions.get(fn) ?? new Map<string, Set<string>>();
    partitions.set(fn, touched);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = (args as { input: object }).input;
        for (const a of iamActionsOf(context.commandName ?? "", input)) used.add(a);
        for (const [action, pk] of leadingKeysOf(context.commandName ?? "", input)) {
          const pks = touched.get(action) ?? new Set<string>();
          touched.set(action, pks.add(pk));
        }
        if (context.commandName === "UpdateItemCommand") {
          const key = `${fn}\u0000dynamodb:UpdateItem\u0000${pkOf(input) ?? "?"}`;
          const names = attributes.get(key) ?? new Map<string, Set<string>>();
          attributes.set(key, names);
          for (const name of attributesNamed(input)) names.set(name, new Set());
        }
        return next(args);
      },
      { step: "initialize", name: "iamActions" },
    );
    return { ...clients, dynamo: documentClient(client) };
  };
  const sorted = <T>(m: Map<string, T>, f: (v: T) => unknown) =>
    Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, f(v)]));
  return {
    clientsFor,
    dynamoActions: () =>
      Object.fromEntries(
        [...actions].filter(([, used]) => used.size).map(([fn, used]) => [fn, [...used].sort()]),
      ),
    dynamoPartitions: () =>
      sorted(partitions, (touched) => sorted(touched, (pks) => [...pks].sort())) as Record<
        string,
        Record<string, string[]>
      >,
    /** By function, action and partition, the attributes its updates named (IAM's `dynamodb:Attributes`). */
    dynamoAttributes: () => {
      const out: Record<string, Record<string, Record<string, string[]>>> = {};
      for (const [key, names] of attributes) {
        const [fn = "", action = "", pk = ""] = key.split("\u0000");
        out[fn] = { ...out[fn], [action]: { ...out[fn]?.[action], [pk]: [...names.keys()].sort() } };
      }
      return out;
    },
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

/** A one-item request's key or item, as the document client takes it (marshalled: `{ S: … }`). */
const pkOf = (request: { Key?: Record<string, unknown>; Item?: Record<string, unknown> } | undefined) => {
  const pk = (request?.Key ?? request?.Item)?.pk;
  const text = typeof pk === "object" && pk !== null ? (pk as { S?: unknown }).S : pk;
  return typeof text === "string" ? text : undefined;
};

/**
 * The partition a query of the table reads: the value its key condition gives `pk` (written
 * `pk = :v`, or through an attribute name); `?` when it cannot be read, which no grant allows, so
 * a query this misreads fails the check rather than passing it. A query of an index reads the
 * index's own partitions; its grant is on the index alone (infra/), so it is not counted here.
 */
/** What {@link queriedPartition} records for a query whose partition it cannot read. */
const UNREAD = "?";

function queriedPartition(input: object): string | undefined {
  const query = input as {
    IndexName?: string;
    KeyConditionExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  };
  if (query.IndexName !== undefined) return undefined;
  for (const [, name, value] of (query.KeyConditionExpression ?? "").matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    const attribute = name?.startsWith("#") ? query.ExpressionAttributeNames?.[name] : name;
    if (attribute !== "pk" || value === undefined) continue;
    const v = query.ExpressionAttributeValues?.[value];
    const text = typeof v === "object" && v !== null ? (v as { S?: unknown }).S : v;
    return typeof text === "string" ? text : UNREAD;
  }
  return UNREAD;
}

/**
 * The partitions (`pk`, IAM's `dynamodb:LeadingKeys`) of a request's one-item actions and queries, a
 * transaction's items included: what a grant limited to some partitions must allow.
 */
export function leadingKeysOf(commandName: string, input: object): [string, string][] {
  if (commandName === "BatchGetItemCommand") {
    const tables =
      (input as { RequestItems?: Record<string, { Keys?: Record<string, unknown>[] }> }).RequestItems ?? {};
    return Object.values(tables).flatMap((request) =>
      (request.Keys ?? []).flatMap((Key) => {
        const pk = pkOf({ Key });
        return pk === undefined ? [] : [["dynamodb:BatchGetItem", pk] as [string, string]];
      }),
    );
  }
  if (commandName === "BatchWriteItemCommand") {
    type Request = {
      PutRequest?: { Item?: Record<string, unknown> };
      DeleteRequest?: { Key?: Record<string, unknown> };
    };
    const tables = (input as { RequestItems?: Record<string, Request[]> }).RequestItems ?? {};
    return Object.values(tables)
      .flat()
      .flatMap((r) => {
        const pk = pkOf({ Item: r.PutRequest?.Item, Key: r.DeleteRequest?.Key });
        return pk === undefined ? [] : [["dynamodb:BatchWriteItem", pk] as [string, string]];
      });
  }
  if (commandName === "QueryCommand") {
    const pk = queriedPartition(input);
    return pk === undefined ? [] : [["dynamodb:Query", pk]];
  }
  const items = (input as { TransactItems?: Record<string, object>[] }).TransactItems;
  const requests: [string, object][] =
    commandName.startsWith("Transact") && items
      ? items.flatMap((item) => Object.entries(item))
      : [[commandName.replace(/Command$/, "").replace(/Item$/, ""), input]];
  return requests.flatMap(([kind, request]) => {
    const action = TRANSACT_ITEM_ACTIONS[kind];
    const pk = pkOf(request as Parameters<typeof pkOf>[0]);
    return action && pk !== undefined ? [[action, pk] as [string, string]] : [];
  });
}

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

/** Words of DynamoDB's expressions that are not attribute names. */
const EXPRESSION_WORDS = new Set(["set", "remove", "add", "delete", "and", "or", "not", "between", "in"]);

/**
 * The top-level attributes an update names, as IAM's `dynamodb:Attributes` takes them: its key's,
 * and those of its update and condition expressions (aliases resolved; a path counts as its first
 * name; functions and values left out).
 */
export function attributesNamed(input: object): string[] {
  const update = input as {
    Key?: Record<string, unknown>;
    UpdateExpression?: string;
    ConditionExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
  };
  const names = new Set(Object.keys(update.Key ?? {}));
  for (const expression of [update.UpdateExpression, update.ConditionExpression]) {
    const text = (expression ?? "").replace(/:\w+/g, " ");
    for (const [, first] of text.matchAll(/(?<![\w#.])([#A-Za-z_]\w*)\b(?:\.[#\w]+|\[\d+\])*(?!\s*\()/g)) {
      if (first === undefined || EXPRESSION_WORDS.has(first.toLowerCase())) continue;
      names.add(first.startsWith("#") ? (update.ExpressionAttributeNames?.[first] ?? first) : first);
    }
  }
  return [...names];
}
