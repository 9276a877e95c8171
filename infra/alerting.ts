import { Duration } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as destinations from "aws-cdk-lib/aws-lambda-destinations";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import {
  ALERTS_PK,
  LANGUAGE_MARK_ATTRIBUTES,
  LEASE_PK,
  QUARANTINE_PK,
  SENT_STAMP_ATTRIBUTES,
  SUPPRESSED_PK,
  WEEKLY_SEND_PK_PREFIX,
} from "../lib/adapters/dynamodb/keys";
import { TABLE } from "../lib/adapters/dynamodb/table";
import { ALERTS_PENDING, ALERTS_PENDING_RULE, SES_FEEDBACK_RULE, SWEEP_SOURCE } from "../lib/contracts/bus";
import { allOf, allow, type FunctionSet, onlyAttributes, onlyPartitions, PARTITIONS } from "./functions";
import { ProjectFunction } from "./project-function";
import { cdkPattern } from "./stateful-stack";

export interface AlertingProps {
  tableArn: string;
  bus: events.IEventBus;
  /** SES_CONFIGURATION_SET and SENDER_ADDRESS. */
  sesEnvironment: Record<string, string>;
  /** The stage's SES identity and configuration set: the only ones sending is granted on. */
  sesResources: string[];
  targetDlq: sqs.IQueue;
}

/**
 * The sweep, the digests it triggers, the KPI emails and SES feedback: sweep-deadlines (on its
 * schedule) → the bus → send-alerts; SES events on the default bus → ses-feedback.
 */
export function buildAlerting(scope: Construct, functions: FunctionSet, props: AlertingProps) {
  const { tableArn, bus, sesEnvironment, targetDlq } = props;
  const sweep = buildSweep(functions, props);

  // 5 minutes: a province's busiest sweep raises about 1,100 digests (docs/province.md "The peak
  // hour: digests and SES"), about 110 s at 100 ms a group on AWS, which a 2-minute run would barely hold.
  // What a run cut short leaves stays pending for the next notice; it is billed for the time used.
  const send = functions.make(
    "send-alerts",
    "One digest per unit through SES",
    sesEnvironment,
    Duration.minutes(5),
  );
  allowSendAlerts(send, props);
  new events.Rule(scope, ALERTS_PENDING_RULE.id, {
    eventBus: bus,
    description: ALERTS_PENDING_RULE.description,
    eventPattern: cdkPattern(ALERTS_PENDING_RULE.eventPattern),
    targets: [new targets.LambdaFunction(send.fn, { retryAttempts: 2, deadLetterQueue: targetDlq })],
  });

  // Only the stage's configuration set's emails suppress (the default bus carries the account's).
  const feedback = functions.make(
    "ses-feedback",
    "Suppresses addresses SES reports as bounced or complained",
    { SES_CONFIGURATION_SET: sesEnvironment.SES_CONFIGURATION_SET as string },
  );
  // The suppressed addresses, and no other item.
  allow(feedback, ["dynamodb:PutItem"], [tableArn], onlyPartitions(SUPPRESSED_PK));
  new events.Rule(scope, SES_FEEDBACK_RULE.id, {
    // SES event destinations publish to the account's default bus.
    eventBus: events.EventBus.fromEventBusName(scope, "DefaultBus", SES_FEEDBACK_RULE.bus),
    description: SES_FEEDBACK_RULE.description,
    eventPattern: cdkPattern(SES_FEEDBACK_RULE.eventPattern),
    targets: [new targets.LambdaFunction(feedback.fn, { retryAttempts: 2, deadLetterQueue: targetDlq })],
  });

  const kpi = buildKpiReport(functions, props);
  // Schedules and rules invoke these asynchronously: a run that fails after Lambda's two retries
  // is kept in the targets' dead-letter queue (and `TargetsDlqDepth` alarms), not dropped. The
  // target DLQs above take only what could not be delivered to Lambda at all.
  for (const f of [sweep, send, feedback, kpi])
    f.fn.configureAsyncInvoke({ onFailure: new destinations.SqsDestination(targetDlq), retryAttempts: 2 });
  return { sweep, send, feedback, kpi };
}

/** sweep-deadlines: the time-driven KPI changes and alerts, and its notice to send-alerts. */
function buildSweep(functions: FunctionSet, props: AlertingProps): ProjectFunction {
  const { tableArn, bus } = props;
  const sweep = functions.make(
    "sweep-deadlines",
    "Deadline sweep: time-driven KPI changes and alerts",
    { EVENT_BUS_NAME: bus.eventBusName },
    Duration.minutes(5),
  );
  // Query: the dossiers due a check (the sweep index, its own grant: the index's partitions are not
  // the table's), a dossier's log, the pending alerts, the directory.
  allow(sweep, ["dynamodb:Query"], [ProjectFunction.indexArn(tableArn, TABLE.sweepIndex.name)]);
  allow(
    sweep,
    ["dynamodb:Query"],
    [tableArn],
    onlyPartitions(PARTITIONS.dossiers, ALERTS_PK, PARTITIONS.directory),
  );
  // GetItem: each dossier checked is read with its log (one point read of its item); PutItem: the
  // dossier and the alerts it raises; UpdateItem: its next check, its alert history, the counters.
  allow(sweep, ["dynamodb:GetItem"], [tableArn], onlyPartitions(PARTITIONS.dossiers));
  allow(sweep, ["dynamodb:PutItem"], [tableArn], onlyPartitions(PARTITIONS.dossiers, ALERTS_PK));
  allow(sweep, ["dynamodb:UpdateItem"], [tableArn], onlyPartitions(PARTITIONS.dossiers, PARTITIONS.counters));
  // BatchWriteItem: the pending clock alerts of dossiers closed since, deleted unsent
  // (lib/app/stale-alerts.ts); in the queue's partition only.
  allow(sweep, ["dynamodb:BatchWriteItem"], [tableArn], onlyPartitions(ALERTS_PK));
  // Only its notice to send-alerts: it cannot put dossier events under any producer's source.
  allow(sweep, ["events:PutEvents"], [bus.eventBusArn], {
    StringEquals: { "events:source": SWEEP_SOURCE, "events:detail-type": ALERTS_PENDING },
  });
  return sweep;
}

