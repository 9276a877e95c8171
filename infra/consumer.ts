import { Duration } from "aws-cdk-lib";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { allow, type FunctionSet } from "./functions";
import type { ProjectFunction } from "./project-function";

/** The consumer: bus rule → queue (DLQ after 5 receives) → apply-events, partial batch failures. */
export function buildConsumer(
  functions: FunctionSet,
  props: { tableArn: string; eventsQueue: sqs.IQueue },
): ProjectFunction {
  const apply = functions.make(
    "apply-events",
    "Applies dossier events to DynamoDB exactly once",
    {},
    Duration.seconds(30),
  );
  // Query: a dossier and its log, the unit directory; GetItem: one stored event (duplicate or
  // conflict); Put/Update: the transaction's items and quarantine records.
  allow(
    apply,
    ["dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
    [props.tableArn],
  );
  apply.fn.addEventSource(
    new SqsEventSource(props.eventsQueue, {
      batchSize: 10,
      reportBatchItemFailures: true,
      maxConcurrency: 16,
    }),
  );
  return apply;
}
