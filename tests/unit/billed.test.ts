/**
 * bench/billed.ts: request units as DynamoDB bills them, from item sizes. Every expected figure is
 * worked by hand in the comment beside it, from the rules of DynamoDB's developer guide:
 * "DynamoDB item sizes and formats" (CapacityUnitCalculations.html), "DynamoDB read and write
 * operations" (read-write-operations.html), "Amazon DynamoDB Transactions: How it works"
 * (transaction-apis.html, capacity management) and "Global secondary indexes" (GSI.html, writes),
 * all under https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/.
 */
import { type AttributeValue, DynamoDBClient, TransactWriteItemsCommand } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { billed, shapeOf, writeActions, writeUnitsTotal } from "../../bench/billed";
import {
  asItem,
  committedWrite,
  indexWriteUnits,
  itemSize,
  readUnitsOf,
  refusedWrite,
  type TableShape,
  writeUnitsOf,
} from "../../bench/unit-rules";
import { createTableInput } from "../../lib/adapters/dynamodb/table";

/** The project's table: pk/sk, bySweep (KEYS_ONLY) and bySla (ALL). */
const shape: TableShape = shapeOf(createTableInput("t"));
const bySla = shape.indexes.find((i) => i.name === "bySla") as TableShape["indexes"][number];
const bySweep = shape.indexes.find((i) => i.name === "bySweep") as TableShape["indexes"][number];

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: string): AttributeValue => ({ N: n });
/** An item whose size is exactly `bytes`: pk "D#1" (2 + 3), sk "DOSSIER" (2 + 7), and padding. */
function sized(bytes: number, extra: Record<string, AttributeValue> = {}): Record<string, AttributeValue> {
  const base = { pk: S("D#1"), sk: S("DOSSIER"), ...extra };
  const rest = bytes - itemSize(base) - 1; // the padding's name "p" is 1 byte
  return { ...base, p: S("x".repeat(rest)) };
}

describe("item sizes (CapacityUnitCalculations.html)", () => {
  it("counts names and values: strings by UTF-8 bytes, numbers by significant digits", () => {
    // "pk" 2 + "D#1" 3 = 5; "n" 1 + "123" (3 digits: ceil(3/2) + 1 = 3) = 4
    expect(itemSize({ pk: S("D#1"), n: N("123") })).toBe(9);
    // "-0.00120": digits "12" → 1 + 1 = 2; "1000": digit "1" → 1 + 1 = 2; names 1 each → 6
    expect(itemSize({ a: N("-0.00120"), b: N("1000") })).toBe(6);
    // "Đà": Đ and à are 2 UTF-8 bytes each → 4, name "t" 1 → 5
    expect(itemSize({ t: S("Đà") })).toBe(5);
  });

  it("adds 3 bytes per list or map and 1 per element; a boolean or null is 1 byte", () => {
    // "m" 1 + 3 + ("a" 1 + "xy" 2 + 1) = 8
    expect(itemSize({ m: { M: { a: S("xy") } } })).toBe(8);
    // "l" 1 + 3 + (N "1" 2 + 1) + (BOOL 1 + 1) = 9
    expect(itemSize({ l: { L: [N("1"), { BOOL: true }] } })).toBe(9);
    // "z" 1 + NULL 1 = 2
    expect(itemSize({ z: { NULL: true } })).toBe(2);
  });

  it("sizes a document client's unmarshalled answer as the item DynamoDB holds", () => {
    const plain = { pk: "D#1", n: 123, m: { a: "xy" }, l: [1, true] };
    // marshalled again: the same 9 + ("m" 8) + ("l" 9) bytes as the cases above
    expect(asItem(plain)).toEqual({
      pk: S("D#1"),
      n: N("123"),
      m: { M: { a: S("xy") } },
      l: { L: [N("1"), { BOOL: true }] },
    });
    expect(itemSize(asItem(plain))).toBe(26);
    expect(asItem({ pk: S("D#1") })).toEqual({ pk: S("D#1") }); // already marshalled: as it is
  });

  it("builds padded items of the size asked (the helper the cases below use)", () => {
    // Counted by hand: "pk" 2 + "D#1" 3 + "sk" 2 + "DOSSIER" 7 = 14; "p" 1 + the padding.
    const item = sized(1500);
    expect((item.p as { S: string }).S.length).toBe(1500 - 14 - 1);
    expect(itemSize(item)).toBe(1500);
  });
});

