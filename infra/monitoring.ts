import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
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
  api: apigwv2.IHttpApi;
}

/**
 * The alarm topic (with its own key), every alarm, and the dashboard. Built directly in the
 * stack, not as a construct of its own, so existing alarms and the topic keep their logical ids
 * (a replaced topic would ask its email subscribers to confirm again).
 */
export function buildMonitoring(scope: Construct, props: MonitoringProps) {
  const stack = Stack.of(scope);
  const alarms: cloudwatch.Alarm[] = [];

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
  if (props.alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

  const alarm = (
    alarmId: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    description: string,
    comparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  ) => {
    const a = new cloudwatch.Alarm(scope, alarmId, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    a.addAlarmAction(new cwActions.SnsAction(topic));
    alarms.push(a);
    return a;
  };

  // EventBridge reports a custom bus's rule under both dimensions, and only when non-zero.
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
  const ruleMetric = (metricName: string) =>
    new cloudwatch.Metric({
      namespace: "AWS/Events",
      metricName,
      dimensionsMap: { EventBusName: props.bus.eventBusName, RuleName: props.dossierEventsRule.ruleName },
      statistic: "Sum",
      period: Duration.minutes(5),
    });

  alarm(
    "EventsDlqDepth",
    props.eventsDlq.metricApproximateNumberOfMessagesVisible(),
    0,
    "Dossier events gave up after 5 receives: see the DLQ",
  );
  alarm(
    "EventsRuleDlqDepth",
    props.dossierEventsRuleDlq.metricApproximateNumberOfMessagesVisible(),
    0,
    "The bus could not put dossier events on the consumer's queue for a day: see the rule's DLQ (README, redrive)",
  );
  alarm(
    "EventsRuleFailedInvocations",
    ruleMetric("FailedInvocations"),
    0,
    "The bus failed to deliver dossier events to the consumer's queue for good",
  );
  alarm(
    "EventsRuleDlqUnreachable",
    ruleMetric("InvocationsFailedToBeSentToDlq"),
    0,
    "Undeliverable dossier events could not even reach the rule's DLQ: they are lost, check its policy",
  );
  alarm(
    "TargetsDlqDepth",
    props.targetDlq.metricApproximateNumberOfMessagesVisible(),
    0,
    "A schedule or rule target failed for good",
  );
  alarm(
    "ConsumerErrors",
    props.consumer.fn.metricErrors({ period: Duration.minutes(5) }),
    0,
    "apply-events invocations failed",
  );
  alarm(
    "QueueAge",
    props.eventsQueue.metricApproximateAgeOfOldestMessage(),
    300,
    "Dossier events wait more than 5 minutes",
  );
  alarm(
    "QuarantineGrowth",
    projectMetric(METRICS.eventsQuarantined, "apply-events", { period: Duration.minutes(15) }),
    10,
    "More than 10 events quarantined in 15 minutes: an integration sends bad events",
  );
  // The sweep isolates a dossier it could not check, logs its id and goes on with the others:
  // one such dossier is worth a look (its alerts are late until it is fixed).
  alarm(
    "SweepDossierFailures",
    projectMetric(METRICS.sweepDossierFailed, "sweep-deadlines", { period: Duration.minutes(15) }),
    1,
    "The deadline sweep could not check a dossier: see sweep-deadlines' logs for its id",
    cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  );
  // A failing authorizer turns every API request into a 500.
  alarm(
    "AuthorizerErrors",
    props.authorizer.fn.metricErrors({ period: Duration.minutes(5) }),
    0,
    "The API's key authorizer fails: requests with a key get 500s",
  );
  // The sweep reports how many days of working-day calendar data are left (docs/calendar.md: a year
  // without data is an error for every deadline reaching it).
  alarm(
    "CalendarRunningOut",
    projectMetric(METRICS.calendarDaysLeft, "sweep-deadlines", {
      statistic: "Minimum",
      period: Duration.hours(6),
    }),
    CALENDAR_WARNING_DAYS,
    `The working-day calendar has data for fewer than ${CALENDAR_WARNING_DAYS} more days: add next year's entry (README, Working-day calendar)`,
    cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
  );

  const apiMetric = (metricName: string) =>
    new cloudwatch.Metric({
      namespace: "AWS/ApiGateway",
      metricName,
      dimensionsMap: { ApiId: props.api.apiId, Stage: "$default" },
      statistic: "Sum",
    });
  new cloudwatch.Dashboard(scope, "Dashboard", {
    widgets: [
      [
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
            ruleMetric("FailedInvocations"),
            ruleMetric("InvocationsSentToDlq"),
            props.dossierEventsRuleDlq.metricApproximateNumberOfMessagesVisible(),
          ],
        }),
      ],
      [
        new cloudwatch.GraphWidget({
          title: "Sweep and digests",
          left: [METRICS.alertsRaised, METRICS.dossiersChecked].map((m) =>
            projectMetric(m, "sweep-deadlines"),
          ),
          right: [METRICS.digestsSent, METRICS.digestsFailed].map((m) => projectMetric(m, "send-alerts")),
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
                  dimensionsMap: { TableName: props.table.tableName, Operation: operation },
                  statistic: "Sum",
                  label: `throttled ${operation}`,
                }),
            ),
            new cloudwatch.Metric({
              namespace: "AWS/DynamoDB",
              metricName: "TransactionConflict",
              dimensionsMap: { TableName: props.table.tableName },
              statistic: "Sum",
              label: "transaction conflicts",
            }),
          ],
        }),
        new cloudwatch.AlarmStatusWidget({ title: "Alarms", alarms: alarms }),
      ],
    ],
  });
  return { key, topic, alarms };
}
