/**
 * Instants and local dates in Asia/Ho_Chi_Minh.
 *
 * Vietnam keeps UTC+07:00 all year (no daylight saving since 1975), so local time is a fixed
 * shift of the epoch and never depends on the host's time zone (Lambda runs in UTC).
 * Instants are epoch milliseconds; local dates are `YYYY-MM-DD` strings.
 */

export const TIME_ZONE = "Asia/Ho_Chi_Minh";
export const OFFSET_MS = 7 * 3_600_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A local calendar date, `YYYY-MM-DD`. */
export type LocalDate = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses an RFC 3339 instant with an offset; `undefined` when it is not one. */
export function parseInstant(text: string): number | undefined {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Like {@link parseInstant} for values a schema has already validated. */
export function instant(text: string): number {
  const ms = parseInstant(text);
  if (ms === undefined) throw new Error(`not an RFC 3339 instant: ${text}`);
  return ms;
}

/** The local date of an instant. */
export function localDate(ms: number): LocalDate {
  // Called for every event, pause and working day a report walks: one string per local day, kept.
  const day = Math.floor((ms + OFFSET_MS) / DAY_MS);
  let date = LOCAL_DATES.get(day);
  if (date === undefined) {
    date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (LOCAL_DATES.size < 100_000) LOCAL_DATES.set(day, date);
  }
  return date;
}
const LOCAL_DATES = new Map<number, LocalDate>();

/** Minutes since local midnight. */
export function localMinutes(ms: number): number {
  const shifted = ms + OFFSET_MS;
  return Math.floor((((shifted % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
}

/** The instant of local midnight starting `date`. */
export function startOfLocalDate(date: LocalDate): number {
  // Called for every day a report walks: valid dates are kept, like the strings of localDate.
  const known = MIDNIGHTS.get(date);
  if (known !== undefined) return known;
  const m = DATE_RE.exec(date);
  if (!m) throw new Error(`not a date (YYYY-MM-DD): ${date}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - OFFSET_MS;
  if (localDate(ms) !== date) throw new Error(`not a calendar date: ${date}`);
  if (MIDNIGHTS.size < 100_000) MIDNIGHTS.set(date, ms);
  return ms;
}
const MIDNIGHTS = new Map<LocalDate, number>();

/** The last millisecond of `date` (a period's `to` date is inclusive). */
export function endOfLocalDate(date: LocalDate): number {
  return startOfLocalDate(date) + DAY_MS - 1;
}

/** `date` plus `days` calendar days. */
export function addDays(date: LocalDate, days: number): LocalDate {
  return localDate(startOfLocalDate(date) + days * DAY_MS + 12 * HOUR_MS);
}

/** 0 = Sunday … 6 = Saturday, for a local date. */
export function weekday(date: LocalDate): number {
  return new Date(startOfLocalDate(date) + OFFSET_MS).getUTCDay();
}

/** Whether a string is a valid local date. */
export function isLocalDate(text: string): boolean {
  try {
    startOfLocalDate(text);
    return true;
  } catch {
    return false;
  }
}

/** RFC 3339 in local time with the `+07:00` offset; milliseconds only when not zero. */
export function formatInstant(ms: number): string {
  const iso = new Date(ms + OFFSET_MS).toISOString();
  const body = iso.endsWith(".000Z") ? iso.slice(0, 19) : iso.slice(0, 23);
  return `${body}+07:00`;
}

/** `dd/MM/yyyy HH:mm`, the way Vietnamese offices write a local instant. */
export function formatLocalVi(ms: number): string {
  const iso = new Date(ms + OFFSET_MS).toISOString();
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} ${iso.slice(11, 16)}`;
}

/** A local date as Vietnamese write it: `2022-06-30` → `30/06/2022`. */
export function formatDateVi(date: LocalDate): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}
