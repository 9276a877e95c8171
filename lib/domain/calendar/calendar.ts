import {
  addDays,
  DAY_MS,
  HOUR_MS,
  type LocalDate,
  localDate,
  MINUTE_MS,
  OFFSET_MS,
  startOfLocalDate,
} from "../time";
import {
  type CalendarData,
  CalendarDataSchema,
  DEFAULT_OFFICE_HOURS,
  mergeCalendarData,
  type OfficeHours,
} from "./calendar-data";
import official from "./data/vn-official.json" with { type: "json" };
import { type CalendarResult, CalendarYearMissingError, calendarResult } from "./result";

export { type CalendarResult, CalendarYearMissingError, calendarResult };

/**
 * The working-day calendar of docs/calendar.md: official days off and make-up working days as data,
 * one entry per year naming the document that decided it; office hours per deployment.
 */

function expand(entries: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    const [from, to = from] = entry.split("..") as [string, string?];
    for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  }
  return out;
}

/** Local day number: days since 1970-01-01 in local time. */
function dayNumber(ms: number): number {
  return Math.floor((ms + OFFSET_MS) / DAY_MS);
}

interface YearDays {
  document: string;
  daysOff: Set<LocalDate>;
  makeUp: Set<LocalDate>;
}

/** How many days before a year without calendar data the monitor warns (logs, alarm, KPI email). */
export const CALENDAR_WARNING_DAYS = 60;

/** Whether a local day number is Monday to Friday (1970-01-01 was a Thursday). */
const isWeekday = (day: number) => {
  const dow = (day + 4) % 7;
  return dow !== 0 && dow !== 6;
};

export class WorkingCalendar {
  private readonly years = new Map<number, YearDays>();
  private readonly dayCache = new Map<number, boolean>();
  /** Working time in one full working day (8 h by default). */
  readonly workingDayMs: number;
  readonly closeMinutes: number;

  constructor(
    data: CalendarData,
    readonly hours: OfficeHours = DEFAULT_OFFICE_HOURS,
  ) {
    const parsed = CalendarDataSchema.parse(data);
    for (const [year, entry] of Object.entries(parsed.years)) {
      const daysOff = new Set(expand(entry.daysOff));
      const makeUp = new Set(expand(entry.makeUpWorkingDays));
      for (const d of [...daysOff, ...makeUp]) {
        if (!d.startsWith(`${year}-`)) throw new Error(`calendar ${year}: ${d} is not in ${year}`);
      }
      this.years.set(Number(year), { document: entry.document, daysOff, makeUp });
    }
    this.workingDayMs = hours.reduce((sum, [s, e]) => sum + (e - s) * MINUTE_MS, 0);
    const lastRange = hours[hours.length - 1];
    if (!lastRange) throw new Error("office hours: at least one range is required");
    this.closeMinutes = lastRange[1];
  }

  /** The shipped official calendar, with a deployment's overrides applied. */
  static official(overrides: CalendarData[] = [], hours?: OfficeHours): WorkingCalendar {
    return new WorkingCalendar(mergeCalendarData(CalendarDataSchema.parse(official), ...overrides), hours);
  }

  /** The years with data, and the documents behind them. */
  documents(): { year: number; document: string }[] {
    return [...this.years.entries()]
      .sort(([a], [b]) => a - b)
      .map(([year, y]) => ({ year, document: y.document }));
  }

  /**
   * How far the data reaches from `now`: the first year without data (from `now`'s year on) and the
   * whole days left until it starts (0 when `now`'s own year has none). Deadlines cannot be computed
   * past it, so a deployment must add that year's entry before then.
   */
  coverageFrom(now: number): { missingYear: number; daysLeft: number } {
    let year = Number(localDate(now).slice(0, 4));
    while (this.years.has(year)) year++;
    const starts = startOfLocalDate(`${year}-01-01` as LocalDate);
    return { missingYear: year, daysLeft: Math.max(0, Math.floor((starts - now) / DAY_MS)) };
  }

