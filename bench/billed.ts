/**
 * Request units as DynamoDB bills them, computed item by item from the items' sizes, for the bench.
 *
 * Why not DynamoDB Local's ConsumedCapacity (bench/capacity.ts): Local under-counts transactions
 * (a TransactWriteItems of two small updates reports 2 units where DynamoDB bills 4), leaves out
 * the writes to the global secondary indexes, and reports nothing for a refused request. So
 * {@link billed} watches every command the client sends (middleware on the client; nothing in lib/
 * changes) and prices it by the rules of DynamoDB's developer guide, cited at each rule below:
 *
 * - "DynamoDB item sizes and formats"
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
 *   an item's size is the sum of its attribute names and values; a number takes 1 byte per two
 *   significant digits plus 1; null and boolean 1 byte; a list or map 3 bytes plus 1 byte per element.
 * - "DynamoDB read and write operations"
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html):
 *   a standard write takes 1 unit per started 1 KB of the larger of the item before and after; a
 *   read 1 unit per started 4 KB (half when eventually consistent, two in a transaction); a query
 *   rounds the sum of the items it read up to 4 KB; a batch bills each item on its own; a write
 *   whose condition fails is billed too.
 * - "Amazon DynamoDB Transactions: How it works", capacity management
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html):
 *   "two underlying reads or writes of every item in the transaction: one to prepare the
 *   transaction and one to commit"; capacity is consumed even when the transaction is cancelled.
 * - "Global secondary indexes", provisioned throughput considerations: writes
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html): a write that puts
 *   an item into an index is one index write, one that takes it out is one, one that changes its
 *   index key is two (delete and put), one that changes a projected attribute is one; each sized by
 *   the index entry (the projected attributes, with the table's and the index's keys), per started KB.
 *
 * Where the pages leave a choice, this file takes the dearer reading and says so: a cancelled
 * transaction is billed as if every item had been written transactionally (2 units per KB, the
 * item's size as it stands), with no index writes (nothing changed); a failed conditional write
 * outside a transaction 1 unit per KB of the item as it stands; index writes are standard (1 per KB,
 * not doubled: an index is updated after the transaction, not in it). DynamoDB Local reads that last
 * point the other way (measured here: a transactional put of a 1,489-byte item into `bySla` reports
 * 4 table and 4 index units; two 20-byte puts in one transaction report 2 in all, where the guide's
 * rule gives 4): the bench reports index units apart, so the dearer reading can be added up.
 */
import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  type QueryCommandInput,
} from "@aws-sdk/client-dynamodb";
import {
  asItem,
  committedWrite,
  type Item,
  itemSize,
  readUnitsOf,
  refusedWrite,
  type TableShape,
} from "./unit-rules";

/** What the bench bills, by kind: units and requests. */
export interface Bill {
  /** Write units of the table's items, including refused requests (see `refusedWriteUnits`). */
  tableWriteUnits: number;
  /** Write units of the global secondary indexes, by index. */
  indexWriteUnits: Record<string, number>;
  /** The part of `tableWriteUnits` billed for cancelled transactions and failed conditions. */
  refusedWriteUnits: number;
  readUnits: number;
  /** The write units DynamoDB Local reported for the same requests (its ConsumedCapacity). */
  localReportedWriteUnits: number;
  requests: Record<string, number>;
  refused: Record<string, number>;
}

/** One write of a request: which item, and what it puts (a Put's item) if anything. */
interface WriteAction {
  table: string;
  key: Item;
  kind: "put" | "update" | "delete" | "check";
  put?: Item;
}

type Input = Record<string, unknown>;
type WriteRequest = { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } };
type TransactItem = {
  Put?: { TableName: string; Item: Item };
  Update?: { TableName: string; Key: Item };
  Delete?: { TableName: string; Key: Item };
  ConditionCheck?: { TableName: string; Key: Item };
};

function keyOf(shape: TableShape, item: Item): Item {
  const key: Item = { [shape.partitionKey]: item[shape.partitionKey] as AttributeValue };
  if (shape.sortKey) key[shape.sortKey] = item[shape.sortKey] as AttributeValue;
  return key;
}

