import { CfnOutput, Duration, Stack, type StackProps, Validations } from "aws-cdk-lib";
import type * as logs from "aws-cdk-lib/aws-logs";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { buildAlerting } from "./alerting";
import { buildApis } from "./apis";
import { catalogFileOf, monitorEnvironment, type StageConfig } from "./config";
import { buildConsumer } from "./consumer";
import { FunctionSet } from "./functions";
import { buildMonitoring } from "./monitoring";
import type { ProjectFunction } from "./project-function";
import { buildSchedules } from "./schedules";
import type { StatefulStack } from "./stateful-stack";

export interface StatelessStackProps extends StackProps {
  config: StageConfig;
  stateful: StatefulStack;
}

/**
 * Functions, rules, schedules, alarms and the dashboard: replaceable at any deploy. Each part is
 * built by its own file (consumer, alerting, APIs, schedules, monitoring), in this stack's scope.
 */
export class StatelessStack extends Stack {
  readonly functions: Record<string, ProjectFunction>;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;
    const { table, bus, eventsQueue, eventsDlq, configurationSet } = stateful;
    const retention = config.logRetentionDays as unknown as logs.RetentionDays;
    // The monitor's environment (lib/contracts/config.ts): what a stage leaves out, the functions default.
    const functions = new FunctionSet(
      this,
      monitorEnvironment(config, table.tableName),
      retention,
      config.catalog && catalogFileOf(config.catalog),
    );
    this.functions = functions.byName;
    const tableArn = table.tableArn;

    const consumer = buildConsumer(functions, { tableArn, eventsQueue });

    // Dead letters of rule targets and schedules: kept 14 days, watched by an alarm.
    const targetDlq = new sqs.Queue(this, "TargetsDlq", {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    buildAlerting(this, functions, {
      tableArn,
      bus,
      sesEnvironment: {
        SENDER_ADDRESS: config.senderAddress,
        SES_CONFIGURATION_SET: configurationSet.configurationSetName,
      },
      // Sending is granted on the stage's identity and configuration set only.
      sesResources: [
        `arn:${this.partition}:ses:${this.region}:${this.account}:identity/${config.sesIdentity}`,
        `arn:${this.partition}:ses:${this.region}:${this.account}:configuration-set/${configurationSet.configurationSetName}`,
      ],
      targetDlq,
    });
    const { authorizer, api } = buildApis(this, functions, {
      tableArn,
      tableName: table.tableName,
      bus,
      logRetention: retention,
    });
    this.outputs(api.apiEndpoint);
    buildSchedules(this, { functions: this.functions, targetDlq });

    buildMonitoring(this, {
      alarmEmail: config.alarmEmail,
      table,
      bus,
      eventsQueue,
      eventsDlq,
      dossierEventsRule: stateful.dossierEventsRule,
      dossierEventsRuleDlq: stateful.dossierEventsRuleDlq,
      targetDlq,
      consumer,
      authorizer,
      functions: this.functions,
      api,
    });

    Validations.of(targetDlq).acknowledge({
      id: "AwsSolutions-SQS3",
      reason: "This queue is itself the dead-letter queue of rule targets and schedules.",
    });
  }

  /** The API's address, and what an operator invokes by hand (README "Operating it": a weekly email sent again). */
  private outputs(apiUrl: string): void {
    new CfnOutput(this, "ApiUrl", { value: apiUrl });
    const kpiReport = this.functions["kpi-report"];
    if (kpiReport) new CfnOutput(this, "KpiReportFunctionName", { value: kpiReport.fn.functionName });
  }
}