  isWorkingDay(date: LocalDate): boolean {
    return this.isWorkingDayNumber(dayNumber(startOfLocalDate(date)));
  }

  /** Working day by local day number (days since 1970-01-01 local): the hot path, cached. */
  private isWorkingDayNumber(day: number): boolean {
    const cached = this.dayCache.get(day);
    if (cached !== undefined) return cached;
    const date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    const year = Number(date.slice(0, 4));
    const data = this.years.get(year);
    if (!data) throw new CalendarYearMissingError(year);
    // Monday to Friday: the state offices' 40-hour week, Saturday and Sunday off (Decision
    // 188/1999/QĐ-TTg Art. 1; docs/calendar.md), less the year's days off, plus its make-up working days.
    const working = data.makeUp.has(date) || (isWeekday(day) && !data.daysOff.has(date));
    this.dayCache.set(day, working);
    return working;
  }

  /** The working-time ranges of a local day number, as instants. Empty on a day off. */
  private ranges(day: number): [number, number][] {
    return this.isWorkingDayNumber(day) ? this.sessions(day) : [];
  }

  /** The office hours' sessions of a local day number, as instants, whether it is worked or not. */
  private sessions(day: number): [number, number][] {
    const midnight = day * DAY_MS - OFFSET_MS;
    return this.hours.map(([s, e]) => [midnight + s * MINUTE_MS, midnight + e * MINUTE_MS]);
  }

  /**
   * A period counted in working days: the day of receipt does not count, and the due instant is
   * the close of office hours on the Nth working day after it (docs/calendar.md, "Due instants").
   */
  addWorkingDays(receivedAt: number, days: number): number {
    let day = dayNumber(receivedAt);
    for (let counted = 0; counted < days; ) {
      day++;
      if (this.isWorkingDayNumber(day)) counted++;
    }
    return day * DAY_MS - OFFSET_MS + this.closeMinutes * MINUTE_MS;
  }

  /**
   * `duration` of working time counted from `start` through office hours only: a start before
   * opening counts from opening, one after closing from the next opening.
   */
  addWorkingTime(start: number, duration: number): number {
    if (duration <= 0) return start;
    let remaining = duration;
    const first = dayNumber(start);
    for (let day = first; day < first + 3700; day++) {
      for (const [s, e] of this.ranges(day)) {
        if (start >= e) continue;
        const from = Math.max(start, s);
        if (remaining <= e - from) return from + remaining;
        remaining -= e - from;
      }
    }
    throw new Error("working time: more than ten years ahead");
  }

  /** The instant `duration` of working time before `end` (office hours only). */
  subtractWorkingTime(end: number, duration: number): number {
    return this.walkBack(end, duration, false);
  }

  /**
   * Like {@link subtractWorkingTime}, but when the answer falls on an opening it gives the close of
   * the session before: Thu 17:00 less one working day is Wed 17:00, not Thu 07:00 (the same
   * working time, read as a deadline "one working day before"). Used for thresholds before a due
   * instant, so an alert comes at the end of a day rather than at the next opening.
   */
  deadlineBefore(end: number, duration: number): number {
    return this.walkBack(end, duration, true);
  }

  /** Walks working time back from `end`; `atClose` answers a session's close rather than the next opening. */
  private walkBack(end: number, duration: number, atClose: boolean): number {
    if (duration <= 0) return end;
    let remaining = duration;
    const last = dayNumber(end);
    for (let day = last; day > last - 3700; day--) {
      const ranges = this.ranges(day);
      for (let i = ranges.length - 1; i >= 0; i--) {
        const [s, e] = ranges[i] as [number, number];
        if (end <= s) continue;
        const to = Math.min(end, e);
        if (atClose ? remaining < to - s : remaining <= to - s) return to - remaining;
        remaining -= to - s;
      }
    }
    throw new Error("working time: more than ten years back");
  }

