import { Annotations, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import type * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as cwActions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { METRIC_NAMESPACE, METRICS, type MetricName } from "../lib/contracts/metrics";
import { CALENDAR_WARNING_DAYS } from "../lib/domain/calendar/calendar";
import type { ProjectFunction } from "./project-function";

/** A metric the functions emit (lib/contracts/metrics.ts), under the `service` dimension Powertools adds. */
export function projectMetric(
  metricName: MetricName,
  service: string,
  props: Partial<cloudwatch.MetricProps> = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName,
    dimensionsMap: { service },
    statistic: "Sum",
    ...props,
  });
}

export interface MonitoringProps {
  alarmEmail?: string;
  table: dynamodb.ITableV2;
  bus: events.IEventBus;
  eventsQueue: sqs.IQueue;
  eventsDlq: sqs.IQueue;
  /** The dossier-events rule and its dead-letter queue (bus → consumer's queue). */
  dossierEventsRule: events.IRule;
  dossierEventsRuleDlq: sqs.IQueue;
  /** Dead letters of the other rules' targets and of the schedules. */
  targetDlq: sqs.IQueue;
  consumer: ProjectFunction;
  authorizer: ProjectFunction;
  /** Every function by name: each one's errors alarm. */
  functions: Record<string, ProjectFunction>;
  api: apigwv2.IHttpApi;
}

/**
 * The alarm topic (with its own key), every alarm, and the dashboard. Built directly in the
 * stack, not as a construct of its own, so existing alarms and the topic keep their logical ids
 * (a replaced topic would ask its email subscribers to confirm again).
 */
export function buildMonitoring(scope: Construct, props: MonitoringProps) {
  const { key, topic } = alarmTopic(scope, props.alarmEmail);
  // The order of the alarms is the order of the dashboard's alarm widget.
  const alarms = [...deadLetterAlarms(props), ...functionAlarms(props), ...errorAlarms(props)].map((spec) => {
    const a = new cloudwatch.Alarm(scope, spec.id, {
      metric: spec.metric,
      threshold: spec.threshold,
      evaluationPeriods: 1,
      comparisonOperator: spec.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: spec.missing ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: spec.description,
    });
    a.addAlarmAction(new cwActions.SnsAction(topic));
    return a;
  });
  new cloudwatch.Dashboard(scope, "Dashboard", {
    widgets: [
      eventsRow(props),
      workRow(props),
      [storageWidget(props), new cloudwatch.AlarmStatusWidget({ title: "Alarms", alarms })],
    ],
  });
  return { key, topic, alarms };
}

/**
 * The SNS topic every alarm publishes to, encrypted with a key of its own that CloudWatch may
 * use, with `alarmEmail` subscribed when given.
 */
