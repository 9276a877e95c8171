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
  return parsed.data;
}

/**
 * The monitor's environment for a stage (lib/contracts/config.ts): what a stage leaves out, the
 * functions default. Tokens (the table's name) are the caller's.
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
    ...(config.catalog ? { CATALOG: JSON.stringify(config.catalog) } : {}),
    ...(config.official ? { OFFICIAL_SETTINGS: JSON.stringify(config.official) } : {}),
  };
}
