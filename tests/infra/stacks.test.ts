import { App, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { buildStage, main } from "../../infra/app";
import { parseStageConfig } from "../../infra/config";
import { INGEST_ROLE_TAG } from "../../infra/stateful-stack";
import { createTableInput, TABLE } from "../../lib/adapters/dynamodb/table";
import {
  ALERTS_PENDING_RULE,
  DOSSIER_EVENTS_RULE,
  INGEST_SOURCE,
  RULES,
  SES_FEEDBACK_RULE,
} from "../../lib/contracts/bus";
import { METRIC_NAMESPACE, METRICS } from "../../lib/contracts/metrics";
import { ROUTES } from "../../lib/contracts/routes";
import { SCHEDULE_TIME_ZONE, SCHEDULES } from "../../lib/contracts/schedules";
import { renderBusSchemas } from "../../lib/domain/events/json-schema";
import { DossierEventSchema } from "../../lib/domain/events/schema";
import { readProjectFile } from "../helpers/fixtures";

const config = parseStageConfig({
  stage: "test",
  senderAddress: "canh-bao@ubnd.example.org",
  sesIdentity: "ubnd.example.org",
  periodScheme: { kind: "reporting-window" },
});

function synthStage(extra?: (app: App, stacks: ReturnType<typeof buildStage>) => void) {
  const app = new App({ context: { "@aws-cdk/core:defaultCrossStackReferences": "strong" } });
  const stacks = buildStage(app, config);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  extra?.(app, stacks);
  app.synth();
  return { app, ...stacks };
}

const INFRA_SOURCES = [
  "infra/project-function.ts",
  "infra/stateful-stack.ts",
  "infra/stateless-stack.ts",
  "infra/http-api.ts",
  "infra/monitoring.ts",
];

/** The one resource of a type whose logical id starts with a prefix. */
function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids, `${type} ${prefix}*`).toHaveLength(1);
  return ids[0] as string;
}

/** Each function's DynamoDB actions (by the function's name), sorted. */
function dynamoActionsByFunction(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [id, policy] of Object.entries(stateless.findResources("AWS::IAM::Policy"))) {
    const fn = id.replace(/Role.*$/, "");
    const actions = (policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
      .flatMap((st) => [st.Action].flat())
      .filter((a) => a.startsWith("dynamodb:"));
    if (actions.length) out[fn] = [...new Set([...(out[fn] ?? []), ...actions])].sort();
  }
  // Logical ids drop the hyphens of the construct ids: map them back to the functions' names.
  const names = [
    "apply-events",
    "authorizer",
    "ingest-api",
    "kpi-report",
    "query-api",
    "send-alerts",
    "ses-feedback",
    "sweep-deadlines",
  ];
  return Object.fromEntries(
    Object.entries(out).map(([id, actions]) => [names.find((n) => n.replace("-", "") === id) ?? id, actions]),
  );
}

let stateful: Template;
let stateless: Template;
beforeAll(() => {
  const s = synthStage();
  stateful = Template.fromStack(s.stateful);
  stateless = Template.fromStack(s.stateless);
}, 120_000);