describe("units per request (read-write-operations.html)", () => {
  it("bills writes per started KB, at least one", () => {
    expect([writeUnitsOf(0), writeUnitsOf(1024), writeUnitsOf(1025), writeUnitsOf(3000)]).toEqual([
      1, 1, 2, 3,
    ]);
  });

  it("bills reads per started 4 KB: half when eventually consistent, double in a transaction", () => {
    expect(readUnitsOf(4096, "strong")).toBe(1);
    expect(readUnitsOf(4097, "strong")).toBe(2);
    expect(readUnitsOf(5000, "eventual")).toBe(1); // 2 × 4 KB started, halved
    expect(readUnitsOf(100, "transactional")).toBe(2);
    expect(readUnitsOf(0, "eventual")).toBe(0.5); // a read that finds nothing: the minimum
  });
});

describe("writes, item by item", () => {
  it("bills two small updates in a transaction 4 units, where DynamoDB Local reports 2", () => {
    const a = committedWrite(
      shape,
      { pk: S("K#q"), sk: S("U#1"), n: N("1") },
      { pk: S("K#q"), sk: S("U#1"), n: N("2") },
      true,
    );
    const b = committedWrite(shape, undefined, { pk: S("K#q"), sk: S("U#2"), n: N("1") }, true);
    expect(a.table + b.table).toBe(4); // 2 items × 1 KB × 2 (prepare and commit)
    expect(a.indexes).toEqual({ bySweep: 0, bySla: 0 }); // counters carry no index keys
  });

  it("bills the larger of the item before and after", () => {
    // 3,000 bytes before, 500 after: 3 KB started → 3 units standard, 6 in a transaction
    expect(committedWrite(shape, sized(3000), sized(500), false).table).toBe(3);
    expect(committedWrite(shape, sized(500), sized(3000), true).table).toBe(6);
  });

  it("adds a write to each index an item enters, sized by its entry there", () => {
    const open = sized(1500, {
      slaKey: S("u1#overdue"),
      slaSort: N("1700000000000"),
      gsi1pk: S("CHECK#2"),
      nextCheckAt: N("1700000000000"),
    });
    const units = committedWrite(shape, undefined, open, true);
    // table: 1,500 bytes → 2 KB × 2 = 4; bySla projects ALL → the whole item, 2 units; bySweep
    // keys only: pk, sk, gsi1pk, nextCheckAt, well under 1 KB → 1 unit
    expect(units).toEqual({ table: 4, indexes: { bySla: 2, bySweep: 1 } });
  });

  it("bills two index writes when the index key changes, one when only a projected attribute does", () => {
    const before = sized(1500, { slaKey: S("u1#near_due"), slaSort: N("17") });
    const moved = sized(1500, { slaKey: S("u1#overdue"), slaSort: N("17") });
    // delete the old entry (1,500 bytes: 2) and put the new one (1,500 bytes: 2)
    expect(indexWriteUnits(shape, bySla, before, moved)).toBe(4);
    const changed = { ...before, version: N("2") }; // 1,500 + "version" 7 + 2 = 1,509 bytes
    expect(indexWriteUnits(shape, bySla, before, changed)).toBe(2);
    expect(indexWriteUnits(shape, bySla, before, before)).toBe(0); // nothing changed
    // keys only: a change outside the keys does not touch the entry
    const swept = { ...before, gsi1pk: S("CHECK#1"), nextCheckAt: N("5") };
    expect(indexWriteUnits(shape, bySweep, swept, { ...swept, version: N("2") })).toBe(0);
  });

  it("bills one index write when an item leaves the index", () => {
    const open = sized(1500, { slaKey: S("u1#overdue"), slaSort: N("17") });
    const { slaKey: _k, slaSort: _s, ...closed } = open;
    expect(indexWriteUnits(shape, bySla, open, closed)).toBe(2); // the old entry, 1,500 bytes
  });

  it("bills refused writes on the item as it stands or as it was to be put", () => {
    expect(refusedWrite(sized(3000), sized(500), true)).toBe(6); // 3 KB × 2
    expect(refusedWrite(undefined, sized(500), true)).toBe(2); // 1 KB × 2
    expect(refusedWrite(sized(2000), undefined, false)).toBe(2); // a failed condition: 2 KB
  });

  it("reads a batch's items one by one and a transaction's actions", () => {
    const input = {
      RequestItems: {
        t: [
          { PutRequest: { Item: sized(100) } },
          { DeleteRequest: { Key: { pk: S("D#2"), sk: S("DOSSIER") } } },
        ],
      },
    };
    expect(writeActions(shape, "BatchWriteItemCommand", input).map((a) => [a.kind, a.key.pk?.S])).toEqual([
      ["put", "D#1"],
      ["delete", "D#2"],
    ]);
    const tx = { TransactItems: [{ Update: { TableName: "t", Key: { pk: S("K#q"), sk: S("U#1") } } }] };
    expect(writeActions(shape, "TransactWriteItemsCommand", tx)).toEqual([
      { table: "t", key: { pk: S("K#q"), sk: S("U#1") }, kind: "update" },
    ]);
  });
});

