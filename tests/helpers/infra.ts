import { readdirSync } from "node:fs";
import { join } from "node:path";
import { App, Validations } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { expect } from "vitest";
import { buildStage } from "../../infra/app";
import { parseStageConfig } from "../../infra/config";
import { TABLE } from "../../lib/adapters/dynamodb/table";
import { ROOT } from "./fixtures";

/** The stage the infrastructure tests synthesize, with cdk-nag's AwsSolutions checks. */
export const config = parseStageConfig({
  stage: "test",
  senderAddress: "canh-bao@ubnd.example.org",
  sesIdentity: "ubnd.example.org",
  periodScheme: { kind: "reporting-window" },
  // A catalog of its own, which the stage's functions carry in their bundles (tests/infra/stacks.test.ts).
  catalog: {
    procedures: [{ code: "9.000001", vi: "Thủ tục thử", en: "A test procedure", domain: "dat-dai", days: 7 }],
  },
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

/** A statement of a synthesized role policy. */
export type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };

/** Each function's role statements (by the function's name). */
export function statementsByFunction(stateless: Template): Record<string, Statement[]> {
  const out: Record<string, Statement[]> = {};
  for (const [id, policy] of Object.entries(stateless.findResources("AWS::IAM::Policy"))) {
    const fn = functionName(id.replace(/Role.*$/, ""));
    out[fn] = [...(out[fn] ?? []), ...(policy.Properties.PolicyDocument.Statement as Statement[])];
  }
  return out;
}

/** Each function's DynamoDB actions (by the function's name), sorted. */
export function dynamoActionsByFunction(stateless: Template): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [fn, statements] of Object.entries(statementsByFunction(stateless))) {
    const actions = statements.flatMap((st) => [st.Action].flat()).filter((a) => a.startsWith("dynamodb:"));
    if (actions.length) out[fn] = [...new Set(actions)].sort();
  }
  return out;
}

/**
 * Each function's DynamoDB actions granted on some partitions only (`dynamodb:LeadingKeys`), with
 * those partitions; an action also granted without the condition would not be limited, and fails.
 */
export function dynamoPartitionsByFunction(stateless: Template): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const [fn, statements] of Object.entries(statementsByFunction(stateless))) {
    const limited = statements.filter((st) => st.Condition);
    for (const st of limited) {
      const leading = leadingKeysOf(st.Condition);
      if (leading === undefined) continue;
      const pks = [leading].flat() as string[];
      for (const action of [st.Action].flat()) {
        // An action granted in several statements (each on its partitions, under other conditions)
        // may touch the partitions of any of them.
        const before = out[fn]?.[action] ?? [];
        // A grant on an index alone (a query of the index: its partitions are not the table's) is
        // not a grant on the table's items.
        const elsewhere = statements.some(
          (o) => !o.Condition && [o.Action].flat().includes(action) && !onIndexesOnly(o.Resource),
        );
        expect(elsewhere, `${fn} ${action} granted without its partitions too`).toBe(false);
        out[fn] = { ...out[fn], [action]: [...new Set([...before, ...pks])].sort() };
      }
    }
  }
  return out;
}

/**
 * Each function's DynamoDB actions granted on some attributes only (`dynamodb:Attributes`), by
 * action and partition: the attributes a request to that partition may name.
 */
export function dynamoAttributesByFunction(
  stateless: Template,
): Record<string, Record<string, Record<string, string[]>>> {
  const out: Record<string, Record<string, Record<string, string[]>>> = {};
  for (const [fn, statements] of Object.entries(statementsByFunction(stateless)))
    for (const st of statements) {
      const condition = st.Condition as Record<string, Record<string, unknown>> | undefined;
      const attributes = condition?.["ForAllValues:StringEquals"]?.["dynamodb:Attributes"];
      if (attributes === undefined) continue;
      // Returning nothing of the item, or a limit on what is written would not limit what is read.
      expect(condition?.StringEqualsIfExists?.["dynamodb:ReturnValues"], `${fn} returns values`).toBe("NONE");
      const leading = leadingKeysOf(condition);
      for (const action of [st.Action].flat())
        for (const pk of [leading ?? "*"].flat())
          out[fn] = {
            ...out[fn],
            [action]: { ...out[fn]?.[action], [pk]: [...([attributes].flat() as string[])].sort() },
          };
    }
  return out;
}

/** The partitions a statement's condition names (`dynamodb:LeadingKeys`, with or without a wildcard). */
function leadingKeysOf(condition: Record<string, unknown> | undefined): string | string[] | undefined {
  const under = (operator: string) =>
    (condition?.[operator] as Record<string, unknown> | undefined)?.["dynamodb:LeadingKeys"];
  return (under("ForAllValues:StringEquals") ?? under("ForAllValues:StringLike")) as
    | string
    | string[]
    | undefined;
}

/**
 * A statement's resources are the table's own indexes only (`…/index/<name>`, each one of the
 * table's, no wildcard), none the table itself.
 */
const onIndexesOnly = (resource: unknown) =>
  [resource].flat().every((r) => {
    const text = JSON.stringify(r);
    return (
      !text.includes("*") &&
      [TABLE.sweepIndex.name, TABLE.slaIndex.name].some((name) =>
        new RegExp(`/index/${name}"(\\]\\]\\})?$`).test(text),
      )
    );
  });

/** A function's name from its logical id (which drops the hyphens of the construct id). */
function functionName(id: string): string {
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
  return names.find((n) => n.replace("-", "") === id) ?? id;
}
