import { Duration } from "aws-cdk-lib";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { QUARANTINE_PK } from "../lib/adapters/dynamodb/keys";
import { CONSUMER_TUNING } from "./consumer-tuning";
import { allow, type FunctionSet, onlyPartitions, PARTITIONS } from "./functions";
import type { ProjectFunction } from "./project-function";

/** apply-events' timeout: the queue's visibility timeout is six times it (infra/stateful-stack.ts). */
export const CONSUMER_TIMEOUT = Duration.seconds(30);

/** The consumer: bus rule → queue (DLQ after 5 receives) → apply-events, partial batch failures. */
export function buildConsumer(
  functions: FunctionSet,
  props: { tableArn: string; eventsQueue: sqs.IQueue },
): ProjectFunction {
  const apply = functions.make(
    "apply-events",
    "Applies dossier events to DynamoDB exactly once",
    {},
    CONSUMER_TIMEOUT,
    CONSUMER_TUNING.memoryMb,
  );
  // Query: a dossier and its log, the unit directory. The function takes what integrations put on
  // the bus, so what it reads and writes is kept to its own items (IAM's dynamodb:LeadingKeys): it
  // could not mint an API key, rewrite the directory, or read the keys' hashes.
  allow(
    apply,
    ["dynamodb:Query"],
    [props.tableArn],
    onlyPartitions(PARTITIONS.dossiers, PARTITIONS.directory),
  );
  // BatchGetItem: the batch's dossiers, and their versions just before a group is written;
  // GetItem: a dossier, or one stored event (duplicate or conflict).
  allow(
    apply,
    ["dynamodb:BatchGetItem", "dynamodb:GetItem"],
    [props.tableArn],
    onlyPartitions(PARTITIONS.dossiers),
  );
  // PutItem: dossiers and quarantine records; UpdateItem: the counters a transaction moves.
  allow(apply, ["dynamodb:PutItem"], [props.tableArn], onlyPartitions(PARTITIONS.dossiers, QUARANTINE_PK));
  allow(apply, ["dynamodb:UpdateItem"], [props.tableArn], onlyPartitions(PARTITIONS.counters));
  apply.fn.addEventSource(
    new SqsEventSource(props.eventsQueue, {
      // Measured: infra/consumer-tuning.ts says what, and which bench section measures it.
      batchSize: CONSUMER_TUNING.batchSize,
      ...(CONSUMER_TUNING.maxBatchingWindowSeconds > 0
        ? { maxBatchingWindow: Duration.seconds(CONSUMER_TUNING.maxBatchingWindowSeconds) }
        : {}),
      reportBatchItemFailures: true,
      maxConcurrency: CONSUMER_TUNING.maxConcurrency,
    }),
  );
  return apply;
}
