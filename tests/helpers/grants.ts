/**
 * The DynamoDB actions the CDK stack grants each function (infra/), in one list for the two tests
 * that hold it: tests/infra/stacks.test.ts checks the synthesized stack grants exactly these, and
 * tests/e2e/local-stack.test.ts that what each function sent on the local stack needed no other.
 * A change here is a change of what a function may do: review it with the code that needs it.
 */
export const DYNAMO_GRANTS: Record<string, string[]> = {
  "apply-events": [
    "dynamodb:BatchGetItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
  ],
  authorizer: ["dynamodb:GetItem"],
  "ingest-api": ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"],
  "kpi-report": [
    "dynamodb:BatchGetItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
  ],
  "query-api": ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"],
  "send-alerts": [
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
  ],
  "ses-feedback": ["dynamodb:PutItem"],
  "sweep-deadlines": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
};

/**
 * The grants the CDK stack limits to some partitions (IAM's `dynamodb:LeadingKeys`): by function,
 * action, and the partitions allowed (a trailing `*`: any partition with that prefix). tests/infra/stacks.test.ts checks the stack's conditions are
 * these, and tests/e2e/local-stack.test.ts that what each function touched on the local stack is
 * within them (the authorizer runs in the local API server, so the first test alone holds it).
 */
export const DYNAMO_PARTITIONS: Record<string, Record<string, string[]>> = {
  authorizer: { "dynamodb:GetItem": ["KEY"] },
  "ingest-api": { "dynamodb:UpdateItem": ["RATE"] },
  "query-api": { "dynamodb:UpdateItem": ["RATE"] },
  "kpi-report": { "dynamodb:DeleteItem": ["WEEKLY#*"] },
  "send-alerts": { "dynamodb:BatchWriteItem": ["ALERTQ"], "dynamodb:DeleteItem": ["LEASE"] },
  "ses-feedback": { "dynamodb:PutItem": ["SUPPRESSED"] },
};
