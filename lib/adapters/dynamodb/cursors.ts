import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";
import type { InvalidCursor } from "../../app/ports";
import { err, ok, type Result } from "../../domain/result";
import { UNPROCESSED_RETRY, type UnprocessedRetry, untilProcessed } from "./backoff";
import type { Item, Key } from "./keys";

/**
 * What every access-pattern file reads and writes through: a query's pages (all of them, or one
 * from an opaque cursor the previous page handed out), batch reads and writes with what DynamoDB
 * leaves unprocessed sent again (./backoff.ts), and leases.
 */

type WriteRequest = NonNullable<BatchWriteCommandInput["RequestItems"]>[string][number];

/** `items` in consecutive slices of `size` (DynamoDB's bound on one request's items). */
export const chunksOf = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * Runs `work` over `items`, `concurrency` at a time. Once one fails, no other item is started; what
 * is in flight finishes, and then the first failure is thrown (a caller that goes on, or destroys
 * its client, has nothing of the pool still sending).
 */
export async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const failures: unknown[] = [];
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (!failures.length && next < items.length)
        await work(items[next++] as T).catch((e: unknown) => {
          failures.push(e);
        });
    }),
  );
  if (failures.length) throw failures[0];
}

/** The key a listing stopped at, as an opaque cursor for the next page. */
const encodeCursor = (key: Record<string, unknown> | undefined) =>
  key ? Buffer.from(JSON.stringify(key)).toString("base64url") : undefined;

function decodeCursor(
  cursor: string | undefined,
): Result<Record<string, unknown> | undefined, InvalidCursor> {
  if (cursor === undefined) return ok(undefined);
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    const scalar = (v: unknown) => typeof v === "string" || typeof v === "number";
    if (typeof key === "object" && key !== null && !Array.isArray(key) && Object.values(key).every(scalar))
      return ok(key);
  } catch {}
  return err({ kind: "invalid_cursor", message: "not a cursor this API handed out" });
}

/** The table one access pattern reads and writes, with the client it goes through. */
export class TableAccess {
  constructor(
    readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
    /** How batch requests send again what DynamoDB left unprocessed (tests pass no pause). */
    protected readonly unprocessed: UnprocessedRetry = UNPROCESSED_RETRY,
  ) {}

