/**
 * Batch requests when DynamoDB leaves part of them unprocessed (it throttled them), on DynamoDB
 * Local with its answers made partial: sent again until all of it is written and read, at most as
 * often as the retry says, then a failure naming what is left; and the pool that sends them
 * several at a time.
 */
import { describe, expect, it } from "vitest";
import { UnprocessedError } from "../../lib/adapters/dynamodb/backoff";
import { BulkWriter } from "../../lib/adapters/dynamodb/bulk";
import { pool } from "../../lib/adapters/dynamodb/cursors";
import { tableStore } from "../../lib/adapters/dynamodb/store";
import { testTable } from "../helpers/dynamo";

type Table = Awaited<ReturnType<typeof testTable>>;

describe("DynamoDB leaving part of a batch request unprocessed (throttled)", () => {
  /**
   * Batch requests through `table`'s client answered as throttled DynamoDB answers them: only the
   * first item (or key) of each of the first `partial` requests processed, the rest handed back
   * unprocessed; every request after that processed whole. Counts the requests of each kind.
   */
  function throttleBatches(table: Table, partial: number) {
    const sent = { BatchWriteItemCommand: 0, BatchGetItemCommand: 0 };
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName as keyof typeof sent;
        if (!(name in sent)) return next(args);
        sent[name]++;
        if (sent[name] > partial) return next(args);
        const input = args.input as { RequestItems: Record<string, unknown[] | { Keys: unknown[] }> };
        const [[tableName, request]] = Object.entries(input.RequestItems) as [[string, never]];
        const list: unknown[] =
          name === "BatchGetItemCommand" ? (request as { Keys: unknown[] }).Keys : request;
        const [first, ...rest] = list;
        const only = name === "BatchGetItemCommand" ? { ...(request as object), Keys: [first] } : [first];
        const out = (await next({
          ...args,
          input: { ...input, RequestItems: { [tableName]: only } },
        })) as unknown as { output: Record<string, unknown> };
        out.output[name === "BatchGetItemCommand" ? "UnprocessedKeys" : "UnprocessedItems"] = {
          [tableName]: name === "BatchGetItemCommand" ? { ...(request as object), Keys: rest } : rest,
        };
        return out as never;
      },
      { step: "initialize", priority: "low", name: "throttleBatches" },
    );
    return sent;
  }

  const records = Array.from({ length: 5 }, (_, i) => ({
    dossierId: `throttled-${i}`,
    version: 1,
    received: true,
  }));
  const noPause = { attempts: 3, pause: () => Promise.resolve() };

  it("sends again what is left until all of it is written and read", async () => {
    const table = await testTable("unprocessed");
    const store = tableStore(table.doc, table.tableName, noPause);
    const sent = throttleBatches(table, 2);
    await store.dossiers.seed(records);
    const read = await store.dossiers.versionsOf(records.map((r) => r.dossierId));
    expect(sent).toEqual({ BatchWriteItemCommand: 3, BatchGetItemCommand: 3 });
    expect([...read.values()]).toEqual([1, 1, 1, 1, 1]);
    // The import's check of which dossiers exist, three requests of 100 keys at once, reads them
    // all too (its first two requests answered in part).
    sent.BatchGetItemCommand = 0;
    const bulk = new BulkWriter(table.doc, table.tableName, noPause);
    const ids = [...records.map((r) => r.dossierId), ...Array.from({ length: 250 }, (_, i) => `none-${i}`)];
    expect([...(await bulk.existing(ids))].sort()).toEqual(records.map((r) => r.dossierId));
    expect(sent.BatchGetItemCommand).toBe(5);
    await table.drop();
  });

  it("gives up after the retry's last request, naming what is left, instead of trying until the timeout", async () => {
    const table = await testTable("unprocessed-for-good");
    const store = tableStore(table.doc, table.tableName, noPause);
    const sent = throttleBatches(table, Number.POSITIVE_INFINITY);
    await expect(store.dossiers.seed(records)).rejects.toThrow(
      new UnprocessedError("DynamoDB left 2 of 5 writes unprocessed after 3 requests"),
    );
    await expect(store.dossiers.versionsOf(records.map((r) => r.dossierId))).rejects.toThrow(
      "DynamoDB left 2 of 5 keys to read unprocessed after 3 requests",
    );
    expect(sent).toEqual({ BatchWriteItemCommand: 3, BatchGetItemCommand: 3 });
    await table.drop();
  });
});

describe("a pool of batch requests", () => {
  it("starts no item once one failed, and throws once those in flight are done", async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((r) => {
      open = r;
    });
    const started: number[] = [];
    const finished: number[] = [];
    const run = pool([0, 1, 2, 3, 4, 5], 3, async (i) => {
      started.push(i);
      if (i === 1) throw new Error("injected");
      await gate;
      finished.push(i);
    });
    const outcome = run.then(
      () => "resolved",
      (e: Error) => `${e.message} once ${finished.length} had finished`,
    );
    open();
    expect(await outcome).toBe("injected once 2 had finished");
    expect(started).toEqual([0, 1, 2]);
  });
});
