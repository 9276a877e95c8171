import { CfnOutput, Duration, Stack, type StackProps, TimeZone, Validations } from "aws-cdk-lib";
import * as apigw from "aws-cdk-lib/aws-apigateway";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as cwActions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as logs from "aws-cdk-lib/aws-logs";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import * as schedulerTargets from "aws-cdk-lib/aws-scheduler-targets";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { ALERTS_PENDING_RULE, SES_FEEDBACK_RULE } from "../lib/bus";
import { CALENDAR_WARNING_DAYS } from "../lib/calendar/calendar";
import { SCHEDULE_TIME_ZONE, SCHEDULES } from "../lib/schedules";
import { TABLE } from "../lib/store/table";
import type { StageConfig } from "./config";
import { ProjectFunction } from "./project-function";
import { cdkPattern, type StatefulStack } from "./stateful-stack";

export interface StatelessStackProps extends StackProps {
  config: StageConfig;
  stateful: StatefulStack;
}

/** Functions, rules, schedules, alarms and the dashboard: replaceable at any deploy. */
export class StatelessStack extends Stack {
  readonly functions: Record<string, ProjectFunction> = {};

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;
    const { table, bus, eventsQueue, eventsDlq, configurationSet } = stateful;
    const retention = config.logRetentionDays as unknown as logs.RetentionDays;
    const environment: Record<string, string> = {
      TABLE_NAME: table.tableName,
      PERIOD_SCHEME: JSON.stringify(config.periodScheme),
      OFFICE_HOURS: config.officeHours,
      STRICT_SUPPLEMENT_RULE: String(config.strictSupplementRule),
      ...(config.calendarOverride ? { CALENDAR_OVERRIDE: JSON.stringify(config.calendarOverride) } : {}),
    };
    const make = (
      name: string,
      description: string,
      extra: Record<string, string> = {},
      timeout?: Duration,
    ) => {
      const f = new ProjectFunction(this, name, {
        name,
        description,
        environment: { ...environment, ...extra },
        logRetention: retention,
        timeout,
      });
      this.functions[name] = f;
      return f;
    };
    const tableArn = table.tableArn;
    const indexArn = ProjectFunction.indexArn(tableArn, TABLE.sweepIndex.name);
    const sesEnvironment = {
      SENDER_ADDRESS: config.senderAddress,
      SES_CONFIGURATION_SET: configurationSet.configurationSetName,
    };
    // Sending is granted on the stage's identity and configuration set only.
    const sesResources = [
      `arn:${this.partition}:ses:${this.region}:${this.account}:identity/${config.sesIdentity}`,
      `arn:${this.partition}:ses:${this.region}:${this.account}:configuration-set/${configurationSet.configurationSetName}`,
    ];
    const allow = (f: ProjectFunction, actions: string[], resources: string[]) =>
      f.role.addToPolicy(new iam.PolicyStatement({ actions, resources }));

