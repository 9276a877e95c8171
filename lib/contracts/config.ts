import * as z from "zod";
import { CalendarDataSchema, parseOfficeHours, WorkingCalendar } from "../domain/calendar/calendar";
import { catalogOf } from "../domain/catalog";
import type { CountingSettings } from "../domain/counting";
import { CALENDAR_QUARTER, type PeriodScheme, PeriodSchemeSchema } from "../domain/periods";

/**
 * The deployment's settings, parsed once at cold start from the environment a function (or the
 * local stack) is given: fail fast, no silent defaults for names (STYLE.md 7). `lib/` never reads
 * `process.env` itself; callers pass it in.
 */

const json = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx) => {
    try {
      return schema.parse(JSON.parse(text)) as z.infer<T>;
    } catch (e) {
      ctx.addIssue({ code: "custom", message: `not valid: ${(e as Error).message.slice(0, 300)}` });
      return z.NEVER;
    }
  });

const SchemeEnv = z.union([
  z.literal("calendar-quarter").transform((): PeriodScheme => CALENDAR_QUARTER),
  z.literal("reporting-window").transform((): PeriodScheme => ({ kind: "reporting-window" })),
  json(PeriodSchemeSchema),
]);

export const MonitorEnvSchema = z.object({
  TABLE_NAME: z.string().min(3),
  /** `calendar-quarter` (default), `reporting-window`, or a JSON period scheme with explicit windows. */
  PERIOD_SCHEME: SchemeEnv.default(CALENDAR_QUARTER),
  /** A calendar override (JSON, the shape of lib/domain/calendar/data/vn-official.json). */
  CALENDAR_OVERRIDE: json(CalendarDataSchema).optional(),
  OFFICE_HOURS: z.string().default("07:00-11:30,13:30-17:00"),
  STRICT_SUPPLEMENT_RULE: z.enum(["true", "false"]).default("false"),
  /**
   * A unit id an event names (`data.unitId`, `data.toUnitId`) that is not in the unit directory:
   * `reject` (default: any key holder could otherwise invent units, which become digests to
   * leadership and rows of the official report) or `accept` (while a directory is being built).
   */
  UNKNOWN_UNITS: z.enum(["accept", "reject"]).default("reject"),
});
export type MonitorEnv = z.infer<typeof MonitorEnvSchema>;

/** Parses the environment; throws naming every bad variable. */
export function parseMonitorEnv(env: Record<string, string | undefined>): MonitorEnv {
  const parsed = MonitorEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`configuration: ${problems}`);
  }
  return parsed.data;
}

/** The counting settings of a deployment. */
export function countingSettings(env: MonitorEnv): CountingSettings {
  return {
    calendar: WorkingCalendar.official(
      env.CALENDAR_OVERRIDE ? [env.CALENDAR_OVERRIDE] : [],
      parseOfficeHours(env.OFFICE_HOURS),
    ),
    catalog: catalogOf(),
    strictSupplementRule: env.STRICT_SUPPLEMENT_RULE === "true",
    scheme: env.PERIOD_SCHEME,
  };
}
