import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/** Request units as DynamoDB bills them, per kind, read from each answer's ConsumedCapacity. */
export interface Meter {
  readUnits: number;
  writeUnits: number;
  /** Items the reads returned (a point read that finds nothing returns none). */
  itemsRead: number;
  requests: Record<string, number>;
  /** Requests DynamoDB refused (a cancelled transaction, a failed condition): billed, not counted. */
  refused: Record<string, number>;
}

const READS = new Set([
  "GetItemCommand",
  "QueryCommand",
  "ScanCommand",
  "BatchGetItemCommand",
  "TransactGetItemsCommand",
]);
const METERED = new Set([
  ...READS,
  "PutItemCommand",
  "UpdateItemCommand",
  "DeleteItemCommand",
  "BatchWriteItemCommand",
  "TransactWriteItemsCommand",
]);

type Consumed = { CapacityUnits?: number };
type ReadOutput = { Item?: unknown; Items?: unknown[]; Responses?: Record<string, unknown[]> | unknown[] };

/** How many items a read answered with: one for a GetItem that found one, the rest by list. */
function itemsReturned(out: ReadOutput): number {
  if (out.Items) return out.Items.length;
  if (out.Responses)
    return Array.isArray(out.Responses)
      ? out.Responses.length
      : Object.values(out.Responses).reduce((n, items) => n + items.length, 0);
  return out.Item ? 1 : 0;
}

/**
 * Asks DynamoDB for the consumed capacity of every request the client sends (ReturnConsumedCapacity
 * TOTAL) and adds it up. DynamoDB Local answers with the units the service bills (reads per started
 * 4 KB, halved when eventually consistent; writes per started KB, doubled in a transaction), so the
 * figures need no estimate of item sizes (except the minimum of a read that finds nothing).
 * Refused requests (a cancelled transaction) are not counted: DynamoDB bills them too, so the
 * figures are a lower bound when there are conflicts. A client has one meter at a time: metering it
 * again replaces the meter before (which then counts nothing more).
 */
export function meter(client: DynamoDBClient): Meter {
  const m: Meter = { readUnits: 0, writeUnits: 0, itemsRead: 0, requests: {}, refused: {} };
  client.middlewareStack.remove("meterCapacity");
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? "";
      if (!METERED.has(name)) return next(args);
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = "TOTAL";
      let out: Awaited<ReturnType<typeof next>>;
      try {
        out = await next(args);
      } catch (e) {
        m.refused[name] = (m.refused[name] ?? 0) + 1;
        throw e;
      }
      m.requests[name] = (m.requests[name] ?? 0) + 1;
      const consumed = (out.output as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity;
      const units = [consumed ?? []].flat().reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
      if (READS.has(name)) {
        m.itemsRead += itemsReturned(out.output as ReadOutput);
        // DynamoDB Local reports 0 for a read that finds nothing; DynamoDB bills it at least one
        // unit when strongly consistent (half when eventually consistent).
        const minimum = (args.input as { ConsistentRead?: boolean }).ConsistentRead ? 1 : 0.5;
        m.readUnits += Math.max(units, minimum);
      } else m.writeUnits += units;
      return out;
    },
    { step: "initialize", name: "meterCapacity" },
  );
  return m;
}
