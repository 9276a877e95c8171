import type { WorkingCalendar } from "./calendar/calendar";
import { calendarResult } from "./calendar/result";
import type { DossierState } from "./dossier-state";

/** A dossier's SLA state at an instant: what the sweep, the API's lists and the digests show. */

export type SlaState = "on_track" | "near_due" | "overdue" | "paused" | "closed" | "not_received" | "no_due";

export interface SlaOptions {
  /** Near due when the working time left is at most this (default: one working day). */
  nearDueMs?: number;
}

export interface SlaAt {
  state: SlaState;
  /** Working time left before the KPI due instant (negative: how much working time overdue). */
  workingTimeLeftMs?: number;
}

/**
 * SLA state at `at` of a dossier projected at (or before) `at`: dossiers paused in time are never
 * overdue or near due (one paused after its due instant stays overdue); the KPI due instant decides (a new appointment does not make a late dossier on time).
 */
export function slaAt(
  state: DossierState,
  at: number,
  calendar: WorkingCalendar,
  options: SlaOptions = {},
): SlaAt {
  if (!state.received) return { state: "not_received" };
  if (state.closedAt !== undefined && state.closedAt <= at) return { state: "closed" };
  // With the strict setting a second supplement request counts an open dossier overdue whatever
  // its clock, paused by that request included, as the report counts it (lib/domain/report.ts), so
  // that the lists and the overdue figure beside them agree (docs/rules.md R3, the monitor's
  // stricter reading of Decree 61/2018/NĐ-CP Art. 19's guidance once, in full).
  if (state.strictLate) return { state: "overdue" };
  // Paused after the due instant is still overdue: only a pause begun in time stops the clock.
  if (state.clockStopped) return { state: "paused" };
  const due = state.kpiDueAt;
  if (due === undefined) return { state: "no_due" };
  const threshold = options.nearDueMs ?? calendar.workingDayMs;
  const between = calendarResult(() => calendar.workingTimeBetween(Math.min(due, at), Math.max(due, at)));
  // A due instant in a year without data (docs/rules.md R6): late or not is known, how much is not.
  if (!between.ok) return { state: due < at ? "overdue" : "on_track" };
  if (due < at) return { state: "overdue", workingTimeLeftMs: -between.value };
  const left = between.value;
  return { state: left <= threshold ? "near_due" : "on_track", workingTimeLeftMs: left };
}
