import { err, ok, type Result } from "../result";

/**
 * A year without calendar data (docs/rules.md R6): thrown by the calendar's computations, and the same
 * answer as a value for callers that must keep going (reports, sweeps, the CLI).
 */

/** A deadline reached a year the calendar has no data for: never guessed as "weekends only". */
export class CalendarYearMissingError extends Error {
  constructor(readonly year: number) {
    super(
      `no working-day calendar for ${year}: its official days off and make-up working days are not known. ` +
        `Add a ${year} entry (with the document that decided it) to the calendar data or the deployment's override.`,
    );
    this.name = "CalendarYearMissingError";
  }
}

/** A calendar answer, or the year it lacked (docs/rules.md R6: an anomaly, never an abort). */
export type CalendarResult<T> = Result<T, { kind: "no_calendar"; year: number; message: string }>;

/**
 * Runs a calendar computation and returns a year without data as a value. Any other error is a
 * bug and is thrown on.
 */
export function calendarResult<T>(compute: () => T): CalendarResult<T> {
  try {
    return ok(compute());
  } catch (e) {
    if (e instanceof CalendarYearMissingError) {
      return err({ kind: "no_calendar", year: e.year, message: e.message });
    }
    throw e;
  }
}