function alarmTopic(scope: Construct, alarmEmail: string | undefined): { key: kms.Key; topic: sns.Topic } {
  const stack = Stack.of(scope);
  // A customer-managed key: CloudWatch alarms cannot publish to a topic encrypted with the
  // AWS-managed SNS key (alias/aws/sns), whose policy cannot grant them kms:GenerateDataKey*
  // and kms:Decrypt. SNS docs, "Encryption at rest" › "Key management" › "Configuring AWS KMS
  // permissions" › "Enable compatibility between event sources from AWS services and encrypted
  // topics": https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
  // Nothing stays encrypted under it once a notification is delivered, so it goes with the stack
  // (after KMS's waiting period) rather than lingering as a retained, billed key.
  const key = new kms.Key(scope, "AlarmTopicKey", {
    description: "dossier-monitor: the alarm topic's key (CloudWatch alarms may use it)",
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.DESTROY,
    pendingWindow: Duration.days(7),
  });
  // Only on behalf of this account's alarms (aws:SourceAccount, set when CloudWatch calls KMS
  // for an alarm action): no other account's alarms can use the key through the service.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "AllowCloudWatchAlarmsOfThisAccount",
      principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
      actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
      resources: ["*"],
      conditions: { StringEquals: { "aws:SourceAccount": stack.account } },
    }),
  );
  const topic = new sns.Topic(scope, "Alarms", { masterKey: key, enforceSSL: true });
  // enforceSSL gives the topic a policy of its own, which replaces SNS's default one: say
  // explicitly that this account's alarms may publish.
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "AllowAlarmsOfThisAccount",
      principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
      actions: ["sns:Publish"],
      resources: [topic.topicArn],
      conditions: {
        ArnLike: {
          "aws:SourceArn": `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
        },
        StringEquals: { "aws:SourceAccount": stack.account },
      },
    }),
  );
  if (alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(alarmEmail));
  // Said at every synth and deploy: a stage whose alarms reach no one deploys all the same.
  if (!alarmEmail)
    Annotations.of(topic).addWarningV2(
      "dossier-monitor:no-alarm-email",
      "No alarmEmail in this stage's config: the alarms publish to a topic no one is subscribed to (README 'Operating it')",
    );
  // The shipped stages' placeholder domains (RFC 2606's) have no mailbox to confirm the subscription.
  else if (
    /@(?:[^@]+\.)?(?:example\.(?:org|com|net)|[^@]+\.(?:example|test|invalid|localhost))$/i.test(alarmEmail)
  )
    Annotations.of(topic).addWarningV2(
      "dossier-monitor:placeholder-alarm-email",
      `alarmEmail ${alarmEmail} is a placeholder (an example domain): no one will confirm its subscription, so the alarms reach no one`,
    );
  return { key, topic };
}

/** One of the stack's functions by name; a name it lacks is a bug of the stack. */
function functionNamed(props: MonitoringProps, name: string): ProjectFunction {
  const f = props.functions[name];
  if (!f) throw new Error(`monitoring: no function ${name}`);
  return f;
}

/** An alarm on one evaluation period; missing data is not breaching unless it says otherwise. */
interface AlarmSpec {
  id: string;
  metric: cloudwatch.IMetric;
  threshold: number;
  description: string;
  /** Default: greater than the threshold. */
  comparison?: cloudwatch.ComparisonOperator;
  /** Default: not breaching. */
  missing?: cloudwatch.TreatMissingData;
}

/**
 * A metric of the dossier-events rule. EventBridge reports a custom bus's rule under both
 * dimensions, and only when non-zero: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
 */
function ruleMetric(props: MonitoringProps, metricName: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: "AWS/Events",
    metricName,
    dimensionsMap: { EventBusName: props.bus.eventBusName, RuleName: props.dossierEventsRule.ruleName },
    statistic: "Sum",
    period: Duration.minutes(5),
  });
}

/** What gave up for good: messages in a dead-letter queue, and deliveries the bus could not make. */
function deadLetterAlarms(props: MonitoringProps): AlarmSpec[] {
  return [
    {
      id: "EventsDlqDepth",
      metric: props.eventsDlq.metricApproximateNumberOfMessagesVisible(),
      threshold: 0,
      description: "Dossier events gave up after 5 receives: see the DLQ",
    },
    {
      id: "EventsRuleDlqDepth",
      metric: props.dossierEventsRuleDlq.metricApproximateNumberOfMessagesVisible(),
      threshold: 0,
      description:
        "The bus could not put dossier events on the consumer's queue for a day: see the rule's DLQ (README 'Operating it': redrive)",
    },
    {
      id: "EventsRuleFailedInvocations",
      metric: ruleMetric(props, "FailedInvocations"),
      threshold: 0,
      description: "The bus failed to deliver dossier events to the consumer's queue for good",
    },
    {
      id: "EventsRuleDlqUnreachable",
      metric: ruleMetric(props, "InvocationsFailedToBeSentToDlq"),
      threshold: 0,
      description:
        "Undeliverable dossier events could not even reach the rule's DLQ: they are lost, check its policy",
    },
    {
      id: "TargetsDlqDepth",
      metric: props.targetDlq.metricApproximateNumberOfMessagesVisible(),
      threshold: 0,
      description: "A schedule or rule target failed for good",
    },
  ];
}

/** The functions at work: the consumer failing or falling behind, bad events, the sweep, the authorizer, the calendar. */
function functionAlarms(props: MonitoringProps): AlarmSpec[] {
  return [
    {
      id: "ConsumerErrors",
      // A failed message is a partial batch failure, not a failed invocation: both are counted.
      metric: new cloudwatch.MathExpression({
        expression: "FILL(errors, 0) + FILL(failed, 0)",
        usingMetrics: {
          errors: props.consumer.fn.metricErrors({ period: Duration.minutes(5) }),
          failed: projectMetric(METRICS.eventsFailed, "apply-events", { period: Duration.minutes(5) }),
        },
        period: Duration.minutes(5),
      }),
      threshold: 0,
      description: "apply-events invocations or events failed (events come back by themselves)",
    },
    {
      id: "QueueAge",
      metric: props.eventsQueue.metricApproximateAgeOfOldestMessage(),
      threshold: 300,
      description: "Dossier events wait more than 5 minutes",
    },
    {
      id: "QuarantineGrowth",
      metric: projectMetric(METRICS.eventsQuarantined, "apply-events", { period: Duration.minutes(15) }),
      threshold: 10,
      description: "More than 10 events quarantined in 15 minutes: an integration sends bad events",
    },
    // The sweep isolates a dossier it could not check, logs its id and goes on with the others:
    // one such dossier is worth a look (its alerts are late until it is fixed).
    {
      id: "SweepDossierFailures",
      metric: projectMetric(METRICS.sweepDossierFailed, "sweep-deadlines", { period: Duration.minutes(15) }),
      threshold: 1,
      description: "The deadline sweep could not check a dossier: see sweep-deadlines' logs for its id",
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    },
    // A sweep that does not run fails nothing (no error, no dead letter): no alert, no digest, no
    // count that time moves. It runs every quarter hour; none in 45 minutes (or no data at all:
    // a schedule disabled or deleted) is an alarm.
    {
      id: "SweepNotRunning",
      metric: functionNamed(props, "sweep-deadlines").fn.metricInvocations({ period: Duration.minutes(45) }),
      threshold: 1,
      description:
        "The deadline sweep has not run for 45 minutes: check its schedule (SweepDeadlines) and the account's Lambda concurrency",
      comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      missing: cloudwatch.TreatMissingData.BREACHING,
    },
    // A failing authorizer turns every API request into a 500.
    {
      id: "AuthorizerErrors",
      metric: props.authorizer.fn.metricErrors({ period: Duration.minutes(5) }),
      threshold: 0,
      description: "The API's key authorizer fails: requests with a key get 500s",
    },
    // The sweep reports how many days of working-day calendar data are left (docs/calendar.md: a
    // year without data is an error for every deadline reaching it).
    {
      id: "CalendarRunningOut",
      metric: projectMetric(METRICS.calendarDaysLeft, "sweep-deadlines", {
        statistic: "Minimum",
        period: Duration.hours(6),
      }),
      threshold: CALENDAR_WARNING_DAYS,
      description: `The working-day calendar has data for fewer than ${CALENDAR_WARNING_DAYS} more days: add next year's entry (README "Working-day calendar")`,
      comparison: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
    },
  ];
}

