import { App, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { buildStage, main } from "../../infra/app";
import { parseStageConfig } from "../../infra/config";
import { ALERTS_PENDING_RULE, DOSSIER_EVENTS_RULE, RULES, SES_FEEDBACK_RULE } from "../../lib/bus";
import { SCHEDULE_TIME_ZONE, SCHEDULES } from "../../lib/schedules";
import { createTableInput, TABLE } from "../../lib/store/table";
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

  it("routes dossier events to the consumer's queue with the pattern lib/bus.ts defines", () => {
    stateful.hasResourceProperties("AWS::Events::Rule", { EventPattern: DOSSIER_EVENTS_RULE.eventPattern });
    stateful.hasResourceProperties("AWS::SQS::Queue", {
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
    stateful.hasResourceProperties("AWS::Events::Archive", { RetentionDays: 365 });
  });

  it("keeps an SES configuration set that suppresses bounces and complaints and reports them", () => {
    stateful.hasResourceProperties("AWS::SES::ConfigurationSet", {
      SuppressionOptions: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
    });
    stateful.hasResourceProperties("AWS::SES::ConfigurationSetEventDestination", {
      EventDestination: Match.objectLike({ MatchingEventTypes: ["bounce", "complaint"] }),
    });
  });

  it("matches its snapshot (a backstop for unreviewed changes)", () => {
    expect(stateful.toJSON()).toMatchSnapshot();
  });
});

describe("the stateless stack", () => {
  it("builds every function one way: ARM64, Node.js 22, its own log group", () => {
    const fns = stateless.findResources("AWS::Lambda::Function");
    expect(Object.keys(fns)).toHaveLength(7);
    for (const fn of Object.values(fns)) {
      expect(fn.Properties).toMatchObject({
        Architectures: ["arm64"],
        Runtime: "nodejs22.x",
        LoggingConfig: expect.objectContaining({ LogGroup: expect.anything() }),
      });
    }
    stateless.resourceCountIs("AWS::Logs::LogGroup", 8);
    stateless.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 90 });
  });

  it("consumes the queue in batches of 10 with partial batch failures", () => {
    stateless.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
  });

  it("uses the same rule patterns as lib/bus.ts, and RULES holds every one of them", () => {
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

  it("schedules lib/schedules.ts in Asia/Ho_Chi_Minh with retries and a dead-letter queue", () => {
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

  it("serves the HTTP API routes, throttled, with access logs", () => {
    for (const route of [
      "POST /events",
      "POST /integrations/dvcqg",
      "GET /kpis",
      "GET /kpis/export",
      "GET /dossiers",
      "GET /dossiers/{id}",
      "GET /quarantine",
    ]) {
      stateless.hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: route });
    }
    stateless.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 }),
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it("alarms on dead letters, consumer errors, queue age and quarantine growth", () => {
    for (const metric of [
      "ApproximateNumberOfMessagesVisible",
      "Errors",
      "ApproximateAgeOfOldestMessage",
      "EventsQuarantined",
    ]) {
      stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: metric,
        AlarmActions: Match.anyValue(),
      });
    }
    stateless.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    const dashboard = JSON.stringify(stateless.findResources("AWS::CloudWatch::Dashboard"));
    for (const metric of [
      "EventsQuarantined",
      "ApproximateAgeOfOldestMessage",
      "ThrottledRequests",
      "TransactionConflict",
    ])
      expect(dashboard, metric).toContain(metric);
  });

  it("alarms when the working-day calendar has data for 60 days or fewer", () => {
    stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "CalendarDaysLeft",
      Namespace: "DossierMonitor",
      Dimensions: [{ Name: "service", Value: "sweep-deadlines" }],
      ComparisonOperator: "LessThanOrEqualToThreshold",
      Threshold: 60,
      AlarmActions: Match.anyValue(),
    });
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
    const sources = ["infra/project-function.ts", "infra/stateless-stack.ts"].map(readProjectFile).join("\n");
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