function transactAction(shape: TableShape, t: TransactItem): WriteAction {
  if (t.Put) return { table: t.Put.TableName, key: keyOf(shape, t.Put.Item), kind: "put", put: t.Put.Item };
  if (t.Update) return { table: t.Update.TableName, key: t.Update.Key, kind: "update" };
  if (t.Delete) return { table: t.Delete.TableName, key: t.Delete.Key, kind: "delete" };
  const c = t.ConditionCheck as { TableName: string; Key: Item };
  return { table: c.TableName, key: c.Key, kind: "check" };
}

/** The items a write request writes (marshalled input, as the client's build step sees it). */
export function writeActions(shape: TableShape, command: string, input: Input): WriteAction[] {
  const table = input.TableName as string;
  switch (command) {
    case "PutItemCommand":
      return [{ table, key: keyOf(shape, input.Item as Item), kind: "put", put: input.Item as Item }];
    case "UpdateItemCommand":
      return [{ table, key: input.Key as Item, kind: "update" }];
    case "DeleteItemCommand":
      return [{ table, key: input.Key as Item, kind: "delete" }];
    case "TransactWriteItemsCommand":
      return (input.TransactItems as TransactItem[]).map((t) => transactAction(shape, t));
    case "BatchWriteItemCommand":
      return Object.entries(input.RequestItems as Record<string, WriteRequest[]>).flatMap(([name, reqs]) =>
        reqs.map(
          (r): WriteAction =>
            r.PutRequest
              ? { table: name, key: keyOf(shape, r.PutRequest.Item), kind: "put", put: r.PutRequest.Item }
              : { table: name, key: (r.DeleteRequest as { Key: Item }).Key, kind: "delete" },
        ),
      );
    default:
      return [];
  }
}

const WRITES = new Set([
  "PutItemCommand",
  "UpdateItemCommand",
  "DeleteItemCommand",
  "TransactWriteItemsCommand",
  "BatchWriteItemCommand",
]);
const READS = new Set([
  "GetItemCommand",
  "BatchGetItemCommand",
  "QueryCommand",
  "ScanCommand",
  "TransactGetItemsCommand",
]);

/** Item images by table and key: what this client last wrote, or read on the side. */
class Images {
  private readonly known = new Map<string, Item | undefined>();
  constructor(
    private readonly side: DynamoDBClient,
    private readonly shape: TableShape,
  ) {}

  private id(table: string, key: Item): string {
    return `${table}\u0000${JSON.stringify(keyOf(this.shape, key))}`;
  }

  set(table: string, key: Item, item: Item | undefined) {
    this.known.set(this.id(table, key), item);
  }