/**
 * Each other function's errors (the consumer's and the authorizer's have their own alarms above),
 * and digests SES refused: a failing sweep raises no alert, a failing send-alerts leaves
 * departments without their digest, a failing kpi-report leadership without its email, a failing
 * API its callers with 500s.
 */
function errorAlarms(props: MonitoringProps): AlarmSpec[] {
  const named: [string, string, string][] = [
    ["sweep-deadlines", "SweepErrors", "The deadline sweep failed: no alert is raised until it runs again"],
    ["send-alerts", "SendAlertsErrors", "send-alerts failed: department digests are not sent"],
    ["kpi-report", "KpiReportErrors", "kpi-report failed: a weekly or period-close KPI email is not sent"],
    ["ses-feedback", "SesFeedbackErrors", "ses-feedback failed: bounced addresses are not suppressed"],
    ["ingest-api", "IngestApiErrors", "The ingestion API fails: integrations get 500s"],
    ["query-api", "QueryApiErrors", "The query API fails: dashboards and the CLI get 500s"],
  ];
  return [
    ...named.map(([fn, id, description]) => {
      const f = functionNamed(props, fn);
      return { id, metric: f.fn.metricErrors({ period: Duration.minutes(5) }), threshold: 0, description };
    }),
    {
      id: "DigestsNotSent",
      metric: projectMetric(METRICS.digestsFailed, "send-alerts", { period: Duration.minutes(15) }),
      threshold: 0,
      description:
        "A digest was not sent (SES refused it, or every address it could go to is suppressed): its alerts stay pending and are tried again at the next sweep",
    },
  ];
}

