import type { WorkingCalendar } from "./calendar/calendar";
import type { DossierState } from "./projection";
import type { Thresholds } from "./units";

/**
 * The rules behind alerts (calendar.md "Late dossiers"): each kind has a threshold instant; an
 * alert is raised once per threshold (the `key` names it: a due instant moved by a pause or an
 * extension is a new threshold). Paused and closed dossiers raise nothing.
 */

export const ALERT_KINDS = [
  "near_due",
  "overdue",
  "no_apology",
  "past_appointment",
  "extended_twice",
  "escalation",
  "possibly_closed",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface AlertTrigger {
  kind: AlertKind;
  /** What the threshold is about (a due instant, an appointment, the last event): once per key. */
  key: number;
  /** When the threshold is crossed. */
  at: number;
}

/** Every alert threshold of a dossier in its current state, crossed or not. */
export function alertThresholds(
  state: DossierState,
  calendar: WorkingCalendar,
  t: Thresholds,
): AlertTrigger[] {
  if (!state.received || state.closedAt !== undefined || state.paused) return [];
  const out: AlertTrigger[] = [];
  const due = state.kpiDueAt;
  if (due !== undefined) {
    out.push({ kind: "near_due", key: due, at: calendar.subtractWorkingTime(due, t.nearDueMs) });
    out.push({ kind: "overdue", key: due, at: due + 1 });
    if (!state.extensions.some((e) => e.apologyIssued))
      out.push({ kind: "no_apology", key: due, at: due + 1 });
    out.push({
      kind: "escalation",
      key: due,
      at: Math.max(due + 1, calendar.addWorkingTime(due, t.escalationMs)),
    });
    if (state.lastEventAt !== undefined) {
      const quiet = calendar.addWorkingTime(state.lastEventAt, t.possiblyClosedMs);
      out.push({ kind: "possibly_closed", key: state.lastEventAt, at: Math.max(due + 1, quiet) });
    }
  }
  if (state.extensions.length > 0 && state.appointmentAt !== undefined) {
    out.push({ kind: "past_appointment", key: state.appointmentAt, at: state.appointmentAt + 1 });
  }
  const second = state.extensions[1];
  if (second) out.push({ kind: "extended_twice", key: second.at, at: second.at });
  return out;
}

/**
 * The alerts to raise at `now` (crossed, not yet raised for their key), and the next instant a
 * threshold not yet crossed will be. A near-due alert whose due instant has already passed is
 * not raised late: the overdue one says more.
 */
export function alertPlan(
  state: DossierState,
  marks: Readonly<Record<string, number>>,
  now: number,
  calendar: WorkingCalendar,
  t: Thresholds,
): { raise: AlertTrigger[]; next?: number } {
  const raise: AlertTrigger[] = [];
  let next: number | undefined;
  for (const trigger of alertThresholds(state, calendar, t)) {
    if (marks[trigger.kind] === trigger.key) continue;
    if (trigger.at <= now) {
      if (trigger.kind === "near_due" && trigger.key < now) continue;
      raise.push(trigger);
    } else if (next === undefined || trigger.at < next) next = trigger.at;
  }
  return { raise, next };
}
