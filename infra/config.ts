import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { countingSettings, type MonitorEnv, parseMonitorEnv } from "../lib/contracts/config";
import { AFTER_HOURS_RECEIPT } from "../lib/domain/calendar/calendar";
import { CalendarDataSchema } from "../lib/domain/calendar/calendar-data";
import { CatalogFileSchema } from "../lib/domain/catalog";
import { OfficialSettingsSchema } from "../lib/domain/official/settings";
import { PeriodSchemeSchema } from "../lib/domain/periods";
import * as z from "../lib/domain/zod";

/**
 * A stage's configuration, from CDK context (`cdk.json` or `-c stage=...`), parsed with zod so a
 * bad value stops the synth with its name. Nothing here is hard-coded per account.
 */
export const StageConfigSchema = z.strictObject({
  /** Distinguishes stacks deployed side by side (e.g. `dev`, `prod`). */
  stage: z
    .string()
    .check(z.regex(/^[a-z][a-z0-9-]{1,20}$/, "lowercase letters, digits and -, 2..21 characters")),
  /** The verified SES identity the digests and KPI emails come from. */
  senderAddress: z.email(),
  /** The SES identity to grant sending from: the sender's domain or the address itself. */
  sesIdentity: z.string().check(z.minLength(3)),
  periodScheme: z._default(PeriodSchemeSchema, { kind: "calendar-quarter" }),
  /** `HH:MM-HH:MM[,HH:MM-HH:MM]`; unset: the calendar's default (lib/domain/calendar/calendar.ts). */
  officeHours: z.optional(z.string()),
  calendarOverride: z.optional(CalendarDataSchema),
  /** The deployment's procedure catalog; unset: the seed district's sample (lib/domain/catalog.ts). */
  catalog: z.optional(CatalogFileSchema),
  strictSupplementRule: z._default(z.boolean(), false),
  /** A receipt outside office hours (docs/rules.md R1); unset: what the dossier's rule set says. */
  afterHoursReceipt: z.optional(z.enum(AFTER_HOURS_RECEIPT)),
  /** A unit an event names that the directory lacks: `reject` (default) or `accept` (README). */
  unknownUnits: z._default(z.enum(["accept", "reject"]), "reject"),
  /**
   * The official outputs (docs/official.md): the reporting office, form II.06a's code and title, domain
   * names, index targets per indicator; unset: the defaults of lib/domain/official/settings.ts.
   */
  official: z.optional(OfficialSettingsSchema),
  /** Where operators get alarms (an email address subscribed to the alarm topic), optional. */
  alarmEmail: z.optional(z.email()),
  logRetentionDays: z._default(z.union([z.literal(30), z.literal(90), z.literal(180), z.literal(365)]), 90),
});
export type StageConfig = z.infer<typeof StageConfigSchema>;