describe("the stateful stack", () => {
  it("builds the table from the repository's description, retained, with recovery and protection", () => {
    const local = createTableInput("x");
    stateful.hasResource("AWS::DynamoDB::GlobalTable", {
      DeletionPolicy: "Retain",
      Properties: Match.objectLike({
        KeySchema: local.KeySchema,
        AttributeDefinitions: Match.arrayWith(local.AttributeDefinitions.map((a) => Match.objectLike(a))),
        GlobalSecondaryIndexes: local.GlobalSecondaryIndexes.map((g) =>
          Match.objectLike({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection }),
        ),
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          }),
        ],
      }),
    });
  });

  it("routes dossier events to the consumer's queue with the pattern lib/contracts/bus.ts defines", () => {
    stateful.hasResourceProperties("AWS::Events::Rule", { EventPattern: DOSSIER_EVENTS_RULE.eventPattern });
    stateful.hasResourceProperties("AWS::SQS::Queue", {
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
    stateful.hasResourceProperties("AWS::Events::Archive", { RetentionDays: 365 });
  });

  it("gives the bus → queue target a retry policy and a dead-letter queue of its own, encrypted, TLS only", () => {
    const dlqId = logicalId(stateful, "AWS::SQS::Queue", "EventsRuleDlq");
    stateful.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: DOSSIER_EVENTS_RULE.eventPattern,
      Targets: [
        Match.objectLike({
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
          DeadLetterConfig: { Arn: { "Fn::GetAtt": [dlqId, "Arn"] } },
        }),
      ],
    });
    expect(stateful.toJSON().Resources[dlqId]).toMatchObject({
      DeletionPolicy: "Retain",
      Properties: { SqsManagedSseEnabled: true },
    });
    const policies = Object.values(stateful.findResources("AWS::SQS::QueuePolicy")).filter((p) =>
      JSON.stringify(p.Properties.Queues).includes(dlqId),
    );
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    // TLS only, and the bus may send to it only for this rule.
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Condition: { ArnEquals: { "aws:SourceArn": expect.anything() } },
      }),
    );
  });

  it("lets only the ingest-api role put events under the API's source", () => {
    stateful.hasResourceProperties("AWS::Events::EventBusPolicy", {
      Statement: Match.objectLike({
        Effect: "Deny",
        Action: "events:PutEvents",
        Condition: {
          StringEquals: { "events:source": INGEST_SOURCE },
          StringNotEquals: { [`aws:PrincipalTag/${INGEST_ROLE_TAG.key}`]: INGEST_ROLE_TAG.value },
        },
      }),
    });
    const tagged = Object.entries(stateless.findResources("AWS::IAM::Role")).filter(([, r]) =>
      JSON.stringify(r.Properties?.Tags ?? []).includes(INGEST_ROLE_TAG.value),
    );
    expect(tagged.map(([id]) => id)).toEqual([expect.stringMatching(/^ingestapi/i)]);
  });

  it("keeps an SES configuration set that suppresses bounces and complaints and reports them", () => {
    stateful.hasResourceProperties("AWS::SES::ConfigurationSet", {
      SuppressionOptions: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
    });
    stateful.hasResourceProperties("AWS::SES::ConfigurationSetEventDestination", {
      EventDestination: Match.objectLike({ MatchingEventTypes: ["bounce", "complaint"] }),
    });
  });

  it("registers one draft-4 schema per event type of the contract, rendered from the same zod", () => {
    const registryId = logicalId(stateful, "AWS::EventSchemas::Registry", "SchemaRegistry");
    const schemas = Object.values(stateful.findResources("AWS::EventSchemas::Schema")).map(
      (r) => r.Properties as { SchemaName: string; Type: string; Content: string; RegistryName: unknown },
    );
    const types = DossierEventSchema.options.map((o) => o.shape.type.value);
    expect(schemas.map((s) => s.SchemaName).sort()).toEqual([...types].sort());
    const rendered = renderBusSchemas();
    for (const schema of schemas) {
      expect(schema.Type).toBe("JSONSchemaDraft4");
      expect(schema.RegistryName).toEqual({ "Fn::GetAtt": [registryId, "RegistryName"] });
      expect(schema.Content).toBe(rendered[schema.SchemaName]);
      // The same shape as the committed 2020-12 schema of events/schemas/, only the dialect differs.
      const content = JSON.parse(schema.Content);
      const committed = JSON.parse(readProjectFile(`events/schemas/${schema.SchemaName}.schema.json`));
      expect(content.$schema).toBe("http://json-schema.org/draft-04/schema#");
      expect(content.title).toBe(committed.title);
      expect(content.required).toEqual(committed.required);
      expect(Object.keys(content.properties)).toEqual(Object.keys(committed.properties));
      expect(content.properties.type).toEqual({ type: "string", enum: [schema.SchemaName] });
    }
  });

  it("matches its snapshot (a backstop for unreviewed changes)", () => {
    expect(stateful.toJSON()).toMatchSnapshot();
  });
});

