import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { INGEST_ROLE_TAG } from "../../infra/stateful-stack";
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
import { config, logicalId, synthStage } from "../helpers/infra";

let stateful: Template;
let stateless: Template;
let outdir = "";
beforeAll(() => {
  const s = synthStage();
  stateful = Template.fromStack(s.stateful);
  stateless = Template.fromStack(s.stateless);
  outdir = s.app.outdir;
}, 120_000);

describe("the stateful stack", () => {
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

  it("matches its snapshot (a backstop for unreviewed changes)", () => {
    expect(stateful.toJSON()).toMatchSnapshot();
  });
});

describe("the stateless stack", () => {
  it("bundles the stage's catalog beside the code of every function that counts with it", () => {
    // Each function's asset folder, as the synth left it (real bundling, with the local esbuild).
    const catalogs = Object.entries(stateless.findResources("AWS::Lambda::Function")).map(([id, r]) => {
      const key = (r.Properties as { Code: { S3Key: string } }).Code.S3Key;
      const folder = join(outdir, `asset.${key.replace(/\.zip$/, "")}`);
      expect(existsSync(join(folder, "index.mjs")), id).toBe(true);
      const file = join(folder, "catalog.json");
      return [id.replace(/Function.*$/, ""), existsSync(file) && JSON.parse(readFileSync(file, "utf8"))];
    });
    const expected = JSON.parse(JSON.stringify(config.catalog));
    // All but the authorizer, which reads keys only.
    expect(catalogs.filter(([, c]) => c).map(([id]) => id).length).toBe(catalogs.length - 1);
    for (const [id, catalog] of catalogs)
      expect(catalog, id as string).toEqual(String(id).startsWith("authorizer") ? false : expected);
  });

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

  it("consumes the queue in batches of 100 within a 1 s window, with partial batch failures", () => {
    stateless.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      BatchSize: 100,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 16 },
      MaximumBatchingWindowInSeconds: 1,
    });
  });

  it("gives apply-events the memory the bench chose (infra/consumer-tuning.ts): 256 MB, not the default 512", () => {
    const fns = stateless.findResources("AWS::Lambda::Function");
    const memory = Object.values(fns).map((f) => [f.Properties.Description, f.Properties.MemorySize]);
    expect(memory).toContainEqual(["Applies dossier events to DynamoDB exactly once", 256]);
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
        Target: Match.objectLike({
          // The function's input, as the local scheduler passes it; none where the schedule has none.
          Input: s.input ? JSON.stringify(s.input) : Match.absent(),
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
          DeadLetterConfig: Match.anyValue(),
        }),
      });
    }
    expect(SCHEDULES.filter((s) => s.target === "kpi-report").map((s) => s.input)).toEqual([
      { kind: "weekly" },
      { kind: "close" },
    ]);
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
      // The dashboard's page and files: a morning's readers open it at once (three requests each).
      else if (r.path.startsWith("/dashboard")) expect(limit, r.path).toBe(20);
      // What builds files: the report's export, form II.06a.
      else if (r.path === "/kpis/export" || r.path === "/kpis/form") expect(limit, r.path).toBe(5);
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
    // Every function's errors alarm (apply-events' adds the events that failed, partial batch
    // failures that leave its invocation a success), and SES refusing a digest.
    const alarms = Object.values(stateless.findResources("AWS::CloudWatch::Alarm")).filter(
      (a) => a.Properties.AlarmActions,
    );
    const errorsOf = (a: (typeof alarms)[number]) =>
      a.Properties.MetricName === "Errors"
        ? [a.Properties.Dimensions[0].Value.Ref as string]
        : (
            (a.Properties.Metrics ?? []) as {
              MetricStat?: { Metric: { MetricName: string; Dimensions: { Value: { Ref: string } }[] } };
            }[]
          )
            .filter((m) => m.MetricStat?.Metric.MetricName === "Errors")
            .map((m) => m.MetricStat?.Metric.Dimensions[0]?.Value.Ref as string);
    const errorsAlarmed = alarms.flatMap(errorsOf);
    const consumer = alarms.find((a) =>
      JSON.stringify(a.Properties.Metrics ?? []).includes(METRICS.eventsFailed),
    );
    expect(consumer?.Properties.Metrics.map((m: { Id: string }) => m.Id).sort()).toEqual(
      ["errors", "expr_1", "failed"].sort(),
    );
    for (const fn of Object.keys(stateless.findResources("AWS::Lambda::Function")))
      expect(errorsAlarmed, `${fn} has an errors alarm`).toContain(fn);
    stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: METRICS.digestsFailed,
      Threshold: 0,
      AlarmActions: Match.anyValue(),
    });
    // What an operator invokes by hand is named among the outputs.
    expect(Object.keys(stateless.findOutputs("KpiReportFunctionName"))).toEqual(["KpiReportFunctionName"]);
    // A sweep that stops running fails nothing: no run in 45 minutes, or no data at all, alarms.
    stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "Invocations",
      Dimensions: [
        { Name: "FunctionName", Value: { Ref: Match.stringLikeRegexp("^sweepdeadlinesFunction") } },
      ],
      Period: 2700,
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold",
      TreatMissingData: "breaching",
      AlarmActions: Match.anyValue(),
    });
    stateless.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    const dashboard = JSON.stringify(stateless.findResources("AWS::CloudWatch::Dashboard"));
    for (const metric of [
      METRICS.eventsQuarantined,
      METRICS.sweepDossierFailed,
      METRICS.digestsInPlaceOfUnit,
      "FailedInvocations",
      "ApproximateAgeOfOldestMessage",
      "ThrottledRequests",
      "TransactionConflict",
    ])
      expect(dashboard, metric).toContain(metric);
  });

  it("keeps a scheduled or rule-invoked run that failed for good in the targets' dead-letter queue", () => {
    const configs = Object.values(stateless.findResources("AWS::Lambda::EventInvokeConfig"));
    const invoked = configs.map((c) => JSON.stringify(c.Properties.FunctionName));
    for (const fn of ["sweepdeadlines", "sendalerts", "kpireport", "sesfeedback"])
      expect(
        invoked.some((name) => name.includes(`"${fn}Function`)),
        fn,
      ).toBe(true);
    for (const c of configs)
      expect(JSON.stringify(c.Properties.DestinationConfig.OnFailure.Destination)).toContain("TargetsDlq");
  });

  it.each([
    [
      "the sweep could not check one dossier",
      METRICS.sweepDossierFailed,
      { Statistic: "Sum", Period: 900, ComparisonOperator: "GreaterThanOrEqualToThreshold", Threshold: 1 },
    ],
    [
      "the working-day calendar has data for 60 days or fewer",
      METRICS.calendarDaysLeft,
      { ComparisonOperator: "LessThanOrEqualToThreshold", Threshold: 60 },
    ],
  ] as const)("alarms as soon as %s", (_, metric, condition) => {
    stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: METRIC_NAMESPACE,
      MetricName: metric,
      Dimensions: [{ Name: "service", Value: "sweep-deadlines" }],
      ...condition,
      AlarmActions: Match.anyValue(),
    });
  });
});
