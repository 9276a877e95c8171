import type { WorkingCalendar } from "./calendar/calendar";
import { calendarResult } from "./calendar/result";
import type {
  AnomalyKind,
  DossierState,
  PausedByKind,
  ProcedurePeriod,
  ProjectionSettings,
} from "./dossier-state";
import { type DossierEvent, PAUSE_KINDS } from "./events/schema";
import { identityOf, sameBody } from "./identity";
import { judgeLevel, ruleSetFor, tooManyAppointments } from "./rules";
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
      a.at - b.at || cmp(a.event.eventId, b.event.eventId) || cmp(a.event.source ?? "", b.event.source ?? ""),
  );
  return { ordered, conflicts };
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

type TimelineEntry = DossierState["timeline"][number];
type EventOf<T extends DossierEvent["type"]> = Extract<DossierEvent, { type: T }>;

/** One event being applied: the state it changes, the settings, and its place in the timeline. */
interface Step<E extends DossierEvent = DossierEvent> {
  state: DossierState;
  settings: ProjectionSettings;
  event: E;
  at: number;
  entry: TimelineEntry;
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
  const ordered = folded.ordered.filter((e) => e.at <= at);
  for (const { event, at: t } of ordered) {
    const entry: TimelineEntry = { eventId: event.eventId, type: event.type, at: t };
    state.timeline.push(entry);
    state.firstEventAt ??= t;
    state.lastEventAt = t;
    const step: Step = { state, settings, event, at: t, entry };
    if (event.type === "dossier.received") receive({ ...step, event });
    else if (admitted(step)) applyEvent(step);
  }
  finishState(state, ordered.length, folded.conflicts, at);
  return state;
}

/** Marks the step's event with an anomaly, in the timeline and in the list. */
function flag(step: Step, kind: AnomalyKind): void {
  step.entry.anomaly = kind;
  step.state.anomalies.push({ kind, eventId: step.event.eventId, type: step.event.type, at: step.at });
}

/** A year without calendar data: one anomaly per year, never an abort (docs/rules.md R6). */
function noCalendar(
  state: DossierState,
  year: number,
  event?: { eventId: string; type: DossierEvent["type"]; at: number },
): void {
  if (state.anomalies.some((a) => a.kind === "no_calendar" && a.year === year)) return;
  state.anomalies.push({ kind: "no_calendar", year, ...event });
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
  // The level by the rule set of the day it arrived: no district from 2025-07-01.
  if (!judgeLevel(t, d.level).ok) flag(step, "abolished_level");
  state.digitised = d.digitised;
  state.unitId = d.unitId;
  state.originUnitId = d.unitId;
  const due = dueAtReceipt(step);
  state.baseDueAt = due;
  state.kpiDueAt = due;
  state.appointmentAt = due;
}

/** The due instant a receipt sets: given, or computed from the procedure's period (docs/rules.md R1). */
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

/**
 * Whether an event after the receipt counts: the dossier was received, the event's source owns it
 * or is granted it, and a closed dossier takes only what may follow its close.
 */
