import { Stack, TimeZone, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import * as schedulerTargets from "aws-cdk-lib/aws-scheduler-targets";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { SCHEDULE_TIME_ZONE, SCHEDULES } from "../lib/contracts/schedules";
import type { ProjectFunction } from "./project-function";

/**
 * The schedules of lib/contracts/schedules.ts (the local stack fires the same ones), in
 * Asia/Ho_Chi_Minh, each with a role that may invoke its target only.
 */
export function buildSchedules(
  scope: Construct,
  props: { functions: Record<string, ProjectFunction>; targetDlq: sqs.IQueue },
): void {
  const stack = Stack.of(scope);
  for (const s of SCHEDULES) {
    const fn = props.functions[s.target];
    if (!fn) throw new Error(`schedule ${s.id}: no function ${s.target}`);
    const role = new iam.Role(scope, `${s.id}Role`, {
      assumedBy: new iam.ServicePrincipal("scheduler.amazonaws.com", {
        conditions: { StringEquals: { "aws:SourceAccount": stack.account } },
      }),
      description: `EventBridge Scheduler: invoke ${s.target}`,
    });
    new scheduler.Schedule(scope, s.id, {
      description: s.description,
      schedule: scheduler.ScheduleExpression.expression(s.expression, TimeZone.of(SCHEDULE_TIME_ZONE)),
      target: new schedulerTargets.LambdaInvoke(fn.fn, {
        // What the function is told to do (kpi-report: `weekly` or `close`), the same input the
        // local scheduler passes (dev/local/stack.ts): without it kpi-report refuses every run.
        ...(s.input && { input: scheduler.ScheduleTargetInput.fromObject(s.input) }),
        role,
        retryAttempts: 2,
        deadLetterQueue: props.targetDlq,
      }),
    });
    const fnId = stack.resolve(stack.getLogicalId(fn.fn.node.defaultChild as lambda.CfnFunction));
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnId}.Arn>:*]`,
      reason:
        "The scheduler may invoke only this function; CDK's invoke grant also names its qualified ARNs (versions and aliases), hence :*.",
    });
  }
}