/** kpi-report: the weekly and period-close KPI emails (the schedules invoke it: infra/schedules.ts). */
function buildKpiReport(functions: FunctionSet, props: AlertingProps): ProjectFunction {
  const { tableArn, sesEnvironment, sesResources } = props;
  // A province's weekly run sends an email per agency with its own leadership (docs/kpis.md "The
  // weekly emails"): for the sample province, 170 emails in 133 s on the local stack on this 2-core
  // machine under a load average of 23 to 27, 122 s of it the province's own email (its 1,978 units'
  // overdue lists). 10 minutes leaves room for a slower Lambda; a run that still runs short stops a
  // minute before its timeout and fails, and the retry sends the rest (the marks skip what was sent).
  const kpi = functions.make(
    "kpi-report",
    "Leadership KPI emails: weekly and at each period's close",
    sesEnvironment,
    Duration.minutes(10),
  );
  // Query: overdue dossiers (the SLA index, its own grant), a period's counters and snapshots, the
  // quarantine's count, suppressed addresses, the directory.
  allow(kpi, ["dynamodb:Query"], [ProjectFunction.indexArn(tableArn, TABLE.slaIndex.name)]);
  allow(
    kpi,
    ["dynamodb:Query"],
    [tableArn],
    onlyPartitions(
      PARTITIONS.counters,
      PARTITIONS.periods,
      QUARANTINE_PK,
      SUPPRESSED_PK,
      PARTITIONS.directory,
    ),
  );
  // GetItem: a period's issued report; PutItem: that, its snapshots, and each weekly email's mark.
  allow(kpi, ["dynamodb:GetItem"], [tableArn], onlyPartitions(PARTITIONS.periods));
  allow(
    kpi,
    ["dynamodb:PutItem"],
    [tableArn],
    onlyPartitions(PARTITIONS.periods, `${WEEKLY_SEND_PK_PREFIX}*`),
  );
  // A weekly email's mark taken back when its sending failed, so the retry sends it; nothing else.
  allow(kpi, ["dynamodb:DeleteItem"], [tableArn], onlyPartitions(`${WEEKLY_SEND_PK_PREFIX}*`));
  // BatchGetItem: quarantined events applied since (not counted in the email); an agency's units'
  // counters kept under an earlier import's tree (docs/kpis.md "A tree imported again").
  allow(kpi, ["dynamodb:BatchGetItem"], [tableArn], onlyPartitions(PARTITIONS.dossiers, PARTITIONS.counters));
  allow(kpi, ["ses:SendEmail"], sesResources, fromSender(sesEnvironment));
  return kpi;
}

/** Sending from the stage's sender address only, not from any address of its identity's domain. */
const fromSender = (sesEnvironment: Record<string, string>) => ({
  StringEquals: { "ses:FromAddress": sesEnvironment.SENDER_ADDRESS as string },
});

/** send-alerts' grants: what it reads of the queue and the directory, and the little it writes. */
function allowSendAlerts(send: ProjectFunction, props: AlertingProps): void {
  const { tableArn, sesEnvironment, sesResources } = props;
  // Query: the pending alerts, the directory (recipients), suppressed addresses, the languages of a
  // digest already sent.
  allow(
    send,
    ["dynamodb:Query"],
    [tableArn],
    onlyPartitions(ALERTS_PK, PARTITIONS.directory, SUPPRESSED_PK, PARTITIONS.digestLanguages),
  );
  // PutItem: its lease, and the digests sent; UpdateItem: a sent digest's alerts stamped as sent in
  // each dossier's history, and which languages of a digest were sent, each under its own
  // attributes: in a dossier's partition it may set a stamp, never the dossier's fields or its
  // expiry (the table's TTL attribute, which a language mark takes).
  allow(send, ["dynamodb:PutItem"], [tableArn], onlyPartitions(LEASE_PK, PARTITIONS.digests));
  allow(
    send,
    ["dynamodb:UpdateItem"],
    [tableArn],
    allOf(onlyPartitions(PARTITIONS.dossiers), onlyAttributes(...SENT_STAMP_ATTRIBUTES)),
  );
  allow(
    send,
    ["dynamodb:UpdateItem"],
    [tableArn],
    allOf(onlyPartitions(PARTITIONS.digestLanguages), onlyAttributes(...LANGUAGE_MARK_ATTRIBUTES)),
  );
  // DeleteItem: its lease given back, a recorded digest's language marks; BatchWriteItem: the sent
  // alerts taken off the queue. Nothing else.
  allow(send, ["dynamodb:DeleteItem"], [tableArn], onlyPartitions(LEASE_PK, PARTITIONS.digestLanguages));
  allow(send, ["dynamodb:BatchWriteItem"], [tableArn], onlyPartitions(ALERTS_PK));
  allow(send, ["ses:SendEmail"], sesResources, fromSender(sesEnvironment));
}
