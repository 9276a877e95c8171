/**
 * The import in a process of its own, for the test that kills it half way. Imports the import
 * fixture (./import-fixture.ts) into DynamoDB Local (DYNAMO_ENDPOINT, TABLE_NAME) as the test does,
 * and prints `batch` after every batch write and `commit` after every transaction DynamoDB answered.
 *
 * PAUSE says where it stops for good, so the test kills it at a point it controls, never at a
 * moment it guesses: `after-commit:N` once DynamoDB has answered the Nth transaction, `after-batch:N`
 * once it has answered the Nth batch write (neither answer is handed back). From then on every
 * DynamoDB call of this process waits, so nothing else moves before the kill; it prints `paused`
 * and the test sends SIGKILL.
 */
import { documentClient } from "../../dev/local/dynamodb-local";
import { BulkWriter } from "../../lib/adapters/dynamodb/bulk";
import { tableStore } from "../../lib/adapters/dynamodb/store";
import { importEvents } from "../../lib/app/import";
import { FAULT_NOW, faultSettings, seedDirectory } from "./faults";
import { asImport, importFixture } from "./import-fixture";
import { pausePoint } from "./pause-point";

const { client, tableName, where, pauseAt, pause, isPaused } = pausePoint();
const answered = { commit: 0, batch: 0 };
client.middlewareStack.add(
  (next, context) => async (args) => {
    if (isPaused()) return pause();
    const kind =
      context.commandName === "TransactWriteItemsCommand"
        ? "commit"
        : context.commandName === "BatchWriteItemCommand"
          ? "batch"
          : undefined;
    const out = await next(args);
    if (!kind) return isPaused() ? pause() : out;
    process.stdout.write(`${kind}\n`);
    answered[kind]++;
    if (`after-${kind}` === where && answered[kind] === pauseAt) return pause();
    return isPaused() ? pause() : out;
  },
  { step: "initialize", name: "pauseForTheKill" },
);

await importEvents(
  {
    ...tableStore(documentClient(client), tableName),
    bulk: new BulkWriter(documentClient(client), tableName),
    settings: faultSettings,
    units: seedDirectory(),
    now: () => FAULT_NOW,
  },
  asImport(importFixture()),
  // Small chunks: many transactions, so a kill after a few of them leaves most dossiers to do.
  { chunkDossiers: 40 },
);
process.stdout.write("done\n");