  /** Working time between two instants (0 when `to <= from`). */
  workingTimeBetween(from: number, to: number): number {
    if (to <= from) return 0;
    let total = 0;
    const last = dayNumber(to);
    for (let day = dayNumber(from); day <= last; day++) {
      for (const [s, e] of this.ranges(day)) {
        const overlap = Math.min(e, to) - Math.max(s, from);
        if (overlap > 0) total += overlap;
      }
    }
    return total;
  }

  /** Working days between two instants, as a fraction of full working days. */
  workingDaysBetween(from: number, to: number): number {
    return this.workingTimeBetween(from, to) / this.workingDayMs;
  }

  /**
   * Whether `at` lies within a working session of a working day. The close of a session counts as
   * inside it: a dossier received at 17:00:00 was received by the office that day.
   */
  isWithinOfficeHours(at: number): boolean {
    return this.ranges(dayNumber(at)).some(([s, e]) => at >= s && at <= e);
  }

  /**
   * Whether the office is open at `at`: within a working session of a working day, its close
   * excluded (at 17:00:00 the office has closed; {@link isWithinOfficeHours} counts that instant in,
   * as a receipt's day does). In a year without calendar data, any Monday to Friday is taken as a
   * working day.
   */
  isOpen(at: number): boolean {
    const day = dayNumber(at);
    let ranges: [number, number][];
    try {
      ranges = this.ranges(day);
    } catch (e) {
      if (!(e instanceof CalendarYearMissingError)) throw e;
      // A year without data (docs/rules.md R6): Monday to Friday in office hours, its days off
      // unknown; never a failure, so what asks (the digests' sending) goes on.
      ranges = isWeekday(day) ? this.sessions(day) : [];
    }
    return ranges.some(([s, e]) => at >= s && at < e);
  }

  /** The start of the first working session that begins at or after `at`. */
  nextSessionStart(at: number): number {
    const first = dayNumber(at);
    for (let day = first; day < first + 3700; day++) {
      for (const [s] of this.ranges(day)) if (s >= at) return s;
    }
    throw new Error("working time: more than ten years ahead");
  }

  /**
   * The instant a dossier counts as received (docs/rules.md R1), from when it arrived.
   *
   * - `next-session` (default): outside office hours (evening, lunch, weekend, day off) it is
   *   deemed received at the start of the next working session. No general decree sets this for
   *   every sector (hence a setting); sector texts state it outright: Circular 87/2021/TT-BTC
   *   Art. 10 and Decision 2988/QĐ-TCHQ Art. 7(5) (to verify); Decree 45/2020/NĐ-CP Art. 11 makes
   *   the portal's recorded time the receipt time (to verify).
   * - `as-is`: the instant it arrived.
   * - `cutoff` ("HH:MM", from the procedure catalog): received after it on a working day, it
   *   counts as received at the next working day's opening. Certification of copies: same day,
   *   or the next working day when received after 15:00 (Decree 23/2015/NĐ-CP Art. 7: "ngay trong
   *   ngày cơ quan, tổ chức tiếp nhận yêu cầu hoặc trong ngày làm việc tiếp theo, nếu tiếp nhận
   *   yêu cầu sau 15 giờ").
   */
  receiptInstant(occurredAt: number, options: ReceiptOptions = {}): number {
    let at = occurredAt;
    if ((options.afterHoursReceipt ?? "next-session") === "next-session" && !this.isWithinOfficeHours(at)) {
      at = this.nextSessionStart(at);
    }
    if (options.cutoff !== undefined) {
      const date = localDate(at);
      const cutoff = startOfLocalDate(date) + cutoffMinutes(options.cutoff) * MINUTE_MS;
      if (at > cutoff && this.isWorkingDay(date)) {
        at = this.nextSessionStart(startOfLocalDate(this.nextWorkingDay(date)));
      }
    }
    return at;
  }

  /** The first working day after `date`. */
  nextWorkingDay(date: LocalDate): LocalDate {
    let d = addDays(date, 1);
    while (!this.isWorkingDay(d)) d = addDays(d, 1);
    return d;
  }

