import { readdirSync } from "node:fs";
import { join } from "node:path";
import { App, Validations } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { expect } from "vitest";
import { buildStage } from "../../infra/app";
import { parseStageConfig } from "../../infra/config";
import { ROOT } from "./fixtures";

/** The stage the infrastructure tests synthesize, with cdk-nag's AwsSolutions checks. */
export const config = parseStageConfig({
  stage: "test",
  senderAddress: "canh-bao@ubnd.example.org",
  sesIdentity: "ubnd.example.org",
  periodScheme: { kind: "reporting-window" },
});

/**
 * No function bundled: CDK skips bundling for the stacks this context does not list, so a test
 * about the stage's shape or cdk-nag's findings does not pay for eight esbuild runs.
 */
export const NO_BUNDLING = { "aws:cdk:bundling-stacks": [] };

export function synthStage(
  extra?: (app: App, stacks: ReturnType<typeof buildStage>) => void,
  options: { bundle?: boolean } = {},
) {
  const app = new App({
    context: {
      "@aws-cdk/core:defaultCrossStackReferences": "strong",
      ...(options.bundle === false ? NO_BUNDLING : {}),
    },
  });
  const stacks = buildStage(app, config);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  extra?.(app, stacks);
  app.synth();
  return { app, ...stacks };
}

/** Every source file of the stacks (infra/), so a new construct file is never left unchecked. */
export const infraSources = () =>
  readdirSync(join(ROOT, "infra"))
    .filter((f) => f.endsWith(".ts"))
    .sort()
    .map((f) => `infra/${f}`);

/** The one resource of a type whose logical id starts with a prefix. */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids, `${type} ${prefix}*`).toHaveLength(1);
  return ids[0] as string;
}

/** Each function's DynamoDB actions (by the function's name), sorted. */
export function dynamoActionsByFunction(stateless: Template): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [id, policy] of Object.entries(stateless.findResources("AWS::IAM::Policy"))) {
    const fn = id.replace(/Role.*$/, "");
    const actions = (policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
      .flatMap((st) => [st.Action].flat())
      .filter((a) => a.startsWith("dynamodb:"));
    if (actions.length) out[fn] = [...new Set([...(out[fn] ?? []), ...actions])].sort();
  }
  // Logical ids drop the hyphens of the construct ids: map them back to the functions' names.
  const names = [
    "apply-events",
    "authorizer",
    "ingest-api",
    "kpi-report",
    "query-api",
    "send-alerts",
    "ses-feedback",
    "sweep-deadlines",
  ];
  return Object.fromEntries(
    Object.entries(out).map(([id, actions]) => [names.find((n) => n.replace("-", "") === id) ?? id, actions]),
  );
}