export function parseStageConfig(value: unknown): StageConfig {
  const parsed = StageConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `stage configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  checkFunctionsTakeIt(parsed.data);
  return parsed.data;
}

/** The stage's key each variable of the monitor's environment comes from. */
const SETTING_OF: Record<string, keyof StageConfig> = {
  PERIOD_SCHEME: "periodScheme",
  STRICT_SUPPLEMENT_RULE: "strictSupplementRule",
  UNKNOWN_UNITS: "unknownUnits",
  AFTER_HOURS_RECEIPT: "afterHoursReceipt",
  OFFICE_HOURS: "officeHours",
  CALENDAR_OVERRIDE: "calendarOverride",
  CATALOG: "catalog",
  OFFICIAL_SETTINGS: "official",
};

/**
 * What the stage's settings may take of a function's environment. Lambda allows 4 KB for the whole
 * environment (names and values, AWS Lambda quotas); the rest is each function's own (the table,
 * the bus, the sender, Powertools' settings). Larger settings would fail the deployment with a
 * CloudFormation error naming none of them; the catalog, which may be far larger, is bundled.
 */
export const SETTINGS_ENV_BYTES = 3072;

/**
 * The synth stops, naming the stage's key, on what every function would refuse at its cold start
 * (office hours the parser refuses, an impossible date in the calendar override, a date outside
 * its year) or what Lambda would refuse at deployment (settings larger than its environment).
 */
function checkFunctionsTakeIt(config: StageConfig): void {
  const env = monitorEnvironment(config, "checked-at-synth");
  // The catalog is parsed as the functions parse what their bundle carries (functions/commons/env.ts).
  const parsed = { ...env, ...(config.catalog ? { CATALOG: JSON.stringify(config.catalog) } : {}) };
  const name = (text: string) =>
    text.replace(/\b[A-Z_]+\b(?=:)/g, (variable) => SETTING_OF[variable] ?? variable);
  let monitorEnv: MonitorEnv;
  try {
    monitorEnv = parseMonitorEnv(parsed);
  } catch (e) {
    throw new Error(`stage configuration: ${name((e as Error).message.replace(/^configuration: /, ""))}`);
  }
  try {
    // The settings as the functions build them: the calendar's own checks, past its file's shape
    // (the override's dates, the office hours), are the ones that can still fail here.
    countingSettings(monitorEnv);
  } catch (e) {
    throw new Error(
      `stage configuration: ${config.calendarOverride ? "calendarOverride" : "officeHours"}: ${(e as Error).message}`,
    );
  }
  const bytes = (k: string) => Buffer.byteLength(k) + Buffer.byteLength(env[k] ?? "");
  const settings = Object.keys(env).filter((k) => k !== "TABLE_NAME");
  const total = settings.reduce((n, k) => n + bytes(k), 0);
  if (total > SETTINGS_ENV_BYTES) {
    const largest = settings
      .sort((a, b) => bytes(b) - bytes(a))
      .slice(0, 3)
      .map((k) => `${SETTING_OF[k] ?? k} ${bytes(k)} bytes`)
      .join(", ");
    throw new Error(
      `stage configuration: the settings take ${total} bytes of each function's environment, more than the ${SETTINGS_ENV_BYTES} Lambda's 4 KB leaves them (${largest})`,
    );
  }
}

/**
 * The monitor's environment for a stage (lib/contracts/config.ts): what a stage leaves out, the
 * functions default. Tokens (the table's name) are the caller's. The catalog is not in it: it is
 * bundled into each function (infra/project-function.ts), since a province's does not fit the
 * 4 KB Lambda allows an environment.
 */
export function monitorEnvironment(config: StageConfig, tableName: string): Record<string, string> {
  return {
    TABLE_NAME: tableName,
    PERIOD_SCHEME: JSON.stringify(config.periodScheme),
    STRICT_SUPPLEMENT_RULE: String(config.strictSupplementRule),
    UNKNOWN_UNITS: config.unknownUnits,
    ...(config.afterHoursReceipt ? { AFTER_HOURS_RECEIPT: config.afterHoursReceipt } : {}),
    ...(config.officeHours ? { OFFICE_HOURS: config.officeHours } : {}),
    ...(config.calendarOverride ? { CALENDAR_OVERRIDE: JSON.stringify(config.calendarOverride) } : {}),
    ...(config.official ? { OFFICIAL_SETTINGS: JSON.stringify(config.official) } : {}),
  };
}

/** Where the stage's catalog files are written at synth: inside the project, which bundling sees. */
const CATALOG_DIR = join(import.meta.dirname, "..", "node_modules", ".cache", "dossier-monitor");

/**
 * The stage's catalog as the JSON file each function's bundle carries (infra/project-function.ts),
 * written at synth, its path relative to the project's root. The file is named by its content (the
 * same catalog, the same file) and written whole before it takes that name, so a synth running
 * beside another never copies half of it. It lies inside the project, which CDK's bundling mounts
 * when it bundles in Docker, not in the machine's shared temporary folder.
 */
export function catalogFileOf(catalog: NonNullable<StageConfig["catalog"]>): string {
  const json = JSON.stringify(catalog);
  const name = `catalog-${createHash("sha256").update(json).digest("hex").slice(0, 16)}.json`;
  mkdirSync(CATALOG_DIR, { recursive: true });
  const partial = mkdtempSync(join(CATALOG_DIR, "partial-"));
  writeFileSync(join(partial, name), json);
  renameSync(join(partial, name), join(CATALOG_DIR, name));
  rmSync(partial, { recursive: true, force: true });
  return relative(join(import.meta.dirname, ".."), join(CATALOG_DIR, name));
}