describe("the stateless stack", () => {
  it("builds every function one way: ARM64, Node.js 22, its own log group", () => {
    const fns = stateless.findResources("AWS::Lambda::Function");
    expect(Object.keys(fns)).toHaveLength(8);
    for (const fn of Object.values(fns)) {
      expect(fn.Properties).toMatchObject({
        Architectures: ["arm64"],
        Runtime: "nodejs22.x",
        LoggingConfig: expect.objectContaining({ LogGroup: expect.anything() }),
      });
    }
    stateless.resourceCountIs("AWS::Logs::LogGroup", 9);
    stateless.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 90 });
  });

  it("consumes the queue in batches of 10 with partial batch failures", () => {
    stateless.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
  });

  it("uses the same rule patterns as lib/contracts/bus.ts, and RULES holds every one of them", () => {
    stateless.hasResourceProperties("AWS::Events::Rule", { EventPattern: ALERTS_PENDING_RULE.eventPattern });
    stateless.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: SES_FEEDBACK_RULE.eventPattern,
      EventBusName: "default",
      Targets: [
        Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: Match.anyValue() }),
      ],
    });
    expect(RULES).toEqual([DOSSIER_EVENTS_RULE, ALERTS_PENDING_RULE, SES_FEEDBACK_RULE]);
  });

  it("schedules lib/contracts/schedules.ts in Asia/Ho_Chi_Minh with retries and a dead-letter queue", () => {
    for (const s of SCHEDULES) {
      stateless.hasResourceProperties("AWS::Scheduler::Schedule", {
        ScheduleExpression: s.expression,
        ScheduleExpressionTimezone: SCHEDULE_TIME_ZONE,
        ...(s.input ? { Target: Match.objectLike({ Input: JSON.stringify(s.input) }) } : {}),
        Target: Match.objectLike({
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
          DeadLetterConfig: Match.anyValue(),
        }),
      });
    }
  });

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
    const putEvents = statements.find((s) => [s.Action].flat().includes("events:PutEvents"));
    expect(JSON.stringify(putEvents?.Resource)).toContain("Bus");
    expect(statements.some((s) => s.Resource === "*")).toBe(false);
  });

  it("grants each function exactly the DynamoDB actions its code uses", () => {
    // A change here is a change of what a function may do: review it with the code that needs it.
    expect(dynamoActionsByFunction()).toEqual({
      "apply-events": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
      authorizer: ["dynamodb:GetItem"],
      "ingest-api": ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"],
      "kpi-report": ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
      "query-api": ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"],
      "send-alerts": ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Query"],
      "ses-feedback": ["dynamodb:PutItem"],
      "sweep-deadlines": ["dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
    });
  });

  it("creates exactly the routes of lib/contracts/routes.ts, each to the function it names", () => {
    const integrations = stateless.findResources("AWS::ApiGatewayV2::Integration");
    const functionOf = (integrationId: string) => {
      const uri = JSON.stringify(integrations[integrationId]?.Properties.IntegrationUri);
      return ["ingest-api", "query-api"].find((fn) => uri.includes(`"${fn.replace("-", "")}Function`));
    };
    const routes = Object.values(stateless.findResources("AWS::ApiGatewayV2::Route")).map((r) => {
      const target = r.Properties.Target["Fn::Join"][1][1].Ref as string;
      return `${r.Properties.RouteKey} -> ${functionOf(target)}`;
    });
    expect(routes.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path} -> ${r.fn}`).sort());
    // The route/role table travels with the API (its description), for whoever reads the console.
    const description = Object.values(stateless.findResources("AWS::ApiGatewayV2::Api"))[0]?.Properties
      .Description;
    for (const r of ROUTES) expect(description).toContain(`${r.method} ${r.path} ${r.role}`);
  });

  it("puts every keyed route behind the cached key authorizer, keyed on the key and the route", () => {
    const authorizerId = logicalId(stateless, "AWS::ApiGatewayV2::Authorizer", "ApiKeyAuthorizer");
    stateless.hasResourceProperties("AWS::ApiGatewayV2::Authorizer", {
      AuthorizerType: "REQUEST",
      AuthorizerPayloadFormatVersion: "2.0",
      EnableSimpleResponses: true,
      IdentitySource: ["$request.header.Authorization", "$context.routeKey"],
      AuthorizerResultTtlInSeconds: 300,
      AuthorizerUri: Match.objectLike({
        "Fn::Join": Match.arrayWith([
          Match.arrayWith([{ "Fn::GetAtt": [Match.stringLikeRegexp("^authorizerFunction"), "Arn"] }]),
        ]),
      }),
    });
    const routes = Object.values(stateless.findResources("AWS::ApiGatewayV2::Route"));
    expect(routes).toHaveLength(ROUTES.length);
    const open = new Set(ROUTES.filter((r) => r.role === "public").map((r) => `${r.method} ${r.path}`));
    for (const r of routes) {
      const auth = open.has(r.Properties.RouteKey)
        ? { AuthorizationType: "NONE" }
        : { AuthorizationType: "CUSTOM", AuthorizerId: { Ref: authorizerId } };
      expect(r.Properties, r.Properties.RouteKey).toMatchObject(auth);
    }
    // The authorizer reads a key's record and nothing else.
    const authorizerPolicy = Object.entries(stateless.findResources("AWS::IAM::Policy")).find(([id]) =>
      id.startsWith("authorizerRole"),
    )?.[1];
    const statements = authorizerPolicy?.Properties.PolicyDocument.Statement as {
      Action: unknown;
      Resource: unknown;
    }[];
    expect(statements.map((st) => st.Action)).toEqual([
      ["logs:CreateLogStream", "logs:PutLogEvents"],
      "dynamodb:GetItem",
    ]);
    expect(JSON.stringify(statements[1]?.Resource)).toMatch(/Table/);
  });

  it("throttles the stage, and reader routes lower than posting routes", () => {
    const stage = Object.values(stateless.findResources("AWS::ApiGatewayV2::Stage"))[0]?.Properties;
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
    expect(Object.keys(stage.RouteSettings).sort()).toEqual(
      ROUTES.map((r) => `${r.method} ${r.path}`).sort(),
    );
    for (const r of ROUTES) {
      const limit = stage.RouteSettings[`${r.method} ${r.path}`].ThrottlingRateLimit;
      if (r.role === "integration") expect(limit, r.path).toBe(100);
      else expect(limit, r.path).toBeLessThanOrEqual(r.role === "public" ? 5 : 20);
    }
  });

  it("logs the source IP, the authorizer's error and the key's name, never the key", () => {
    const stage = Object.values(stateless.findResources("AWS::ApiGatewayV2::Stage"))[0]?.Properties;
    const format = JSON.parse(stage.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      sourceIp: "$context.identity.sourceIp",
      authorizerError: "$context.authorizer.error",
      keyName: "$context.authorizer.name",
      status: "$context.status",
    });
    expect(stage.AccessLogSettings.Format).not.toMatch(/header|authorization\b|identity\.apiKey/i);
  });

  it("encrypts the alarm topic with its own rotated key, which CloudWatch alarms of this account may use", () => {
    const keyId = logicalId(stateless, "AWS::KMS::Key", "AlarmTopicKey");
    stateless.hasResourceProperties("AWS::KMS::Key", {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Condition: { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } },
          }),
        ]),
      },
    });
    stateless.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: { "Fn::GetAtt": [keyId, "Arn"] } });
    expect(JSON.stringify(stateless.toJSON())).not.toContain("alias/aws/sns");
    stateless.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
          }),
        ]),
      },
    });
    // Every alarm notifies that topic.
    const topicId = logicalId(stateless, "AWS::SNS::Topic", "Alarms");
    for (const [id, a] of Object.entries(stateless.findResources("AWS::CloudWatch::Alarm")))
      expect(a.Properties.AlarmActions, id).toEqual([{ Ref: topicId }]);
  });

  it("alarms on dead letters, failed deliveries, consumer errors, queue age, quarantine growth and the authorizer", () => {
    for (const metric of [
      "ApproximateNumberOfMessagesVisible",
      "Errors",
      "ApproximateAgeOfOldestMessage",
      METRICS.eventsQuarantined,
    ]) {
      stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: metric,
        AlarmActions: Match.anyValue(),
      });
    }
    // The rule's DLQ (in the stateful stack) and the rule's failed invocations, on the custom bus.
    stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [
        { Name: "QueueName", Value: { "Fn::ImportValue": Match.stringLikeRegexp("EventsRuleDlq") } },
      ],
    });
    for (const metric of ["FailedInvocations", "InvocationsFailedToBeSentToDlq"]) {
      stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/Events",
        MetricName: metric,
        Statistic: "Sum",
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        Dimensions: Match.arrayWith([
          { Name: "EventBusName", Value: Match.anyValue() },
          { Name: "RuleName", Value: { "Fn::ImportValue": Match.stringLikeRegexp("DossierEvents") } },
        ]),
      });
    }
    stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "Errors",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: Match.stringLikeRegexp("^authorizerFunction") } }],
    });
    stateless.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    const dashboard = JSON.stringify(stateless.findResources("AWS::CloudWatch::Dashboard"));
    for (const metric of [
      METRICS.eventsQuarantined,
      METRICS.sweepDossierFailed,
      "FailedInvocations",
      "ApproximateAgeOfOldestMessage",
      "ThrottledRequests",
      "TransactionConflict",
    ])
      expect(dashboard, metric).toContain(metric);
  });

  it("alarms as soon as the sweep could not check one dossier", () => {
    stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: METRIC_NAMESPACE,
      MetricName: METRICS.sweepDossierFailed,
      Dimensions: [{ Name: "service", Value: "sweep-deadlines" }],
      Statistic: "Sum",
      Period: 900,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Threshold: 1,
      AlarmActions: Match.anyValue(),
    });
  });

  it("alarms when the working-day calendar has data for 60 days or fewer", () => {
    stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: METRICS.calendarDaysLeft,
      Namespace: METRIC_NAMESPACE,
      Dimensions: [{ Name: "service", Value: "sweep-deadlines" }],
      ComparisonOperator: "LessThanOrEqualToThreshold",
      Threshold: 60,
      AlarmActions: Match.anyValue(),
    });
  });

  it("names the project's metrics through lib/contracts/metrics.ts only", () => {
    for (const file of INFRA_SOURCES) {
      const source = readProjectFile(file);
      for (const name of [METRIC_NAMESPACE, ...Object.values(METRICS)])
        expect(source, `${file}: "${name}"`).not.toContain(`"${name}"`);
    }
  });
});

describe("cdk-nag AwsSolutions", () => {
  it("fails the synth when a new unsuppressed finding appears", () => {
    expect(() =>
      synthStage((_app, { stateless: stack }) => {
        new sqs.Queue(stack, "CarelessQueue", { encryption: sqs.QueueEncryption.UNENCRYPTED });
      }),
    ).toThrow(/AwsSolutions-SQS/);
  }, 120_000);

  it("has a written reason for every acknowledgement", () => {
    const sources = INFRA_SOURCES.map(readProjectFile).join("\n");
    const acks = sources.match(/acknowledge\(\{[\s\S]*?\}\)/g) ?? [];
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) expect(a).toMatch(/reason:\s*"[^"]{30,}/);
  });
});

describe("stage configuration", () => {
  it("synthesizes the stage named in cdk.json's context", () => {
    const context = JSON.parse(readProjectFile("cdk.json")).context;
    const app = main(new App({ context: { ...context, stage: "prod" } }));
    expect(app.node.children.map((c) => c.node.id)).toEqual([
      "DossierMonitor-prod-Stateful",
      "DossierMonitor-prod-Stateless",
    ]);
  });

  it("stops on a bad value, naming it", () => {
    expect(() => parseStageConfig({ stage: "Prod!", senderAddress: "nope", sesIdentity: "x" })).toThrow(
      /stage: .*senderAddress/s,
    );
  });
});
