import { extendDeadline } from "./appointments";
import type { DossierState, PausedByKind, ProcedurePeriod, ProjectionSettings } from "./dossier-state";
import { type DossierEvent, PAUSE_KINDS } from "./events/schema";
import { identityOf, sameBody } from "./identity";
import { endPause, inferredResume, resume, retellWaits, startPause, supersededUndatedEnds } from "./pauses";
import { type EventOf, flag, noCalendar, type Step, type TimelineEntry } from "./projection-step";
import { judgeLevel, ruleSetFor } from "./rules";
import { instant } from "./time";

/**
 * The dossier projection: the events of one dossier, in any order and duplicated, folded into its
 * state at an instant (docs/events.md "Rules that follow", docs/kpis.md "Per dossier",
 * docs/calendar.md "Pauses").
 */

/**
 * Orders a dossier's events as the contract says (occurredAt, then eventId, then source) and
 * removes duplicates. An identity is (source, eventId): of two different bodies under one identity
 * the first occurrence is kept (live: the first to arrive, since the second is quarantined as a
 * conflict; in a file: the first line) and the other is listed in `conflicts`.
 */
export function foldEvents(events: readonly DossierEvent[]): {
  ordered: { event: DossierEvent; at: number }[];
  conflicts: DossierEvent[];
} {
  const byId = new Map<string, { event: DossierEvent; at: number }>();
  const conflicts: DossierEvent[] = [];
  for (const event of events) {
    const id = identityOf(event);
    const prior = byId.get(id);
    if (!prior) byId.set(id, { event, at: instant(event.occurredAt) });
    else if (!sameBody(prior.event, event)) conflicts.push(event);
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const ordered = [...byId.values()].sort(
    (a, b) =>
      a.at - b.at ||
      rankAtInstant(a.event) - rankAtInstant(b.event) ||
      cmp(a.event.eventId, b.event.eventId) ||
      cmp(a.event.source ?? "", b.event.source ?? ""),
  );
  return { ordered, conflicts };
}

/**
 * The order of one instant's events (docs/events.md "Order, duplicates, conflicts"): the receipt,
 * then a dated answer to a supplement request (it answers the wait open before that instant, so a
 * round ends before the next one, or a payment wait, begins at its instant, and its new due instant
 * is taken before a resolution of that instant), then the rest by id, and the result's return last:
 * a return follows its resolution (the contract's normal course), and taken first it would close
 * the dossier and leave the resolution of its instant out, with its outcome and whether its result
 * is electronic (index 4.1). An answer inferred from the status (`ifPaused`) is among the rest: it
 * ends a pause begun at its instant, as a round asked and answered at one instant does.
 */
function rankAtInstant(event: DossierEvent): number {
  if (event.type === "dossier.received") return 0;
  if (event.type === "dossier.supplement_received" && !event.data.ifPaused) return 1;
  if (event.type === "dossier.returned") return 3;
  return 2;
}

/** {@link foldEvents}' ordered events. */
export function canonicalEvents(events: readonly DossierEvent[]): { event: DossierEvent; at: number }[] {
  return foldEvents(events).ordered;
}

function emptyState(dossierId: string): DossierState {
  return {
    dossierId,
    received: false,
    transfers: 0,
    pauses: [],
    paused: false,
    clockStopped: false,
    pausedByKind: Object.fromEntries(PAUSE_KINDS.map((k) => [k, 0])) as PausedByKind,
    supplementRequests: 0,
    extensions: [],
    ratings: [],
    strictLate: false,
    anomalies: [],
    timeline: [],
  };
}

/**
 * The state of one dossier at `at` (default: all events), from its events in any order.
 * Every event of the dossier must share one `dossierId`.
 */
export function projectDossier(
  dossierId: string,
  events: readonly DossierEvent[],
  settings: ProjectionSettings,
  at = Number.POSITIVE_INFINITY,
): DossierState {
  const state = emptyState(dossierId);
  const folded = foldEvents(events);
  // One wait told twice is told once, and an undated end a later return dates is left out, at every
  // instant (./pauses.ts); both judged on what the fold applies.
  const admissions = admissionsAlong(folded.ordered, settings, dossierId);
  const entries = retellWaits(
    folded.ordered.map((e, i) => ({ ...e, refusal: admissions[i] ?? null, applied: admissions[i] === null })),
  );
  const superseded = supersededUndatedEnds(entries);
  let folds = 0;
  for (const { event, at: t, refusal } of entries) {
    if (t > at || superseded.has(identityOf(event))) continue;
    folds++;
    const entry: TimelineEntry = { eventId: event.eventId, type: event.type, at: t };
    state.timeline.push(entry);
    state.firstEventAt ??= t;
    state.lastEventAt = t;
    const step: Step = { state, settings, event, at: t, entry };
    if (event.type === "dossier.received") receive({ ...step, event });
    else if (refusal === null) applyEvent(step);
    else if (refusal !== "duplicate_received") refuse(step, refusal);
  }
  finishState(state, folds, folded.conflicts, at);
  return state;
}

/** The receipt: owner, procedure, unit and the due instants; a second receipt is an anomaly. */
function receive(step: Step<EventOf<"dossier.received">>): void {
  const { state, event, at: t } = step;
  if (state.received) {
    flag(step, "duplicate_received");
    return;
  }
  const d = event.data;
  state.received = true;
  state.owner = event.source;
  state.receivedAt = t;
  state.channel = d.channel;
  state.procedureCode = d.procedureCode;
  state.domain = d.domain;
  state.level = d.level;
  // The level by the rule set of the day it arrived: no district from 2025-07-01 (Law
  // 72/2025/QH15 on the Organisation of Local Government, Art. 2 and Art. 51(3), to verify;
  // docs/rules.md "Rule sets by date").
  if (!judgeLevel(t, d.level).ok) flag(step, "abolished_level");
  state.digitised = d.digitised;
  state.unitId = d.unitId;
  state.originUnitId = d.unitId;
  const due = dueAtReceipt(step);
  state.baseDueAt = due;
  state.kpiDueAt = due;
  state.appointmentAt = due;
}

/** The due instant a receipt sets: given, or computed from the procedure's period (docs/rules.md R1, R2; docs/calendar.md "Due instants"). */
function dueAtReceipt(step: Step<EventOf<"dossier.received">>): number | undefined {
  const { state, settings, event, at: t } = step;
  const d = event.data;
  const procedure = settings.catalog?.get(d.procedureCode);
  const period: ProcedurePeriod | undefined =
    d.processingDays !== undefined || d.processingHours !== undefined
      ? { days: d.processingDays, hours: d.processingDays === undefined ? d.processingHours : undefined }
      : procedure;
  if (d.dueAt !== undefined) return instant(d.dueAt);
  if (!period) {
    flag(step, "no_due_instant");
    return undefined;
  }
  // R1: the receipt instant (after hours, cut-off) by the rule set of the day it arrived.
  const computed = settings.calendar.tryDueFrom(t, period, {
    afterHoursReceipt: settings.afterHoursReceipt ?? ruleSetFor(t).afterHoursReceipt.value,
    cutoff: procedure?.cutoff,
  });
  if (computed.ok) return computed.value;
  step.entry.anomaly = "no_calendar";
  noCalendar(state, computed.error.year, { eventId: event.eventId, type: event.type, at: t });
  return undefined;
}

/** Why the fold leaves an event out: before the receipt, another source's, after the close, a second receipt. */
type Refusal = "before_received" | "other_source" | "after_close" | "duplicate_received";

/**
 * Whether the fold applies each of the ordered events, and if not why, decided in order before it
 * runs: the first receipt; after it, the owner's events or a source's the directory grants the
 * dossier's unit (as the transfers applied so far leave it: events kept while the dossier had no
 * owner yet, orphans, count only so, and another integration's never move the owner's KPIs); after
 * a close only what may follow it (ratings, complaints, one hand-over after a resolution). Decided
 * once, so the fold and what it leaves out (./pauses.ts: pauses told again, undated ends a return
 * dates) judge on the same events.
 */
function admissionsAlong(
  ordered: readonly { event: DossierEvent }[],
  settings: ProjectionSettings,
  dossierId: string,
): (Refusal | null)[] {
  let owner: string | undefined;
  let unit: string | undefined;
  let received = false;
  let closedBy: DossierEvent["type"] | undefined;
  let returned = false;
  return ordered.map(({ event }): Refusal | null => {
    if (event.type === "dossier.received") {
      if (received) return "duplicate_received";
      [received, owner, unit] = [true, event.source, event.data.unitId];
      return null;
    }
    if (!received) return "before_received";
    if (event.source !== owner && !settings.admits?.(event.source, dossierId, unit)) return "other_source";
    if (closedBy !== undefined) {
      const normalAfterClose =
        event.type === "dossier.rated" ||
        event.type === "dossier.complaint_received" ||
        (event.type === "dossier.returned" && closedBy !== "dossier.withdrawn" && !returned);
      if (!normalAfterClose) return "after_close";
    }
    if (event.type === "dossier.transferred") unit = event.data.toUnitId;
    if (event.type === "dossier.returned") returned = true;
    if (
      closedBy === undefined &&
      (event.type === "dossier.resolved" ||
        event.type === "dossier.withdrawn" ||
        event.type === "dossier.returned")
    )
      closedBy = event.type;
    return null;
  });
}

/**
 * An event the fold leaves out, flagged with why; a resumption inferred from the status says
 * nothing wrong when there is nothing to resume (before the receipt, after the close).
 */
function refuse(step: Step, refusal: Exclude<Refusal, "duplicate_received">): void {
  if (refusal === "other_source" || !inferredResume(step.event)) flag(step, refusal);
}

/** Applies one admitted event after the receipt, by its type. */
function applyEvent(step: Step): void {
  const { state, settings, event, at: t } = step;
  switch (event.type) {
    case "dossier.transferred":
      state.unitId = event.data.toUnitId;
      state.transfers++;
      break;
    case "dossier.supplement_requested":
      startPause({ ...step, event });
      break;
    case "dossier.supplement_received":
      resume({ ...step, event });
      break;
    case "dossier.deadline_extended":
      extendDeadline({ ...step, event });
      break;
    case "dossier.resolved":
      endPause(state, settings.calendar, t, event);
      state.resolvedAt = t;
      state.outcome = event.data.outcome;
      state.resultElectronic = event.data.resultElectronic;
      state.closedAt = t;
      break;
    case "dossier.returned":
      state.returnedAt = t;
      if (state.resolvedAt === undefined) {
        endPause(state, settings.calendar, t, event);
        state.resolvedAt = t;
        state.closedAt = t;
      }
      break;
    case "dossier.withdrawn":
      endPause(state, settings.calendar, t, event);
      state.withdrawnAt = t;
      state.closedAt = t;
      break;
    case "dossier.rated":
      state.ratings.push({ at: t, score: event.data.score, eventId: event.eventId });
      break;
    case "dossier.complaint_received":
      state.complaints = [...(state.complaints ?? []), { at: t, about: event.data.about }];
      break;
  }
}

/** The last touches: an orphan (events but no receipt) and the conflicting bodies up to `at`. */
function finishState(
  state: DossierState,
  eventCount: number,
  conflicts: readonly DossierEvent[],
  at: number,
): void {
  if (!state.received && eventCount > 0) state.anomalies.unshift({ kind: "orphan" });
  for (const c of conflicts)
    if (instant(c.occurredAt) <= at)
      state.anomalies.push({ kind: "conflict", eventId: c.eventId, type: c.type, at: instant(c.occurredAt) });
}

/** Groups events by dossier. */
export function groupByDossier(events: Iterable<DossierEvent>): Map<string, DossierEvent[]> {
  const groups = new Map<string, DossierEvent[]>();
  for (const event of events) {
    const list = groups.get(event.dossierId);
    if (list) list.push(event);
    else groups.set(event.dossierId, [event]);
  }
  return groups;
}
