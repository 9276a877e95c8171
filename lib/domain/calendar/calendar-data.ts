import * as z from "../zod";

/**
 * The working-day calendar's data (docs/calendar.md): each year's official days off and make-up
 * working days, naming the document that decided them, a deployment's overrides merged over
 * them, and office hours. ./calendar.ts computes working time from it.
 */

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DateOrRangeSchema = z.string().check(
  z.refine((s) => s.split("..").length <= 2 && s.split("..").every((d) => DATE.test(d)), {
    message: "expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD",
  }),
  // A range written backwards holds no day: a day off given so would be lost without a word.
  z.refine(
    (s) => {
      const [from, to] = s.split("..");
      return to === undefined || (from as string) <= to;
    },
    { message: "a range's first day must not be after its last" },
  ),
);

export const CalendarYearSchema = z.strictObject({
  /** What decided this year's days off (decree, notice, provincial decision). */
  document: z.string().check(z.minLength(1)),
  daysOff: z._default(z.array(DateOrRangeSchema), []),
  makeUpWorkingDays: z._default(z.array(DateOrRangeSchema), []),
  /** `extend` (default) adds to the shipped year; `replace` replaces it. Only meaningful in overrides. */
  mode: z.optional(z.enum(["extend", "replace"])),
});
export type CalendarYear = z.infer<typeof CalendarYearSchema>;

export const CalendarDataSchema = z.object({
  $comment: z.optional(z.string()),
  years: z.record(z.string().check(z.regex(/^\d{4}$/, "a year, e.g. 2026")), CalendarYearSchema),
});
export type CalendarData = z.infer<typeof CalendarDataSchema>;

/** Office hours as [start, end) minute ranges of the local day. */
export type OfficeHours = readonly (readonly [number, number])[];

/** Parses `07:00-11:30,13:30-17:00`. */
export function parseOfficeHours(text: string): OfficeHours {
  const ranges = text.split(",").map((part) => {
    const m = /^\s*(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})\s*$/.exec(part);
    if (!m) throw new Error(`office hours: expected HH:MM-HH:MM[,HH:MM-HH:MM], got "${text}"`);
    return [Number(m[1]) * 60 + Number(m[2]), Number(m[3]) * 60 + Number(m[4])] as const;
  });
  let last = -1;
  for (const [start, end] of ranges) {
    if (start >= end || start < last || end > 24 * 60) {
      throw new Error(`office hours: ranges must be increasing and within the day, got "${text}"`);
    }
    last = end;
  }
  return ranges;
}

/** 07:00–11:30 and 13:30–17:00: the default of docs/calendar.md (8 working hours a day). */
export const DEFAULT_OFFICE_HOURS: OfficeHours = parseOfficeHours("07:00-11:30,13:30-17:00");

/** Merges deployment overrides over base data, year by year. */
export function mergeCalendarData(base: CalendarData, ...overrides: CalendarData[]): CalendarData {
  const years: Record<string, CalendarYear> = { ...base.years };
  for (const override of overrides) {
    for (const [year, entry] of Object.entries(override.years)) {
      const prior = years[year];
      years[year] =
        entry.mode === "replace" || !prior
          ? { ...entry, mode: undefined }
          : {
              document: `${prior.document}; ${entry.document}`,
              daysOff: [...prior.daysOff, ...entry.daysOff],
              makeUpWorkingDays: [...prior.makeUpWorkingDays, ...entry.makeUpWorkingDays],
            };
    }
  }
  return { years };
}
