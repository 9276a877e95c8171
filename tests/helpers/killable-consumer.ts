/**
 * An apply-events execution environment in a process of its own, for the test that kills one half
 * way through a batch. Reads SQS records (JSON) from stdin, runs the real handler on them in
 * batches of 10 against DynamoDB Local (DYNAMO_ENDPOINT, TABLE_NAME), and prints `commit` after
 * every commit DynamoDB answered (a transaction, or a conditional put when no counter moves).
 *
 * PAUSE says where it stops for good, so the test kills it at a point it controls, never at a
 * moment it guesses: `after-commit:N` once DynamoDB has answered the Nth transaction (the answer is
 * never handed back to the handler), `before-commit:N` once N transactions were answered and
 * handed back, just before the next one is sent (a request in flight: nothing of it committed).
 * From then on every DynamoDB call of this process waits, so nothing else moves before the kill;
 * it prints `paused` and the test sends SIGKILL.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { SQSRecord } from "aws-lambda";
import { documentClient } from "../../dev/local/dynamodb-local";
import { tableStore } from "../../lib/adapters/dynamodb/store";
import { FAULT_NOW, faultSettings, seedDirectory } from "./faults";
import { pausePoint } from "./pause-point";

const { client, tableName, where, pauseAt, pause, isPaused } = pausePoint();
let answered = 0;
client.middlewareStack.add(
  (next, context) => async (args) => {
    if (isPaused()) return pause();
    // A commit is a transaction, or one conditional put when no counter moves.
    const commit =
      context.commandName === "TransactWriteItemsCommand" || context.commandName === "PutItemCommand";
    if (commit && where === "before-commit" && answered >= pauseAt) return pause();
    const out = await next(args);
    if (!commit) return out;
    process.stdout.write("commit\n");
    answered++;
    if (where === "after-commit" && answered === pauseAt) return pause();
    return isPaused() ? pause() : out;
  },
  { step: "initialize", name: "pauseForTheKill" },
);

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const records = JSON.parse(Buffer.concat(chunks).toString("utf8")) as SQSRecord[];

const { createHandler } = await import("../../functions/apply-events");
const handler = createHandler(
  {
    ...tableStore(documentClient(client), tableName),
    settings: faultSettings,
    units: seedDirectory(),
    now: () => FAULT_NOW,
  },
  new Logger({ logLevel: "SILENT" }),
  new Metrics({ namespace: "test" }),
);
for (let i = 0; i < records.length; i += 10) {
  await handler({ Records: records.slice(i, i + 10) }, {} as never);
}
process.stdout.write("done\n");