    // The consumer: bus rule → queue (DLQ after 5 receives) → apply-events, partial batch failures.
    const apply = make(
      "apply-events",
      "Applies dossier events to DynamoDB exactly once",
      {},
      Duration.seconds(30),
    );
    allow(apply, ["dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"], [tableArn]);
    apply.fn.addEventSource(
      new SqsEventSource(eventsQueue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 16 }),
    );

    // Dead letters of rule targets and schedules: kept 14 days, watched by an alarm.
    const targetDlq = new sqs.Queue(this, "TargetsDlq", {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    const sweep = make(
      "sweep-deadlines",
      "Deadline sweep: time-driven KPI changes and alerts",
      { EVENT_BUS_NAME: bus.eventBusName },
      Duration.minutes(5),
    );
    allow(sweep, ["dynamodb:Query"], [tableArn, indexArn]);
    allow(sweep, ["dynamodb:PutItem", "dynamodb:UpdateItem"], [tableArn]);
    allow(sweep, ["events:PutEvents"], [bus.eventBusArn]);

    const send = make("send-alerts", "One digest per unit through SES", sesEnvironment, Duration.minutes(2));
    allow(
      send,
      ["dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
      [tableArn],
    );
    allow(send, ["ses:SendEmail"], sesResources);
    new events.Rule(this, ALERTS_PENDING_RULE.id, {
      eventBus: bus,
      description: ALERTS_PENDING_RULE.description,
      eventPattern: cdkPattern(ALERTS_PENDING_RULE.eventPattern),
      targets: [new targets.LambdaFunction(send.fn, { retryAttempts: 2, deadLetterQueue: targetDlq })],
    });

    const feedback = make("ses-feedback", "Suppresses addresses SES reports as bounced or complained");
    allow(feedback, ["dynamodb:PutItem"], [tableArn]);
    new events.Rule(this, SES_FEEDBACK_RULE.id, {
      // SES event destinations publish to the account's default bus.
      eventBus: events.EventBus.fromEventBusName(this, "DefaultBus", "default"),
      description: SES_FEEDBACK_RULE.description,
      eventPattern: cdkPattern(SES_FEEDBACK_RULE.eventPattern),
      targets: [new targets.LambdaFunction(feedback.fn, { retryAttempts: 2, deadLetterQueue: targetDlq })],
    });

    const kpi = make(
      "kpi-report",
      "Leadership KPI emails: weekly and at each period's close",
      sesEnvironment,
      Duration.minutes(2),
    );
    allow(
      kpi,
      ["dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem"],
      [tableArn, ProjectFunction.indexArn(tableArn, TABLE.slaIndex.name)],
    );
    allow(kpi, ["dynamodb:BatchGetItem"], [tableArn]);
    allow(kpi, ["ses:SendEmail"], sesResources);

    // The HTTP API: posting routes for integration keys, read routes for reader keys. Keys are
    // checked by the handlers against their hashes in the table; each key has its own rate.
    const ingest = make(
      "ingest-api",
      "POST /events and /integrations/dvcqg, published to the bus",
      { EVENT_BUS_NAME: bus.eventBusName },
      Duration.seconds(15),
    );
    allow(ingest, ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:UpdateItem"], [tableArn]);
    allow(ingest, ["events:PutEvents"], [bus.eventBusArn]);
    const query = make(
      "query-api",
      "GET /kpis, /kpis/export, /dossiers and /quarantine",
      {},
      Duration.seconds(15),
    );
    allow(
      query,
      ["dynamodb:Query", "dynamodb:GetItem"],
      [tableArn, ProjectFunction.indexArn(tableArn, TABLE.slaIndex.name)],
    );
    allow(query, ["dynamodb:BatchGetItem"], [tableArn]);
    const api = new apigwv2.HttpApi(this, "Api", {
      description: "dossier-monitor API",
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, "ApiAccessLogs", { retention });
    new apigwv2.HttpStage(this, "ApiStage", {
      httpApi: api,
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigw.AccessLogField.contextRequestId(),
            route: apigw.AccessLogField.contextResourcePath(),
            status: apigw.AccessLogField.contextStatus(),
            latency: apigw.AccessLogField.contextResponseLatency(),
          }),
        ),
      },
    });
    const ingestIntegration = new HttpLambdaIntegration("Ingest", ingest.fn);
    const queryIntegration = new HttpLambdaIntegration("Query", query.fn);
    for (const path of ["/events", "/integrations/dvcqg"])
      api.addRoutes({ path, methods: [apigwv2.HttpMethod.POST], integration: ingestIntegration });
    for (const path of ["/kpis", "/kpis/export", "/dossiers", "/dossiers/{id}", "/quarantine"])
      api.addRoutes({ path, methods: [apigwv2.HttpMethod.GET], integration: queryIntegration });
    for (const route of api.node.findAll().filter((c) => c instanceof apigwv2.HttpRoute)) {
      Validations.of(route).acknowledge({
        id: "AwsSolutions-APIG4",
        reason:
          "Every route's handler authenticates the caller's key against its SHA-256 hash in the table (integration keys post, reader keys read) before doing anything; a 401/403 is answered there.",
      });
    }
    new CfnOutput(this, "ApiUrl", { value: api.apiEndpoint });

    for (const s of SCHEDULES) {
      const fn = this.functions[s.target];
      if (!fn) throw new Error(`schedule ${s.id}: no function ${s.target}`);
      const role = new iam.Role(this, `${s.id}Role`, {
        assumedBy: new iam.ServicePrincipal("scheduler.amazonaws.com", {
          conditions: { StringEquals: { "aws:SourceAccount": this.account } },
        }),
        description: `EventBridge Scheduler: invoke ${s.target}`,
      });
      new scheduler.Schedule(this, s.id, {
        description: s.description,
        schedule: scheduler.ScheduleExpression.expression(s.expression, TimeZone.of(SCHEDULE_TIME_ZONE)),
        target: new schedulerTargets.LambdaInvoke(fn.fn, {
          role,
          retryAttempts: 2,
          deadLetterQueue: targetDlq,
        }),
      });
      const fnId = this.resolve(this.getLogicalId(fn.fn.node.defaultChild as lambda.CfnFunction));
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${fnId}.Arn>:*]`,
        reason:
          "The scheduler may invoke only this function; CDK's invoke grant also names its qualified ARNs (versions and aliases), hence :*.",
      });
    }

    // Alarms, to an encrypted topic operators subscribe to.
    const topic = new sns.Topic(this, "Alarms", {
      masterKey: kms.Alias.fromAliasName(this, "SnsKey", "alias/aws/sns"),
      enforceSSL: true,
    });
    if (config.alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    const alarm = (id: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const a = new cloudwatch.Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(new cwActions.SnsAction(topic));
      return a;
    };
    const quarantined = new cloudwatch.Metric({
      namespace: "DossierMonitor",
      metricName: "EventsQuarantined",
      dimensionsMap: { service: "apply-events" },
      statistic: "Sum",
      period: Duration.minutes(15),
    });
    const alarms = [
      alarm(
        "EventsDlqDepth",
        eventsDlq.metricApproximateNumberOfMessagesVisible(),
        0,
        "Dossier events gave up after 5 receives: see the DLQ",
      ),
      alarm(
        "TargetsDlqDepth",
        targetDlq.metricApproximateNumberOfMessagesVisible(),
        0,
        "A schedule or rule target failed for good",
      ),
      alarm(
        "ConsumerErrors",
        apply.fn.metricErrors({ period: Duration.minutes(5) }),
        0,
        "apply-events invocations failed",
      ),
      alarm(
        "QueueAge",
        eventsQueue.metricApproximateAgeOfOldestMessage(),
        300,
        "Dossier events wait more than 5 minutes",
      ),
      alarm(
        "QuarantineGrowth",
        quarantined,
        10,
        "More than 10 events quarantined in 15 minutes: an integration sends bad events",
      ),
    ];
    // The sweep reports how many days of working-day calendar data are left (calendar.md: a year
    // without data is an error for every deadline reaching it).
    const calendarRunningOut = new cloudwatch.Alarm(this, "CalendarRunningOut", {
      metric: new cloudwatch.Metric({
        namespace: "DossierMonitor",
        metricName: "CalendarDaysLeft",
        dimensionsMap: { service: "sweep-deadlines" },
        statistic: "Minimum",
        period: Duration.hours(6),
      }),
      threshold: CALENDAR_WARNING_DAYS,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `The working-day calendar has data for fewer than ${CALENDAR_WARNING_DAYS} more days: add next year's entry (README, Working-day calendar)`,
    });
    calendarRunningOut.addAlarmAction(new cwActions.SnsAction(topic));
    alarms.push(calendarRunningOut);
    new cloudwatch.Dashboard(this, "Dashboard", {
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: "Events",
            left: ["EventsApplied", "EventsDuplicate", "EventsQuarantined"].map(
              (metricName) =>
                new cloudwatch.Metric({
                  namespace: "DossierMonitor",
                  metricName,
                  dimensionsMap: { service: "apply-events" },
                  statistic: "Sum",
                }),
            ),
          }),
          new cloudwatch.GraphWidget({
            title: "Queue",
            left: [
              eventsQueue.metricApproximateNumberOfMessagesVisible(),
              eventsQueue.metricApproximateAgeOfOldestMessage(),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: "Sweep and digests",
            left: ["AlertsRaised", "DossiersChecked"].map(
              (metricName) =>
                new cloudwatch.Metric({
                  namespace: "DossierMonitor",
                  metricName,
                  dimensionsMap: { service: "sweep-deadlines" },
                  statistic: "Sum",
                }),
            ),
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: "DynamoDB: throttles and transaction conflicts",
            left: [
              ...["TransactWriteItems", "Query"].map(
                (operation) =>
                  new cloudwatch.Metric({
                    namespace: "AWS/DynamoDB",
                    metricName: "ThrottledRequests",
                    dimensionsMap: { TableName: table.tableName, Operation: operation },
                    statistic: "Sum",
                    label: `throttled ${operation}`,
                  }),
              ),
              new cloudwatch.Metric({
                namespace: "AWS/DynamoDB",
                metricName: "TransactionConflict",
                dimensionsMap: { TableName: table.tableName },
                statistic: "Sum",
                label: "transaction conflicts",
              }),
            ],
          }),
          new cloudwatch.AlarmStatusWidget({ title: "Alarms", alarms }),
        ],
      ],
    });

    Validations.of(targetDlq).acknowledge({
      id: "AwsSolutions-SQS3",
      reason: "This queue is itself the dead-letter queue of rule targets and schedules.",
    });
    new CfnOutput(this, "TableName", { value: table.tableName });
    new CfnOutput(this, "EventBusName", { value: bus.eventBusName });
  }
}
