import { Duration } from "aws-cdk-lib";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { CONSUMER_TUNING } from "./consumer-tuning";
import { allow, type FunctionSet } from "./functions";
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
  // BatchGetItem: the batch's dossiers, and their versions just before a group is written;
  // Query: a dossier and its log, the unit directory; GetItem: one stored event (duplicate or
  // conflict); Put/Update: the transaction's items and quarantine records.
  allow(
    apply,
    [
      "dynamodb:BatchGetItem",
      "dynamodb:Query",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
    ],
    [props.tableArn],
  );
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
