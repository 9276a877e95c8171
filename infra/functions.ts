import type { Duration } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import {
  countersPk,
  digestKey,
  digestLanguageKey,
  dossierPk,
  periodPk,
  UNIT_PK,
} from "../lib/adapters/dynamodb/keys";
import { TABLE } from "../lib/adapters/dynamodb/table";
import { ProjectFunction } from "./project-function";

/**
 * The stateless stack's functions, made one way: each with the monitor's environment plus its
 * own, kept by name (the schedules find their targets here). Constructs are created in the stack's
 * scope, so their logical ids do not depend on which file builds them.
 */
export class FunctionSet {
  readonly byName: Record<string, ProjectFunction> = {};

  constructor(
    private readonly scope: Construct,
    private readonly environment: Record<string, string>,
    private readonly logRetention: logs.RetentionDays,
    /** The stage's procedure catalog as a JSON file, bundled into each function (infra/project-function.ts). */
    private readonly catalogFile?: string,
  ) {}

  make(
    name: string,
    description: string,
    extra: Record<string, string> = {},
    timeout?: Duration,
    memorySize?: number,
  ): ProjectFunction {
    const f = new ProjectFunction(this.scope, name, {
      name,
      description,
      environment: { ...this.environment, ...extra },
      logRetention: this.logRetention,
      timeout,
      memorySize,
      catalogFile: this.catalogFile,
    });
    this.byName[name] = f;
    return f;
  }
}

/** Adds a least-privilege statement to a function's role, under `conditions` if given. */
export function allow(
  f: ProjectFunction,
  actions: string[],
  resources: string[],
  conditions?: Record<string, Record<string, unknown>>,
): void {
  f.role.addToPolicy(new iam.PolicyStatement({ actions, resources, ...(conditions && { conditions }) }));
}

/**
 * The condition that keeps DynamoDB actions to items of these partitions (`pk`, or a prefix ending
 * in `*`): a function that writes one kind of item (a rate window, a suppressed address) cannot
 * write any other.
 */
/**
 * The partitions grants name by kind (a trailing `*`: every partition with that prefix), from the
 * key builders the adapters write with (lib/adapters/dynamodb/keys.ts).
 */
export const PARTITIONS = {
  /** A dossier's item, its stored events and its alert history. */
  dossiers: `${dossierPk("")}*`,
  /** A period's counter items. */
  counters: `${countersPk("")}*`,
  /** A period's issued report and its snapshots. */
  periods: `${periodPk("")}*`,
  /** The digests sent, by day. */
  digests: `${digestKey("", 0, "").pk}*`,
  /** Which languages of a digest were sent. */
  digestLanguages: digestLanguageKey("").pk,
  /** The unit directory and its agency tree, which every function that names or checks units reads. */
  directory: UNIT_PK,
} as const;

export const onlyPartitions = (...pks: string[]) => ({
  [pks.some((pk) => pk.endsWith("*")) ? "ForAllValues:StringLike" : "ForAllValues:StringEquals"]: {
    "dynamodb:LeadingKeys": pks,
  },
});

type Conditions = Record<string, Record<string, unknown>>;

/**
 * The condition that keeps writes to these attributes of an item (IAM's `dynamodb:Attributes`,
 * every attribute a request names; the key's always allowed), returning nothing of the item: what
 * `dynamodb:LeadingKeys` cannot do within a partition, where a function's own items sit beside
 * items it must not rewrite.
 */
export const onlyAttributes = (...names: string[]): Conditions => ({
  "ForAllValues:StringEquals": {
    "dynamodb:Attributes": [...new Set([TABLE.partitionKey, TABLE.sortKey, ...names])].sort(),
  },
  StringEqualsIfExists: { "dynamodb:ReturnValues": "NONE" },
});

/** Conditions that must all hold, merged by operator (IAM ANDs the keys of one statement). */
export function allOf(...parts: Conditions[]): Conditions {
  const out: Conditions = {};
  for (const part of parts)
    for (const [operator, keys] of Object.entries(part)) out[operator] = { ...out[operator], ...keys };
  return out;
}