/** The dashboard's first row: events applied, the consumer's queue, the bus's deliveries to it. */
function eventsRow(props: MonitoringProps): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: "Events",
      left: [METRICS.eventsApplied, METRICS.eventsDuplicate, METRICS.eventsQuarantined].map((m) =>
        projectMetric(m, "apply-events"),
      ),
    }),
    new cloudwatch.GraphWidget({
      title: "Queue",
      left: [
        props.eventsQueue.metricApproximateNumberOfMessagesVisible(),
        props.eventsQueue.metricApproximateAgeOfOldestMessage(),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: "Bus → queue delivery",
      left: [
        ruleMetric(props, "FailedInvocations"),
        ruleMetric(props, "InvocationsSentToDlq"),
        props.dossierEventsRuleDlq.metricApproximateNumberOfMessagesVisible(),
      ],
    }),
  ];
}

/** The second row: the sweep and its digests, and the API with its authorizer. */
function workRow(props: MonitoringProps): cloudwatch.IWidget[] {
  const apiMetric = (metricName: string) =>
    new cloudwatch.Metric({
      namespace: "AWS/ApiGateway",
      metricName,
      dimensionsMap: { ApiId: props.api.apiId, Stage: "$default" },
      statistic: "Sum",
    });
  return [
    new cloudwatch.GraphWidget({
      title: "Sweep and digests",
      left: [METRICS.alertsRaised, METRICS.dossiersChecked].map((m) => projectMetric(m, "sweep-deadlines")),
      right: [METRICS.digestsSent, METRICS.digestsFailed, METRICS.digestsInPlaceOfUnit].map((m) =>
        projectMetric(m, "send-alerts"),
      ),
    }),
    new cloudwatch.GraphWidget({
      title: "Sweep: dossiers it could not check",
      left: [projectMetric(METRICS.sweepDossierFailed, "sweep-deadlines")],
    }),
    new cloudwatch.GraphWidget({
      title: "API: requests, refusals (4xx incl. 401/403/429), errors",
      left: ["Count", "4xx", "5xx"].map(apiMetric),
      right: [props.authorizer.fn.metricErrors(), props.authorizer.fn.metricInvocations()],
    }),
  ];
}

/** The table's throttles (the consumer's transactions and the queries) and transaction conflicts. */
function storageWidget(props: MonitoringProps): cloudwatch.IWidget {
  const tableMetric = (metricName: string, label: string, operation?: string) =>
    new cloudwatch.Metric({
      namespace: "AWS/DynamoDB",
      metricName,
      dimensionsMap: { TableName: props.table.tableName, ...(operation ? { Operation: operation } : {}) },
      statistic: "Sum",
      label,
    });
  return new cloudwatch.GraphWidget({
    title: "DynamoDB: throttles and transaction conflicts",
    left: [
      ...["TransactWriteItems", "Query"].map((operation) =>
        tableMetric("ThrottledRequests", `throttled ${operation}`, operation),
      ),
      tableMetric("TransactionConflict", "transaction conflicts"),
    ],
  });
}
