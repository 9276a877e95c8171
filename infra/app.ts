import { App, Tags, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { parseStageConfig, type StageConfig } from "./config";
import { StatefulStack } from "./stateful-stack";
import { StatelessStack } from "./stateless-stack";

/** Builds a stage's two stacks; several stages deploy side by side (their names carry the stage). */
export function buildStage(app: App, config: StageConfig) {
  const prefix = `DossierMonitor-${config.stage}`;
  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    description: "dossier-monitor: data (retained)",
  });
  const stateless = new StatelessStack(app, `${prefix}-Stateless`, {
    description: "dossier-monitor: functions, rules, schedules, alarms",
    config,
    stateful,
  });
  stateless.addStackDependency(stateful);
  // Every taggable resource but the CloudWatch dashboard: aws-cdk-lib's resource specification
  // gives it Tags, cfn-lint's schemas (README: "Checks on the template") refuse them, and a
  // dashboard's tags allocate no cost.
  const tagged = { excludeResourceTypes: ["AWS::CloudWatch::Dashboard"] };
  for (const stack of [stateful, stateless]) {
    Tags.of(stack).add("project", "dossier-monitor", tagged);
    Tags.of(stack).add("stage", config.stage, tagged);
  }
  return { stateful, stateless };
}

/** The app `cdk synth` runs: the stage named by `-c stage=NAME`, configured under `stages` in cdk.json. */
export function main(app = new App()) {
  const stageName = (app.node.tryGetContext("stage") as string | undefined) ?? "dev";
  const stages = (app.node.tryGetContext("stages") ?? {}) as Record<string, unknown>;
  if (!stages[stageName])
    throw new Error(`cdk.json has no stages.${stageName}: add one, or pass -c stage=<name>`);
  const config = parseStageConfig({ stage: stageName, ...(stages[stageName] as object) });
  buildStage(app, config);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return app;
}

if (process.argv[1]?.endsWith("app.ts")) main().synth();