function admitted(step: Step): boolean {
  const { state, settings, event } = step;
  // A resumption inferred from the status says nothing wrong when there is nothing to resume.
  if (!state.received) {
    if (!inferredResume(event)) flag(step, "before_received");
    return false;
  }
  // Events kept while the dossier had no owner yet (orphans) count only if their source owns it
  // or is granted it: another integration's orphan events never move the owner's KPIs.
  if (event.source !== state.owner && !settings.admits?.(event.source, state.dossierId, state.unitId)) {
    flag(step, "other_source");
    return false;
  }
  if (state.closedAt !== undefined) {
    const normalAfterClose =
      event.type === "dossier.rated" ||
      event.type === "dossier.complaint_received" ||
      (event.type === "dossier.returned" &&
        state.withdrawnAt === undefined &&
        state.returnedAt === undefined);
    if (!normalAfterClose) {
      if (!inferredResume(event)) flag(step, "after_close");
      return false;
    }
  }
  return true;
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

/** A request that stops the clock: a supplement or another pause kind (docs/rules.md R5). */
function startPause(step: Step<EventOf<"dossier.supplement_requested">>): void {
  const { state, settings, event, at: t } = step;
  // Every kind stops the clock (docs/rules.md R5); only `supplement` is a supplement request.
  const kind = event.data.pauseKind ?? "supplement";
  if (state.paused) {
    // The open pause told again under another kind, at the instant it began: the same round, not
    // a second pause. The portal's sync (docs/dvcqg.md) names a round by the dossier's status
    // while it is open (6: a payment wait) and as a supplement once it is answered; the kind told
    // first in the contract's order stays, and nothing is flagged.
    const open = state.pauses[state.pauses.length - 1];
    if (open && open.to === undefined && open.from === t && open.kind !== kind) return;
    flag(step, "already_paused");
    return;
  }
  // A pause only stops a clock that is still running: one asked for after the KPI due
  // instant finds the time allowed already spent, so the dossier stays overdue while it
  // lasts and is resolved late after it. The pause suspends the remaining processing time;
  // past the deadline none remains, and the late dossier is handled by the apology and
  // one new appointment instead (Decree 61/2018/NĐ-CP Art. 19, point to verify; for
  // dossiers received from 2025-07-01 Decree 118/2025/NĐ-CP, article to verify). The
  // national index already judges a waiting dossier at the request (Decision 766/QĐ-TTg,
  // indicator 2.1; ./official/counts.ts).
  const late = state.kpiDueAt !== undefined && t > state.kpiDueAt;
  state.pauses.push(late ? { from: t, kind, late: true } : { from: t, kind });
  state.paused = true;
  state.clockStopped = !late;
  if (late) flag(step, "late_supplement_request");
  if (kind === "supplement") state.supplementRequests++;
  // The strict setting counts a second supplement request late, finished or not: the monitor's
  // stricter reading (docs/rules.md R3); index 2.1 counts it overdue only while the dossier is not
  // finished (Decision 766/QĐ-TTg as the portal describes it; docs/official.md).
  if (settings.strictSupplementRule && state.supplementRequests >= 2) state.strictLate = true;
}

/** Whether an event is a resumption inferred from the status (`ifPaused`), not a dated answer. */
const inferredResume = (event: DossierEvent) =>
  event.type === "dossier.supplement_received" && event.data.ifPaused === true;

/**
 * The clock resumes. A resumption inferred from the status (`ifPaused`) ends an open supplement or
 * payment pause (the waits the portal's statuses 5 and 6 show) and is nothing otherwise. The first
 * dated answer after a pause it ended is that pause's answer told again: the end stands (the first
 * sign that processing resumed dates it), and the new due instant the answer gives is taken, as it
 * would have been at the end (docs/rules.md R3).
 */
function resume(step: Step<EventOf<"dossier.supplement_received">>): void {
  const { state, settings, event, at: t } = step;
  const open = state.pauses.at(-1);
  const newDueAt = event.data.dueAt !== undefined ? instant(event.data.dueAt) : undefined;
  if (event.data.ifPaused) {
    if (!state.paused || !open || open.kind === "other_agency") return;
    open.inferredEnd = event.eventId;
    endPause(state, settings.calendar, t, event, newDueAt);
    return;
  }
  if (!state.paused) {
    if (!open?.inferredEnd) {
      flag(step, "resume_without_pause");
      return;
    }
    // Once: the answer now dates nothing more, and another answer is a resume without a pause.
    const inferredBy = open.inferredEnd;
    delete open.inferredEnd;
    if (newDueAt !== undefined) {
      if (!open.late) state.kpiDueAt = newDueAt;
      state.appointmentAt = newDueAt;
      // The due instants are known again: a year without calendar data the inferred end met when
      // it moved them no longer leaves them unknown (docs/rules.md R6).
      state.anomalies = state.anomalies.filter(
        (a) => !(a.kind === "no_calendar" && a.eventId === inferredBy),
      );
    }
    return;
  }
  endPause(state, settings.calendar, t, event, newDueAt);
}

/** A new appointment with its apology; a second one, or one given too late, is an anomaly. */
function extendDeadline(step: Step<EventOf<"dossier.deadline_extended">>): void {
  const { state, event, at: t } = step;
  state.extensions.push({
    at: t,
    newDueAt: instant(event.data.newDueAt),
    apologyIssued: event.data.apologyIssued,
  });
  // One new appointment only: the rule set's (Decree 61/2018/NĐ-CP Art. 19, point to verify:
  // "không quá một lần"; rules.ts, docs/rules.md R4).
  if (tooManyAppointments(state.receivedAt ?? t, state.extensions.length)) flag(step, "second_extension");
  // A new appointment given after the KPI due instant is given too late: the apology and the
  // new appointment come "chậm nhất một ngày trước ngày hết hạn" (Decree 61/2018/NĐ-CP
  // Art. 19, point to verify; docs/rules.md R4). Like a late pause it leaves the dossier
  // overdue (the KPI due instant never moves) and is the same anomaly; its alert is
  // `late_apology` (with the apology; without, `apology_missed` stays).
  if (state.kpiDueAt !== undefined && t > state.kpiDueAt) flag(step, "late_supplement_request");
  state.appointmentAt = instant(event.data.newDueAt);
}

/**
 * Ends the running pause at `to`, moving the due instants by the working time it covered.
 * Time already spent keeps counting: the clock continues, it does not restart (docs/rules.md R3;
 * Decree 61/2018/NĐ-CP Art. 19, clause and point to verify).
 */
function endPause(
  state: DossierState,
  calendar: WorkingCalendar,
  to: number,
  by: { eventId: string; type: DossierEvent["type"] },
  newDueAt?: number,
): void {
  const pause = state.pauses[state.pauses.length - 1];
  if (!pause || pause.to !== undefined) return;
  pause.to = to;
  state.paused = false;
  state.clockStopped = false;
  const covered = calendarResult(() => calendar.workingTimeBetween(pause.from, to));
  if (covered.ok) state.pausedByKind[pause.kind] += covered.value;
  // A pause begun after the KPI due instant never moves it, nor does a new due instant given at
  // its end: the dossier was late before it and stays late (see `late_supplement_request`).
  const kpiMoves = !pause.late;
  if (newDueAt !== undefined) {
    if (kpiMoves) state.kpiDueAt = newDueAt;
    state.appointmentAt = newDueAt;
    return;
  }
  const moved = calendarResult(() => ({
    kpi:
      state.kpiDueAt === undefined || !kpiMoves
        ? state.kpiDueAt
        : calendar.addWorkingTime(state.kpiDueAt, covered.ok ? covered.value : 0),
    appointment:
      state.appointmentAt === undefined
        ? undefined
        : calendar.addWorkingTime(state.appointmentAt, covered.ok ? covered.value : 0),
  }));
  const failed = !covered.ok ? covered : !moved.ok ? moved : undefined;
  if (failed && !failed.ok) {
    // The resumed due instant cannot be known until the year's data is deployed.
    noCalendar(state, failed.error.year, { ...by, at: to });
    if (kpiMoves) state.kpiDueAt = undefined;
    state.appointmentAt = undefined;
    return;
  }
  if (moved.ok) {
    state.kpiDueAt = moved.value.kpi;
    state.appointmentAt = moved.value.appointment;
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
