import type { AnomalyKind, DossierState, ProjectionSettings } from "./dossier-state";
import type { DossierEvent } from "./events/schema";

/**
 * One event being applied by the projection (./projection.ts), and how an anomaly is recorded:
 * what the projection's parts (./pauses.ts, ./appointments.ts) share.
 */

export type TimelineEntry = DossierState["timeline"][number];
export type EventOf<T extends DossierEvent["type"]> = Extract<DossierEvent, { type: T }>;

/** One event being applied: the state it changes, the settings, and its place in the timeline. */
export interface Step<E extends DossierEvent = DossierEvent> {
  state: DossierState;
  settings: ProjectionSettings;
  event: E;
  at: number;
  entry: TimelineEntry;
}

/** Marks the step's event with an anomaly, in the timeline and in the list. */
export function flag(step: Step, kind: AnomalyKind): void {
  step.entry.anomaly = kind;
  step.state.anomalies.push({ kind, eventId: step.event.eventId, type: step.event.type, at: step.at });
}

/** A year without calendar data: one anomaly per year, never an abort (docs/rules.md R6). */
export function noCalendar(
  state: DossierState,
  year: number,
  event?: { eventId: string; type: DossierEvent["type"]; at: number },
): void {
  if (state.anomalies.some((a) => a.kind === "no_calendar" && a.year === year)) return;
  state.anomalies.push({ kind: "no_calendar", year, ...event });
}
