import { CfnOutput, Duration, Stack, type StackProps, TimeZone, Validations } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type * as logs from "aws-cdk-lib/aws-logs";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import * as schedulerTargets from "aws-cdk-lib/aws-scheduler-targets";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { TABLE } from "../lib/adapters/dynamodb/table";
import { ALERTS_PENDING_RULE, SES_FEEDBACK_RULE } from "../lib/contracts/bus";
import { SCHEDULE_TIME_ZONE, SCHEDULES } from "../lib/contracts/schedules";
import type { StageConfig } from "./config";
import { buildHttpApi } from "./http-api";
import { buildMonitoring } from "./monitoring";
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
      STRICT_SUPPLEMENT_RULE: String(config.strictSupplementRule),
      ...(config.officeHours ? { OFFICE_HOURS: config.officeHours } : {}),
      ...(config.calendarOverride ? { CALENDAR_OVERRIDE: JSON.stringify(config.calendarOverride) } : {}),
      ...(config.catalog ? { CATALOG: JSON.stringify(config.catalog) } : {}),
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
    // Query: a dossier and its log, the unit directory; GetItem: one stored event (duplicate or
    // conflict); Put/Update: the transaction's items and quarantine records.
    allow(
      apply,
      ["dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
      [tableArn],
    );
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

    // The HTTP API (infra/http-api.ts): the routes of lib/contracts/routes.ts behind a cached key
    // authorizer; the handlers check the key and its role again, and count each key's rate.
    const ingest = make(
      "ingest-api",
      "POST /events and /integrations/dvcqg, published to the bus",
      { EVENT_BUS_NAME: bus.eventBusName },
      Duration.seconds(15),
    );
    // GetItem: the key; UpdateItem: its rate window; BatchGetItem: events already stored; Query:
    // the unit directory (units must exist).
    allow(
      ingest,
      ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:UpdateItem", "dynamodb:Query"],
      [tableArn],
    );
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
    // BatchGetItem: quarantined events applied since; UpdateItem: the reader key's rate window.
    allow(query, ["dynamodb:BatchGetItem", "dynamodb:UpdateItem"], [tableArn]);
    // The key authorizer: reads a key's record, nothing else (it counts no rates: its answers are
    // cached, so it does not see every request).
    const authorizerFn = new ProjectFunction(this, "authorizer", {
      name: "authorizer",
      description: "HTTP API key authorizer (cached): the key's credential, or a refusal",
      environment: { TABLE_NAME: table.tableName },
      logRetention: retention,
      timeout: Duration.seconds(5),
      memorySize: 256,
    });
    this.functions.authorizer = authorizerFn;
    allow(authorizerFn, ["dynamodb:GetItem"], [tableArn]);
    const { api } = buildHttpApi(this, {
      handlers: { "ingest-api": ingest, "query-api": query },
      authorizer: authorizerFn,
      logRetention: retention,
    });
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

    buildMonitoring(this, {
      alarmEmail: config.alarmEmail,
      table,
      bus,
      eventsQueue,
      eventsDlq,
      dossierEventsRule: stateful.dossierEventsRule,
      dossierEventsRuleDlq: stateful.dossierEventsRuleDlq,
      targetDlq,
      consumer: apply,
      authorizer: authorizerFn,
      api,
    });

    Validations.of(targetDlq).acknowledge({
      id: "AwsSolutions-SQS3",
      reason: "This queue is itself the dead-letter queue of rule targets and schedules.",
    });
    new CfnOutput(this, "TableName", { value: table.tableName });
    new CfnOutput(this, "EventBusName", { value: bus.eventBusName });
  }
}
