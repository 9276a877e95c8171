/**
 * The consumer section's requests, kept while the consumer runs and sent again: its writes (the
 * floor replays them), and what it asks beyond them (reads, refused writes), each kind's cost to
 * DynamoDB Local measured by its CPU time (./jvm.ts).
 */
import {
  BatchGetItemCommand,
  type BatchGetItemCommandInput,
  DeleteTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from "@aws-sdk/client-dynamodb";
import { cpuWhile } from "./jvm";

export type Write = {
  command: "TransactWriteItemsCommand" | "PutItemCommand";
  input: Record<string, unknown>;
};

/** `send` for each of `items` in order, `inFlight` at a time. */
async function inLanes<T>(items: readonly T[], inFlight: number, send: (item: T) => Promise<unknown>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await send(item);
    }),
  );
}

/** Sends `writes` as they are, `inFlight` at a time, a refusal counted and not thrown. */
export async function sendAll(client: DynamoDBClient, writes: Write[], inFlight: number): Promise<number> {
  let refused = 0;
  await inLanes(writes, inFlight, (w) =>
    (w.command === "PutItemCommand"
      ? client.send(new PutItemCommand(w.input as unknown as PutItemCommandInput))
      : client.send(new TransactWriteItemsCommand(w.input as unknown as TransactWriteItemsCommandInput))
    ).catch(() => refused++),
  );
  return refused;
}

/** The read requests the consumer makes (ffeaa5f's read a dossier with a Query, this tree's a batch's with BatchGetItem). */
export const READS = {
  GetItemCommand: (input: unknown) => new GetItemCommand(input as GetItemCommandInput),
  QueryCommand: (input: unknown) => new QueryCommand(input as QueryCommandInput),
  BatchGetItemCommand: (input: unknown) => new BatchGetItemCommand(input as BatchGetItemCommandInput),
} as const;
export type ReadCommand = keyof typeof READS;

/**
 * A pass's table deleted once measured: DynamoDB Local keeps every table in its memory, and a run
 * timed against a fuller heap than the one before it would not be a repeat of it.
 */
export async function drop(table: { client: DynamoDBClient; tableName: string }): Promise<void> {
  await table.client.send(new DeleteTableCommand({ TableName: table.tableName }));
}

/** The consumer's requests that the floor does not make, kept during a pass to be replayed. */
export interface Extra {
  refused: Write[];
  /**
   * Each read, and whether it read versions only (this tree's checks before a group's write: a
   * BatchGetItem with a projection).
   */
  reads: { command: ReadCommand; input: Record<string, unknown>; versionsOnly: boolean }[];
}

/**
 * DynamoDB Local's CPU seconds for each kind of request the consumer makes beyond its writes,
 * each kind sent again, 16 at a time, against the table the consumer left: its refused writes
 * (refused again: the dossiers' versions have moved on), its dossier reads and its version checks.
 */
export async function extraCpu(client: DynamoDBClient, extra: Extra, cpu: () => number) {
  const read = (versionsOnly: boolean) =>
    cpuWhile(cpu, () =>
      inLanes(
        extra.reads.filter((r) => r.versionsOnly === versionsOnly),
        16,
        (r) => client.send(READS[r.command](r.input) as BatchGetItemCommand),
      ),
    );
  // How many are refused again is said beside the figure: one that now succeeds (refused by a
  // transaction conflict, not a condition) costs what a write costs, not a refusal.
  let refusedAgain = 0;
  const refusedWrites = await cpuWhile(cpu, async () => {
    refusedAgain = await sendAll(client, extra.refused, 16);
  });
  return {
    refusedWrites,
    dossierReads: await read(false),
    versionChecks: await read(true),
    refusedAgain,
  };
}
