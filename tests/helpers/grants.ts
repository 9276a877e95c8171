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
  "sweep-deadlines": [
    "dynamodb:BatchWriteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
  ],
};

/**
 * The grants the CDK stack limits to some partitions (IAM's `dynamodb:LeadingKeys`), which is
 * every grant on the table's items (a query of an index is granted on the index alone): by function,
 * action, and the partitions allowed (a trailing `*`: any partition with that prefix). tests/infra/stacks.test.ts checks the stack's conditions are
 * these, and tests/e2e/local-stack.test.ts that what each function touched on the local stack is
 * within them (the authorizer runs in the local API server, so the first test alone holds it).
 */
export const DYNAMO_PARTITIONS: Record<string, Record<string, string[]>> = {
  "apply-events": {
    "dynamodb:BatchGetItem": ["D#*"],
    "dynamodb:GetItem": ["D#*"],
    "dynamodb:PutItem": ["D#*", "Q"],
    "dynamodb:Query": ["D#*", "UNIT"],
    "dynamodb:UpdateItem": ["K#*"],
  },
  authorizer: { "dynamodb:GetItem": ["KEY"] },
  "ingest-api": {
    "dynamodb:BatchGetItem": ["D#*"],
    "dynamodb:GetItem": ["KEY"],
    "dynamodb:Query": ["UNIT"],
    "dynamodb:UpdateItem": ["RATE"],
  },
  "kpi-report": {
    "dynamodb:BatchGetItem": ["D#*", "K#*"],
    "dynamodb:DeleteItem": ["WEEKLY#*"],
    "dynamodb:GetItem": ["P#*"],
    "dynamodb:PutItem": ["P#*", "WEEKLY#*"],
    "dynamodb:Query": ["K#*", "P#*", "Q", "SUPPRESSED", "UNIT"],
  },
  "query-api": {
    "dynamodb:BatchGetItem": ["D#*", "K#*"],
    "dynamodb:GetItem": ["KEY", "P#*"],
    "dynamodb:Query": ["D#*", "K#*", "P#*", "Q", "UNIT"],
    "dynamodb:UpdateItem": ["RATE"],
  },
  "send-alerts": {
    "dynamodb:BatchWriteItem": ["ALERTQ"],
    "dynamodb:DeleteItem": ["DIGESTLANG", "LEASE"],
    "dynamodb:PutItem": ["DIGEST#*", "LEASE"],
    "dynamodb:Query": ["ALERTQ", "DIGESTLANG", "SUPPRESSED", "UNIT"],
    "dynamodb:UpdateItem": ["D#*", "DIGESTLANG"],
  },
  "ses-feedback": { "dynamodb:PutItem": ["SUPPRESSED"] },
  "sweep-deadlines": {
    "dynamodb:BatchWriteItem": ["ALERTQ"],
    "dynamodb:GetItem": ["D#*"],
    "dynamodb:PutItem": ["ALERTQ", "D#*"],
    "dynamodb:Query": ["ALERTQ", "D#*", "UNIT"],
    "dynamodb:UpdateItem": ["D#*", "K#*"],
  },
};

/**
 * The grants the CDK stack limits to some attributes too (IAM's `dynamodb:Attributes`): by
 * function, action and partition, the attributes a request may name (the key's included). Where a
 * function's items share a partition with items it must not rewrite (send-alerts stamps a sent
 * alert beside the dossier's own item), the partition alone would not hold it. Checked as
 * {@link DYNAMO_PARTITIONS} is, by both tests.
 */
export const DYNAMO_ATTRIBUTES: Record<string, Record<string, Record<string, string[]>>> = {
  "send-alerts": {
    "dynamodb:UpdateItem": {
      "D#*": ["deskSentAt", "leadershipSentAt", "pk", "sentAt", "sk"],
      DIGESTLANG: ["alerts", "expiresAt", "pk", "sentAt", "sk"],
    },
  },
};
