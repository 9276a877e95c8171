import { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { PARTITIONS } from "../../infra/functions";
import {
  ALERTS_PK,
  API_KEY_PK,
  LEASE_PK,
  QUARANTINE_PK,
  RATE_PK,
  SUPPRESSED_PK,
  WEEKLY_SEND_PK_PREFIX,
} from "../../lib/adapters/dynamodb/keys";
import { TABLE } from "../../lib/adapters/dynamodb/table";
import { ALERTS_PENDING, INGEST_SOURCE, SWEEP_SOURCE } from "../../lib/contracts/bus";
import { DYNAMO_ATTRIBUTES, DYNAMO_GRANTS, DYNAMO_PARTITIONS } from "../helpers/grants";
import {
  dynamoActionsByFunction,
  dynamoAttributesByFunction,
  dynamoPartitionsByFunction,
  statementsByFunction,
  synthStage,
} from "../helpers/infra";

/**
 * What each function of the stateless stack may do: the grants, held to tests/helpers/grants.ts
 * (which the local stack also holds what each function sent to). No function is bundled here: the
 * grants do not depend on the code's bundle (tests/infra/stacks.test.ts bundles it).
 */
let stateless: Template;
beforeAll(() => {
  stateless = Template.fromStack(synthStage(undefined, { bundle: false }).stateless);
}, 120_000);

describe("the stateless stack's grants", () => {
  it("grants DynamoDB on the table (and its sweep index) only, and SES on the identity only", () => {
    const policies = stateless.findResources("AWS::IAM::Policy");
    const statements = Object.values(policies).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    const dynamo = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith("dynamodb:")));
    expect(dynamo.length).toBeGreaterThanOrEqual(5);
    for (const s of dynamo) {
      expect(JSON.stringify(s.Resource)).toMatch(/TableArn|GlobalTable|Table/);
      expect(JSON.stringify(s.Resource)).not.toContain('"*"');
    }
    const sesGrant = statements.find((s) => [s.Action].flat().includes("ses:SendEmail"));
    expect(JSON.stringify(sesGrant?.Resource)).toContain("identity/ubnd.example.org");
    // Every email goes as simple content (lib/adapters/ses.ts): no function sends raw MIME.
    const sesActions = statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith("ses:"));
    expect(new Set(sesActions)).toEqual(new Set(["ses:SendEmail"]));
    const putEvents = statements.find((s) => [s.Action].flat().includes("events:PutEvents"));
    expect(JSON.stringify(putEvents?.Resource)).toContain("Bus");
    expect(statements.some((s) => s.Resource === "*")).toBe(false);
  });

  it("grants each function exactly the DynamoDB actions of tests/helpers/grants.ts", () => {
    // What each function's code sends is held against the same list on the local stack
    // (tests/e2e/local-stack.test.ts), so a grant cannot fall behind the code.
    expect(dynamoActionsByFunction(stateless)).toEqual(DYNAMO_GRANTS);
  });

  it("limits the grants of tests/helpers/grants.ts to their partitions, and each publisher and sender to its own name", () => {
    // The partitions are the key builders' (lib/adapters/dynamodb/keys.ts), which the adapters use.
    const { dossiers, counters, periods, digests, digestLanguages, directory } = PARTITIONS;
    expect(DYNAMO_PARTITIONS).toEqual({
      "apply-events": {
        "dynamodb:BatchGetItem": [dossiers],
        "dynamodb:GetItem": [dossiers],
        "dynamodb:PutItem": [dossiers, QUARANTINE_PK],
        "dynamodb:Query": [dossiers, directory],
        "dynamodb:UpdateItem": [counters],
      },
      authorizer: { "dynamodb:GetItem": [API_KEY_PK] },
      "ingest-api": {
        "dynamodb:BatchGetItem": [dossiers],
        "dynamodb:GetItem": [API_KEY_PK],
        "dynamodb:Query": [directory],
        "dynamodb:UpdateItem": [RATE_PK],
      },
      "kpi-report": {
        "dynamodb:BatchGetItem": [dossiers, counters],
        "dynamodb:DeleteItem": [`${WEEKLY_SEND_PK_PREFIX}*`],
        "dynamodb:GetItem": [periods],
        "dynamodb:PutItem": [periods, `${WEEKLY_SEND_PK_PREFIX}*`],
        "dynamodb:Query": [counters, periods, QUARANTINE_PK, SUPPRESSED_PK, directory],
      },
      "query-api": {
        "dynamodb:BatchGetItem": [dossiers, counters],
        "dynamodb:GetItem": [API_KEY_PK, periods],
        "dynamodb:Query": [dossiers, counters, periods, QUARANTINE_PK, directory],
        "dynamodb:UpdateItem": [RATE_PK],
      },
      "send-alerts": {
        "dynamodb:BatchWriteItem": [ALERTS_PK],
        "dynamodb:DeleteItem": [digestLanguages, LEASE_PK],
        "dynamodb:PutItem": [digests, LEASE_PK],
        "dynamodb:Query": [ALERTS_PK, digestLanguages, SUPPRESSED_PK, directory],
        "dynamodb:UpdateItem": [dossiers, digestLanguages],
      },
      "ses-feedback": { "dynamodb:PutItem": [SUPPRESSED_PK] },
      "sweep-deadlines": {
        "dynamodb:BatchWriteItem": [ALERTS_PK],
        "dynamodb:GetItem": [dossiers],
        "dynamodb:PutItem": [ALERTS_PK, dossiers],
        "dynamodb:Query": [ALERTS_PK, dossiers, directory],
        "dynamodb:UpdateItem": [dossiers, counters],
      },
    });
    // Every action on the table is limited so (a query of an index is granted on that index alone).
    // None of these functions may write an API key or the directory, and only the authorizer and
    // the APIs read the keys, each a key's own item.
    const unlimited = Object.entries(DYNAMO_GRANTS).flatMap(([fn, actions]) =>
      actions.filter((a) => !DYNAMO_PARTITIONS[fn]?.[a]).map((a) => `${fn} ${a}`),
    );
    expect(unlimited).toEqual([]);
    const onKeys = Object.entries(DYNAMO_PARTITIONS).flatMap(([fn, limits]) =>
      Object.entries(limits).flatMap(([action, pks]) =>
        pks.includes(API_KEY_PK) ? [`${fn} ${action}`] : [],
      ),
    );
    expect(onKeys.sort()).toEqual([
      "authorizer dynamodb:GetItem",
      "ingest-api dynamodb:GetItem",
      "query-api dynamodb:GetItem",
    ]);
    expect(dynamoPartitionsByFunction(stateless)).toEqual(DYNAMO_PARTITIONS);
    // Within a dossier's partition, send-alerts may set a sent alert's stamps only: not a dossier's
    // fields, nor the table's TTL attribute (an expiry set on a dossier would delete it).
    expect(dynamoAttributesByFunction(stateless)).toEqual(DYNAMO_ATTRIBUTES);
    expect(DYNAMO_ATTRIBUTES["send-alerts"]?.["dynamodb:UpdateItem"]?.[PARTITIONS.dossiers]).not.toContain(
      TABLE.ttlAttribute,
    );
    const statements = statementsByFunction(stateless);
    const conditionOf = (fn: string, action: string) =>
      (statements[fn] ?? []).filter((s) => [s.Action].flat().includes(action)).map((s) => s.Condition);
    // Only the bus's publishers put events, each under its own source (and the sweep its notice only).
    const publishers = Object.keys(statements).filter((fn) => conditionOf(fn, "events:PutEvents").length);
    expect(publishers.sort()).toEqual(["ingest-api", "sweep-deadlines"]);
    expect(conditionOf("ingest-api", "events:PutEvents")).toEqual([
      { StringEquals: { "events:source": INGEST_SOURCE } },
    ]);
    expect(conditionOf("sweep-deadlines", "events:PutEvents")).toEqual([
      { StringEquals: { "events:source": SWEEP_SOURCE, "events:detail-type": ALERTS_PENDING } },
    ]);
    // Email goes from the stage's sender address only.
    for (const fn of ["send-alerts", "kpi-report"])
      expect(conditionOf(fn, "ses:SendEmail")).toEqual([
        { StringEquals: { "ses:FromAddress": "canh-bao@ubnd.example.org" } },
      ]);
  });
});