/** A client whose requests are answered by `answer` (operation, body), never sent anywhere. */
function fakeClient(
  answer: (op: string, body: Record<string, unknown>) => { status: number; body: unknown },
) {
  const seen: string[] = [];
  const client = new DynamoDBClient({
    region: "ap-southeast-1",
    endpoint: "http://fake.invalid",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { headers: Record<string, string>; body: string | Uint8Array }) => {
        const op = (request.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
        seen.push(op);
        const text =
          typeof request.body === "string" ? request.body : Buffer.from(request.body).toString("utf8");
        const out = answer(op, JSON.parse(text));
        return {
          response: {
            statusCode: out.status,
            headers: { "content-type": "application/x-amz-json-1.0" },
            body: Buffer.from(JSON.stringify(out.body)),
          },
        };
      },
    } as never,
  });
  return { client, seen };
}

describe("billed(): the middleware on a client", () => {
  const counter = (sk: string, n: string) => ({ pk: S("K#q"), sk: S(sk), n: N(n) });
  const tx = new TransactWriteItemsCommand({
    TransactItems: [
      { Update: { TableName: "t", Key: { pk: S("K#q"), sk: S("U#1") }, UpdateExpression: "ADD n :one" } },
      { Update: { TableName: "t", Key: { pk: S("K#q"), sk: S("U#2") }, UpdateExpression: "ADD n :one" } },
    ],
  });

  it("bills a committed transaction of two updates 4 units, reading the items on the side", async () => {
    const side = fakeClient((op) =>
      op === "BatchGetItem"
        ? { status: 200, body: { Responses: { t: [counter("U#1", "1"), counter("U#2", "1")] } } }
        : { status: 500, body: {} },
    );
    const main = fakeClient(() => ({
      status: 200,
      body: { ConsumedCapacity: [{ TableName: "t", CapacityUnits: 2 }] },
    }));
    const bill = billed(main.client, shape, side.client);
    await main.client.send(tx);
    expect(writeUnitsTotal(bill)).toBe(4);
    expect(bill.localReportedWriteUnits).toBe(2);
    expect(bill.requests).toEqual({ TransactWriteItemsCommand: 1 });
    expect(side.seen).toEqual(["BatchGetItem", "BatchGetItem"]); // before, then after the update
  });

  it("bills a cancelled transaction too, and lets its error through", async () => {
    const side = fakeClient(() => ({ status: 200, body: { Responses: { t: [counter("U#1", "7")] } } }));
    const main = fakeClient(() => ({
      status: 400,
      body: {
        __type: "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        message: "Transaction cancelled",
        CancellationReasons: [{ Code: "ConditionalCheckFailed" }, { Code: "None" }],
      },
    }));
    const bill = billed(main.client, shape, side.client);
    await expect(main.client.send(tx)).rejects.toMatchObject({ name: "TransactionCanceledException" });
    // two items, each under 1 KB, transactional: 2 + 2 (U#2 does not exist: billed as the minimum)
    expect(bill.refusedWriteUnits).toBe(4);
    expect(writeUnitsTotal(bill)).toBe(4);
    expect(bill.refused).toEqual({ TransactWriteItemsCommand: 1 });
  });
});