  /** Every page of a query, or the first `max` items when given. */
  protected async queryAll(input: Omit<QueryCommandInput, "TableName">, max = Number.POSITIVE_INFINITY) {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start && items.length < max);
    return items;
  }

  /**
   * A query read up to `atMost` items (or counted so, with `Select: "COUNT"`): what it read, how many,
   * and whether more were left unread (DynamoDB may say so when exactly `atMost` remain).
   */
  protected async queryUpTo(
    input: Omit<QueryCommandInput, "TableName" | "Limit" | "ExclusiveStartKey">,
    atMost: number,
  ): Promise<{ items: Item[]; count: number; more: boolean }> {
    const items: Item[] = [];
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          ...input,
          TableName: this.tableName,
          Limit: atMost - count,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []));
      count += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start && count < atMost);
    return { items, count, more: start !== undefined };
  }

  /**
   * Items by key (`projection` of each, or whole), 100 keys a request, `concurrency` requests at a
   * time, each sent again with what DynamoDB left unprocessed (see `unprocessed`); `consistent` for
   * strongly consistent reads.
   */
  protected async batchGet(
    keys: readonly Record<string, unknown>[],
    projection?: string,
    consistent = false,
    concurrency = 1,
  ): Promise<Item[]> {
    const found: Item[] = [];
    await pool(chunksOf(keys, 100), concurrency, (chunk) =>
      untilProcessed(
        chunk,
        async (Keys) => {
          const out = await this.client.send(
            new BatchGetCommand({
              RequestItems: {
                [this.tableName]: {
                  Keys,
                  ...(projection && { ProjectionExpression: projection }),
                  ...(consistent && { ConsistentRead: true }),
                },
              },
            }),
          );
          found.push(...(out.Responses?.[this.tableName] ?? []));
          const left = out.UnprocessedKeys?.[this.tableName]?.Keys;
          return left?.length ? left : undefined;
        },
        this.unprocessed,
        (left) => `${left.length} of ${chunk.length} keys to read`,
      ),
    );
    return found;
  }

  /**
   * Writes in batches of 25 (the most one BatchWriteItem takes), `concurrency` batches at a time,
   * each sent again with what DynamoDB left unprocessed (throttled), as `unprocessed` says.
   */
  protected async writeBatches(requests: WriteRequest[], concurrency = 1): Promise<void> {
    await pool(chunksOf(requests, 25), concurrency, (batch) => this.writeBatch(batch));
  }

  /** One BatchWriteItem, and again what DynamoDB did not process, as `unprocessed` says. */
  protected async writeBatch(batch: WriteRequest[]): Promise<void> {
    if (!batch.length) return;
    await untilProcessed(
      batch,
      async (pending) => {
        const out = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
        );
        const left = out.UnprocessedItems?.[this.tableName] as WriteRequest[] | undefined;
        return left?.length ? left : undefined;
      },
      this.unprocessed,
      (left) => `${left.length} of ${batch.length} writes`,
    );
  }

  /**
   * Takes the lease at `key` for `owner` until `until` (epoch ms): `false` when another owner holds
   * it and its time has not run out.
   */
  protected takeLease(key: Key, owner: string, now: number, until: number): Promise<boolean> {
    return this.putLease(key, owner, until, {
      ConditionExpression: "attribute_not_exists(pk) OR #until < :now",
      ExpressionAttributeNames: { "#until": "until" },
      ExpressionAttributeValues: { ":now": now },
    });
  }

  /**
   * Holds the lease at `key` for `owner` until `until`, if `owner` still holds it (or whoever holds
   * it, with `takeOver`): `false` when another owner has taken it.
   */
  protected renewLease(key: Key, owner: string, until: number, takeOver = false): Promise<boolean> {
    return this.putLease(
      key,
      owner,
      until,
      takeOver
        ? {}
        : {
            ConditionExpression: "#owner = :owner",
            ExpressionAttributeNames: { "#owner": "owner" },
            ExpressionAttributeValues: { ":owner": owner },
          },
    );
  }

  /** The lease item written under `condition`: `false` when the condition refused it. */
  private async putLease(
    key: Key,
    owner: string,
    until: number,
    condition: Pick<
      PutCommandInput,
      "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"
    >,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: { ...key, owner, until }, ...condition }),
      );
      return true;
    } catch (e) {
      if (conditionFailed(e)) return false;
      throw e;
    }
  }

  /** Gives the lease at `key` back, if `owner` still holds it. */
  protected async giveLeaseBack(key: Key, owner: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key,
          ConditionExpression: "#owner = :owner",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: { ":owner": owner },
        }),
      );
    } catch (e) {
      if (!conditionFailed(e)) throw e;
    }
  }

  /** One page of a query, from a cursor a previous page handed out. */
  protected async page(
    input: Omit<QueryCommandInput, "TableName">,
    options: { limit?: number; cursor?: string },
  ): Promise<Result<{ items: Item[]; cursor?: string }, InvalidCursor>> {
    const decoded = decodeCursor(options.cursor);
    if (!decoded.ok) return decoded;
    const start = decoded.value;
    try {
      const out = await this.client.send(
        new QueryCommand({
          ...input,
          TableName: this.tableName,
          Limit: options.limit ?? 50,
          ExclusiveStartKey: start,
        }),
      );
      return ok({ items: out.Items ?? [], cursor: encodeCursor(out.LastEvaluatedKey) });
    } catch (e) {
      // DynamoDB refuses a start key outside the query's partition: a cursor of another listing.
      if (start && (e as Error).name === "ValidationException")
        return err({ kind: "invalid_cursor", message: "a cursor of another listing" });
      throw e;
    }
  }
}

/** Whether a conditional write failed its condition (an expected outcome, answered as a value). */
export const conditionFailed = (e: unknown) => (e as Error).name === "ConditionalCheckFailedException";