  /**
   * The due instant of a processing period (docs/rules.md R1, R2), from when the dossier arrived:
   * - the receipt instant first ({@link receiptInstant}; after-hours receipts move to the next
   *   session by default, so an online dossier sent Friday 17:01 counts its days from Tuesday);
   * - whole working days by the day rule (the receipt day does not count: Civil Code 2015
   *   Art. 147; due at the close of office hours of the Nth working day, the monitor's reading of
   *   a period's end, Art. 148: docs/calendar.md);
   * - a fraction of a day as office hours (0.5 day = 4 h of an 8-hour day) added after the
   *   whole-day due, so more days is never an earlier due instant; with no whole day, the
   *   fraction runs from the receipt instant, like hours;
   * - hours through office hours from the receipt instant;
   * - `sameDay`: the close of office hours on the receipt instant's working day (with the
   *   procedure's cut-off, a later receipt counts from the next working day, so it is due at that
   *   day's close): Decree 23/2015/NĐ-CP Art. 7 for certification ({@link closeOfWorkingDay}).
   * Throws {@link CalendarYearMissingError} when it reaches a year without data; see
   * {@link tryDueFrom} for the same answer as a value.
   */
  dueFrom(receivedAt: number, period: ProcessingPeriod, options: ReceiptOptions = {}): number {
    const start = this.receiptInstant(receivedAt, options);
    if (period.days !== undefined) {
      const whole = Math.floor(period.days);
      const fraction = Math.round((period.days - whole) * this.workingDayMs);
      if (whole === 0) return this.addWorkingTime(start, fraction);
      return this.addWorkingTime(this.addWorkingDays(start, whole), fraction);
    }
    if (period.hours !== undefined) return this.addWorkingTime(start, Math.round(period.hours * HOUR_MS));
    if (period.sameDay) return this.closeOfWorkingDay(start);
    throw new Error("a processing period needs days, hours or sameDay");
  }

  /**
   * The close of office hours of the working day `at` falls in, or of the next working day when
   * `at` is on a day off or at or after the day's close: the due instant of a same-day procedure
   * from its receipt instant (Decree 23/2015/NĐ-CP Art. 7: "ngay trong ngày … tiếp nhận").
   */
  closeOfWorkingDay(at: number): number {
    const first = dayNumber(at);
    for (let day = first; day < first + 3700; day++) {
      const ranges = this.ranges(day);
      const last = ranges[ranges.length - 1];
      if (last && at < last[1]) return last[1];
    }
    throw new Error("working time: more than ten years ahead");
  }

  /** {@link dueFrom}, with a year without calendar data as a value (docs/rules.md R6). */
  tryDueFrom(
    receivedAt: number,
    period: ProcessingPeriod,
    options: ReceiptOptions = {},
  ): CalendarResult<number> {
    return calendarResult(() => this.dueFrom(receivedAt, period, options));
  }
}

/**
 * A processing period: working days, working hours, or the same working day (`sameDay`, with the
 * procedure's cut-off moving a late receipt to the next working day). One of them is set.
 */
export interface ProcessingPeriod {
  days?: number;
  hours?: number;
  sameDay?: boolean;
}

/** How a dossier's receipt instant is counted (docs/rules.md R1). */
export interface ReceiptOptions {
  /** `next-session` (default): after-hours receipts count from the next working session. */
  afterHoursReceipt?: AfterHoursReceipt;
  /** A procedure's cut-off, `HH:MM` local: received after it, it counts from the next working day. */
  cutoff?: string;
}
export const AFTER_HOURS_RECEIPT = ["next-session", "as-is"] as const;
export type AfterHoursReceipt = (typeof AFTER_HOURS_RECEIPT)[number];

/** `HH:MM`, 00:00..23:59. */
export const CUTOFF_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

function cutoffMinutes(text: string): number {
  if (!CUTOFF_PATTERN.test(text)) throw new Error(`cut-off: expected HH:MM, got "${text}"`);
  return Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));
}