  /** The items as they stand: from what this client wrote, else read (strongly) on the side. */
  async get(keys: { table: string; key: Item }[], fresh = false): Promise<(Item | undefined)[]> {
    const missing = keys.filter((k) => fresh || !this.known.has(this.id(k.table, k.key)));
    const unique = [...new Map(missing.map((k) => [this.id(k.table, k.key), k])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      const chunk = unique.slice(i, i + 100);
      for (const k of chunk) this.known.set(this.id(k.table, k.key), undefined);
      let request: Record<string, { Keys: Item[]; ConsistentRead: boolean }> | undefined = {};
      for (const k of chunk) {
        request[k.table] ??= { Keys: [], ConsistentRead: true };
        request[k.table]?.Keys.push(k.key);
      }
      while (request && Object.keys(request).length > 0) {
        const out = await this.side.send(new BatchGetItemCommand({ RequestItems: request }));
        for (const [table, items] of Object.entries(out.Responses ?? {}))
          for (const item of items) this.known.set(this.id(table, item), item);
        request = out.UnprocessedKeys as typeof request;
      }
    }
    return keys.map((k) => this.known.get(this.id(k.table, k.key)));
  }
}

type Send = () => Promise<{ output: unknown }>;
type Consumed = { CapacityUnits?: number };

function localUnits(output: unknown): number {
  const consumed = (output as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity;
  return [consumed ?? []].flat().reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
}

const REFUSALS = new Set(["TransactionCanceledException", "ConditionalCheckFailedException"]);

async function billWrite(
  bill: Bill,
  images: Images,
  shape: TableShape,
  command: string,
  input: Input,
  send: Send,
) {
  const actions = writeActions(shape, command, input);
  const before = await images.get(actions);
  const transactional = command === "TransactWriteItemsCommand";
  let out: { output: unknown };
  try {
    out = await send();
  } catch (e) {
    bill.refused[command] = (bill.refused[command] ?? 0) + 1;
    if (REFUSALS.has((e as Error).name)) {
      const units = actions.reduce((s, a, i) => s + refusedWrite(before[i], a.put, transactional), 0);
      bill.tableWriteUnits += units;
      bill.refusedWriteUnits += units;
    }
    throw e;
  }
  bill.localReportedWriteUnits += localUnits(out.output);
  const left =
    command === "BatchWriteItemCommand" ? (out.output as unknown as Input).UnprocessedItems : undefined;
  const unprocessed = new Set(
    writeActions(shape, "BatchWriteItemCommand", { RequestItems: left ?? {} }).map((a) =>
      JSON.stringify([a.table, keyOf(shape, a.key)]),
    ),
  );
  const done = actions
    .map((a, i) => ({ a, before: before[i] }))
    .filter(({ a }) => !unprocessed.has(JSON.stringify([a.table, keyOf(shape, a.key)])));
  const updated = await images.get(
    done.filter(({ a }) => a.kind === "update").map(({ a }) => a),
    true,
  );
  let u = 0;
  for (const { a, before: was } of done) {
    const after =
      a.kind === "put" ? a.put : a.kind === "delete" ? undefined : a.kind === "update" ? updated[u++] : was;
    const units = committedWrite(shape, was, after, transactional);
    bill.tableWriteUnits += units.table;
    for (const [name, n] of Object.entries(units.indexes))
      bill.indexWriteUnits[name] = (bill.indexWriteUnits[name] ?? 0) + n;
    images.set(a.table, a.key, after);
  }
}

type Consistency = "eventual" | "strong" | "transactional";
type KeysAndAttributes = { Keys: Item[]; ProjectionExpression?: string; ConsistentRead?: boolean };

/** Each item of a batch or transactional read billed on its own, on its full size. */
async function itemReads(
  images: Images,
  wanted: { table: string; key: Item; projected: boolean; read: Consistency }[],
  found: (table: string, key: Item) => Item | undefined,
): Promise<number> {
  const full = await images.get(wanted.filter((w) => w.projected));
  let f = 0;
  return wanted.reduce((s, w) => {
    const item = w.projected ? full[f++] : found(w.table, w.key);
    return s + readUnitsOf(item ? itemSize(item) : 0, w.read);
  }, 0);
}

async function readUnits(images: Images, shape: TableShape, command: string, input: Input, output: Input) {
  const read: Consistency = input.ConsistentRead ? "strong" : "eventual";
  const same = (a: Item, b: Item) => JSON.stringify(keyOf(shape, a)) === JSON.stringify(keyOf(shape, b));
  if (command === "GetItemCommand") {
    const key = input.Key as Item;
    const w = [{ table: input.TableName as string, key, projected: !!input.ProjectionExpression, read }];
    return itemReads(images, w, () => (output.Item ? asItem(output.Item as Item) : undefined));
  }
  if (command === "BatchGetItemCommand") {
    const responses = Object.fromEntries(
      Object.entries((output.Responses ?? {}) as Record<string, Item[]>).map(([t, items]) => [
        t,
        items.map(asItem),
      ]),
    );
    const unprocessed = (output.UnprocessedKeys ?? {}) as Record<string, KeysAndAttributes>;
    const wanted = Object.entries(input.RequestItems as Record<string, KeysAndAttributes>).flatMap(
      ([table, r]) =>
        r.Keys.filter((k) => !unprocessed[table]?.Keys.some((u) => same(asItem(u), k))).map((key) => ({
          table,
          key,
          projected: !!r.ProjectionExpression,
          read: (r.ConsistentRead ? "strong" : "eventual") as Consistency,
        })),
    );
    return itemReads(images, wanted, (t, k) => responses[t]?.find((i) => same(i, k)));
  }
  if (command === "TransactGetItemsCommand") {
    const gets = (
      input.TransactItems as { Get: { TableName: string; Key: Item; ProjectionExpression?: string } }[]
    ).map((t) => ({
      table: t.Get.TableName,
      key: t.Get.Key,
      projected: !!t.Get.ProjectionExpression,
      read: "transactional" as const,
    }));
    const items = ((output.Responses ?? []) as { Item?: Item }[]).map((r) =>
      r.Item ? asItem(r.Item) : undefined,
    );
    return itemReads(images, gets, (_t, k) => items.find((i) => i && same(i, k)));
  }
  // Query and Scan: the items read, summed and rounded up once. With a projection or a filter the
  // items returned are not the items read: then DynamoDB Local's figure (it sizes reads right).
  const q = input as unknown as QueryCommandInput;
  const items = ((output.Items ?? []) as Item[]).map(asItem);
  if (q.ProjectionExpression || q.FilterExpression || q.Select === "COUNT")
    return Math.max(localUnits(output), readUnitsOf(0, read));
  return readUnitsOf(
    items.reduce((s, i) => s + itemSize(i), 0),
    read,
  );
}

/** A fresh bill, all zero. */
export function emptyBill(): Bill {
  return {
    tableWriteUnits: 0,
    indexWriteUnits: {},
    refusedWriteUnits: 0,
    readUnits: 0,
    localReportedWriteUnits: 0,
    requests: {},
    refused: {},
  };
}

/** All write units: the table's and every index's. */
export function writeUnitsTotal(bill: Bill): number {
  return bill.tableWriteUnits + Object.values(bill.indexWriteUnits).reduce((a, b) => a + b, 0);
}

/**
 * Bills every request `client` sends to tables of `shape`, item by item (see the top of this file).
 * `side` is another client on the same endpoint, not watched: it reads the items' sizes before and
 * after a write (what this client wrote is remembered, so a table filled only through it is read
 * once per item written by an update). Meant for a bench: it adds requests and time, so a figure of
 * speed must not be taken through it.
 */
export function billed(client: DynamoDBClient, shape: TableShape, side: DynamoDBClient): Bill {
  const bill = emptyBill();
  const images = new Images(side, shape);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? "";
      if (WRITES.has(name) || READS.has(name))
        (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = "TOTAL";
      return next(args);
    },
    { step: "initialize", name: "billedAskCapacity" },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? "";
      const input = args.input as Input;
      if (WRITES.has(name)) {
        let out: Awaited<ReturnType<typeof next>> | undefined;
        await billWrite(bill, images, shape, name, input, async () => {
          out = await next(args);
          return out;
        });
        bill.requests[name] = (bill.requests[name] ?? 0) + 1;
        return out as Awaited<ReturnType<typeof next>>;
      }
      if (!READS.has(name)) return next(args);
      const out = await next(args);
      bill.requests[name] = (bill.requests[name] ?? 0) + 1;
      // Awaited first, then added: `bill.readUnits += await …` would read the sum before the await
      // and lose what concurrent requests added meanwhile.
      const units = await readUnits(images, shape, name, input, out.output as unknown as Input);
      bill.readUnits += units;
      return out;
    },
    { step: "build", name: "billedCapacity" },
  );
  return bill;
}

/** The shape of a table built by a CreateTable input (the bench's tables are). */
export function shapeOf(create: {
  KeySchema: { AttributeName: string; KeyType: string }[];
  GlobalSecondaryIndexes?: {
    IndexName: string;
    KeySchema: { AttributeName: string; KeyType: string }[];
    Projection: { ProjectionType: string };
  }[];
}): TableShape {
  const key = (schema: { AttributeName: string; KeyType: string }[], type: string) =>
    schema.find((k) => k.KeyType === type)?.AttributeName;
  return {
    partitionKey: key(create.KeySchema, "HASH") as string,
    sortKey: key(create.KeySchema, "RANGE"),
    indexes: (create.GlobalSecondaryIndexes ?? []).map((g) => ({
      name: g.IndexName,
      partitionKey: key(g.KeySchema, "HASH") as string,
      sortKey: key(g.KeySchema, "RANGE"),
      projection: g.Projection.ProjectionType === "ALL" ? "ALL" : "KEYS_ONLY",
    })),
  };
}
