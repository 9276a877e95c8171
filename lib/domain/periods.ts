import { addDays, endOfLocalDate, isLocalDate, type LocalDate, localDate, startOfLocalDate } from "./time";
import * as z from "./zod";

/**
 * Reporting periods (docs/kpis.md "Periods"): `[from, to]` local dates, inclusive. A deployment picks one
 * scheme: calendar quarters, the state reporting window (15th of the quarter's first month's
 * predecessor … 14th of its last month), or explicit windows.
 */

export interface Period {
  name: string;
  from: LocalDate;
  to: LocalDate;
}

const LocalDateSchema = z.string().check(z.refine(isLocalDate, "expected a date YYYY-MM-DD"));

export const PeriodSchema = z
  .object({
    name: z.string().check(z.minLength(1), z.maxLength(64)),
    from: LocalDateSchema,
    to: LocalDateSchema,
  })
  .check(z.refine((p) => p.from <= p.to, { message: "from must not be after to", path: ["to"] }));

/**
 * Explicit windows are one series of periods: each name once, no day in two windows. The current
 * period, the previous one beside it, and the period a night's close freezes are each one window;
 * overlapping windows (a year over its quarters) made the year the current period all year, its
 * previous one a quarter, and left it never closed.
 */
const WindowsSchema = z.array(PeriodSchema).check(
  z.minLength(1),
  z.superRefine((windows, ctx) => {
    windows.forEach((w, i) => {
      const before = windows.slice(0, i);
      const named = before.findIndex((o) => o.name === w.name);
      if (named >= 0)
        ctx.addIssue({ code: "custom", path: [i, "name"], message: `${w.name} names windows[${named}] too` });
      const over = before.findIndex((o) => o.from <= w.to && w.from <= o.to);
      if (over >= 0) {
        const o = windows[over] as Period;
        ctx.addIssue({
          code: "custom",
          path: [i, "from"],
          message: `overlaps windows[${over}] (${o.name}: ${o.from}..${o.to}): a day is in one window at most`,
        });
      }
    });
  }),
);

export const PeriodSchemeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("calendar-quarter") }),
  z.object({ kind: z.literal("reporting-window") }),
  z.object({ kind: z.literal("explicit"), windows: WindowsSchema }),
]);
export type PeriodScheme = z.infer<typeof PeriodSchemeSchema>;

export const CALENDAR_QUARTER: PeriodScheme = { kind: "calendar-quarter" };

const pad = (n: number) => String(n).padStart(2, "0");

function quarterOf(date: LocalDate): { year: number; q: number } {
  return { year: Number(date.slice(0, 4)), q: Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1 };
}

function calendarQuarter(year: number, q: number): Period {
  const firstMonth = (q - 1) * 3 + 1;
  const from = `${year}-${pad(firstMonth)}-01`;
  const to = addDays(q === 4 ? `${year + 1}-01-01` : `${year}-${pad(firstMonth + 3)}-01`, -1);
  return { name: `${year}-Q${q}`, from, to };
}

/**
 * The state reporting regime's quarter, the cut-off of periodic reports as a province's rules under
 * Decree 09/2019/NĐ-CP apply it ("từ ngày 15 tháng trước đến ngày 14 của tháng cuối quý"; the
 * decree's article not read: docs/official.md "Sources"): Q3 2022 = 2022-06-15 .. 2022-09-14;
 * Q1 2023 = 2022-12-15 .. 2023-03-14.
 */
function reportingWindow(year: number, q: number): Period {
  const lastMonth = q * 3;
  const prevLast = lastMonth - 3;
  const from = prevLast === 0 ? `${year - 1}-12-15` : `${year}-${pad(prevLast)}-15`;
  return { name: `${year}-Q${q}`, from, to: `${year}-${pad(lastMonth)}-14` };
}

/** A quarter's name, of a year from 2000 on, as every instant of the contract is (events/schema.ts). */
const QUARTER_NAME = /^([2-9]\d{3})-Q([1-4])$/;

/** The period named `name` in `scheme`; `undefined` when the scheme has none by that name. */
export function periodByName(scheme: PeriodScheme, name: string): Period | undefined {
  if (scheme.kind === "explicit") return scheme.windows.find((w) => w.name === name);
  const m = QUARTER_NAME.exec(name);
  if (!m) return undefined;
  const make = scheme.kind === "calendar-quarter" ? calendarQuarter : reportingWindow;
  return make(Number(m[1]), Number(m[2]));
}

/** The period containing a local date, if any (explicit windows may leave gaps). */
export function periodOfDate(scheme: PeriodScheme, date: LocalDate): Period | undefined {
  if (scheme.kind === "explicit") return scheme.windows.find((w) => w.from <= date && date <= w.to);
  const { year, q } = quarterOf(date);
  if (scheme.kind === "calendar-quarter") return calendarQuarter(year, q);
  const window = reportingWindow(year, q);
  if (date <= window.to) return window;
  return q === 4 ? reportingWindow(year + 1, 1) : reportingWindow(year, q + 1);
}

/** The period containing an instant. */
export function periodOf(scheme: PeriodScheme, at: number): Period | undefined {
  return periodOfDate(scheme, localDate(at));
}

/** The period after `period` in the scheme. */
export function nextPeriod(scheme: PeriodScheme, period: Period): Period | undefined {
  if (scheme.kind === "explicit") {
    const sorted = [...scheme.windows].sort((a, b) => (a.from < b.from ? -1 : 1));
    return sorted.find((w) => w.from > period.to);
  }
  return periodOfDate(scheme, addDays(period.to, 1));
}

/** The period before `period` in the scheme. */
export function previousPeriod(scheme: PeriodScheme, period: Period): Period | undefined {
  if (scheme.kind === "explicit") {
    const sorted = [...scheme.windows].sort((a, b) => (a.from < b.from ? 1 : -1));
    return sorted.find((w) => w.to < period.from);
  }
  return periodOfDate(scheme, addDays(period.from, -1));
}

/** Every period of the scheme that intersects `[fromMs, toMs]`, in order. */
export function periodsBetween(scheme: PeriodScheme, fromMs: number, toMs: number): Period[] {
  if (toMs < fromMs) return [];
  if (scheme.kind === "explicit") {
    return scheme.windows
      .filter((w) => startOfLocalDate(w.from) <= toMs && endOfLocalDate(w.to) >= fromMs)
      .sort((a, b) => (a.from < b.from ? -1 : 1));
  }
  const out: Period[] = [];
  for (let p = periodOf(scheme, fromMs); p && startOfLocalDate(p.from) <= toMs; p = nextPeriod(scheme, p)) {
    out.push(p);
  }
  return out;
}

/** An explicit window named by its dates, e.g. `2022-06-06..2022-09-05`. */
export function explicitPeriod(from: LocalDate, to: LocalDate, name = `${from}..${to}`): Period {
  return PeriodSchema.parse({ name, from, to });
}

/** `[start, end]` instants of a period: local midnight of `from` to the last millisecond of `to`. */
export function periodBounds(period: Period): { start: number; end: number } {
  return { start: startOfLocalDate(period.from), end: endOfLocalDate(period.to) };
}
