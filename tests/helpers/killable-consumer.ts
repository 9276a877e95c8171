/**
 * An apply-events execution environment in a process of its own, for the test that kills one half
 * way through a batch. Reads SQS records (JSON) from stdin, runs the real handler on them in
 * batches of 10 against DynamoDB Local (DYNAMO_ENDPOINT, TABLE_NAME), and prints `commit` after
 * every transaction DynamoDB answered, so the test knows where it is when it sends SIGKILL.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { SQSRecord } from "aws-lambda";
import { documentClient, localDynamoClient } from "../../lib/local/dynamodb-local";
import { DossierStore } from "../../lib/store/repository";
import { FAULT_NOW, faultSettings, seedDirectory } from "./faults";

const endpoint = process.env.DYNAMO_ENDPOINT as string;
const tableName = process.env.TABLE_NAME as string;
const client = localDynamoClient(endpoint);
client.middlewareStack.add(
  (next, context) => async (args) => {
    const out = await next(args);
    if (context.commandName === "TransactWriteItemsCommand") process.stdout.write("commit\n");
    return out;
  },
  { step: "initialize", name: "announceCommits" },
);

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const records = JSON.parse(Buffer.concat(chunks).toString("utf8")) as SQSRecord[];

const { createHandler } = await import("../../functions/apply-events");
const handler = createHandler(
  {
    store: new DossierStore(documentClient(client), tableName),
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
