import { AFTER_HOURS_RECEIPT, WorkingCalendar } from "../domain/calendar/calendar";
import {
  CalendarDataSchema,
  DEFAULT_OFFICE_HOURS,
  type OfficeHours,
  parseOfficeHours,
} from "../domain/calendar/calendar-data";
import { type Catalog, catalogOf, loadCatalog, SEED_CATALOG } from "../domain/catalog";
import type { CountingSettings } from "../domain/counting";
import {
  DEFAULT_OFFICIAL_SETTINGS,
  loadOfficialSettings,
  type OfficialSettings,
  withCatalogDomains,
} from "../domain/official/settings";
import { CALENDAR_QUARTER, type PeriodScheme, PeriodSchemeSchema } from "../domain/periods";
import type { Problem, Result } from "../domain/result";
import * as z from "../domain/zod";

/**
 * The deployment's settings, parsed once at cold start from the environment a function (or the
 * local stack) is given: fail fast, no silent defaults for names (docs/style.md 7). `lib/` never reads
 * `process.env` itself; callers pass it in.
 */

/** A string, then read by `read` (zod's `z.string().transform(read)`). */
const readString = <T>(read: (text: string, ctx: z.core.ParsePayload) => T) =>
  z.pipe(z.string(), z.transform(read));

/** What classic zod's `ctx.addIssue` did in a transform: mini's transforms are given the bare payload. */
const addIssue = (ctx: z.core.ParsePayload, message: string) =>
  ctx.issues.push({ code: "custom", message, input: ctx.value });

const json = <T extends z.ZodMiniType>(schema: T) =>
  readString((text, ctx) => {
    try {
      return schema.parse(JSON.parse(text)) as z.infer<T>;
    } catch (e) {
      addIssue(ctx, `not valid: ${(e as Error).message.slice(0, 300)}`);
      return z.NEVER;
    }
  });

/**
 * Office hours `HH:MM-HH:MM[,HH:MM-HH:MM]`; the default is the calendar's (docs/calendar.md), written
 * there once.
 */
const OfficeHoursEnv = readString((text, ctx): OfficeHours => {
  try {
    return parseOfficeHours(text);
  } catch (e) {
    addIssue(ctx, (e as Error).message);
    return z.NEVER;
  }
});

/**
 * A JSON setting read by `load` (which names each bad field), at most 20 problems reported: the
 * procedure catalog ({@link CatalogFileSchema}) and the official outputs' settings
 * ({@link OfficialSettingsSchema}).
 */
const jsonEnv = <T>(load: (json: unknown) => Result<T, Problem[]>) =>
  readString((text, ctx): T => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      addIssue(ctx, `not JSON: ${(e as Error).message.slice(0, 300)}`);
      return z.NEVER;
    }
    const loaded = load(json);
    if (loaded.ok) return loaded.value;
    for (const p of loaded.error.slice(0, 20)) addIssue(ctx, `${p.path}: ${p.message}`);
    return z.NEVER;
  });
const CatalogEnv = jsonEnv<Catalog>(loadCatalog);
const OfficialSettingsEnv = jsonEnv<OfficialSettings>(loadOfficialSettings);

const SchemeEnv = z.union([
  z.pipe(
    z.literal("calendar-quarter"),
    z.transform((): PeriodScheme => CALENDAR_QUARTER),
  ),
  z.pipe(
    z.literal("reporting-window"),
    z.transform((): PeriodScheme => ({ kind: "reporting-window" })),
  ),
  json(PeriodSchemeSchema),
]);

export const MonitorEnvSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(3)),
  /** `calendar-quarter` (default), `reporting-window`, or a JSON period scheme with explicit windows. */
  PERIOD_SCHEME: z._default(SchemeEnv, CALENDAR_QUARTER),
  /** A calendar override (JSON, the shape of lib/domain/calendar/data/vn-official.json). */
  CALENDAR_OVERRIDE: z.optional(json(CalendarDataSchema)),
  /** Office hours (default: the calendar's, 07:00–11:30 and 13:30–17:00). */
  OFFICE_HOURS: z._default(OfficeHoursEnv, DEFAULT_OFFICE_HOURS),
  /**
   * The deployment's procedure catalog (JSON, the shape of `CatalogFileSchema` in
   * lib/domain/catalog.ts); default: the seed district's sample catalog.
   */
  CATALOG: z._default(CatalogEnv, SEED_CATALOG),
  STRICT_SUPPLEMENT_RULE: z._default(z.enum(["true", "false"]), "false"),
  /**
   * A receipt outside office hours (docs/rules.md R1): `next-session` counts it from the next working
   * session, `as-is` from its instant. Unset: what the dossier's rule set says (lib/domain/rules.ts).
   */
  AFTER_HOURS_RECEIPT: z.optional(z.enum(AFTER_HOURS_RECEIPT)),
  /**
   * A unit id an event names (`data.unitId`, `data.toUnitId`) that is not in the unit directory:
   * `reject` (default: any key holder could otherwise invent units, which become digests to
   * leadership and rows of the official report) or `accept` (while a directory is being built).
   */
  UNKNOWN_UNITS: z._default(z.enum(["accept", "reject"]), "reject"),
  /**
   * The official outputs (docs/official.md): the reporting office, form II.06a's code and title,
   * withdrawn dossiers in the form, domain names, index targets per indicator (JSON, the shape of
   * `OfficialSettingsSchema` in lib/domain/official/settings.ts). Unset: the defaults there.
   */
  OFFICIAL_SETTINGS: z._default(OfficialSettingsEnv, DEFAULT_OFFICIAL_SETTINGS),
});
export type MonitorEnv = z.infer<typeof MonitorEnvSchema>;

/** What a function that publishes to the bus adds to the monitor's environment. */
export const BusEnvShape = { EVENT_BUS_NAME: z.string().check(z.minLength(1)) };

/** What a function that sends email adds to the monitor's environment. */
export const SesEnvShape = {
  SENDER_ADDRESS: z.email(),
  SES_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))),
};

/** An environment as a process has it (Lambda's, or the one the local stack composes). */
export type RawEnv = Record<string, string | undefined>;

/**
 * Parses an environment with a function's schema (the monitor's, extended); throws naming every
 * bad variable, at cold start (docs/style.md 7).
 */
export function parseEnv<S extends z.ZodMiniType>(schema: S, env: RawEnv): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`configuration: ${problems}`);
  }
  return parsed.data;
}

/** Parses the monitor's own environment; throws naming every bad variable. */
export function parseMonitorEnv(env: RawEnv): MonitorEnv {
  return parseEnv(MonitorEnvSchema, env);
}

/**
 * The official outputs' settings of a deployment: its own, over the catalog's domain names (so a
 * deployment that names its domains in its catalog sees them in the form too).
 */
export function officialSettings(env: MonitorEnv): OfficialSettings {
  return withCatalogDomains(env.OFFICIAL_SETTINGS, env.CATALOG.domains);
}

/** The counting settings of a deployment. */
export function countingSettings(env: MonitorEnv): CountingSettings {
  return {
    calendar: WorkingCalendar.official(
      env.CALENDAR_OVERRIDE ? [env.CALENDAR_OVERRIDE] : [],
      env.OFFICE_HOURS,
    ),
    catalog: catalogOf([...env.CATALOG.procedures.values()]),
    strictSupplementRule: env.STRICT_SUPPLEMENT_RULE === "true",
    afterHoursReceipt: env.AFTER_HOURS_RECEIPT,
    scheme: env.PERIOD_SCHEME,
  };
}
