import type { WorkingCalendar } from "./calendar/calendar";
import { calendarResult } from "./calendar/result";
import type { DossierState } from "./dossier-state";
import type { DossierEvent } from "./events/schema";
import { identityOf } from "./identity";
import { type EventOf, flag, noCalendar, type Step } from "./projection-step";
import { tooManySupplementRequests } from "./rules";
import { instant, localDate } from "./time";

/**
 * The projection's clock (./projection.ts): pauses begun and ended, and inferred resumptions
 * (docs/rules.md R3, R5); new appointments and the apology are ./appointments.ts's (R4).
 */

/** A request that stops the clock: a supplement or another pause kind (docs/rules.md R5). */
export function startPause(step: Step<EventOf<"dossier.supplement_requested">>): void {
  const { state, settings, event, at: t } = step;
  // Every kind stops the clock (docs/rules.md R5); only `supplement` is a supplement request. The
  // applicant's financial obligations of a land dossier by the rule set of its receipt (rules.ts
  // `financialObligationPause`): Decree 43/2014/NĐ-CP Art. 61(4), Decree 101/2024/NĐ-CP Art. 22,
  // Decree 151/2025/NĐ-CP Appendix I, Part V.A, Section II, item 10 (each to verify).
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
  // A pause only stops a clock that is still running (the monitor's reading, docs/rules.md R3):
  // one asked for after the KPI due instant finds the time allowed already spent, so the
  // dossier stays overdue while it lasts and is resolved late after it. The pause suspends the
  // remaining processing time; past the deadline none remains, and the decree handles a late
  // dossier by the apology and one new appointment instead (Decree 61/2018/NĐ-CP Art. 19,
  // point to verify; for dossiers received from 2025-07-01 Decree 118/2025/NĐ-CP, article to
  // verify). The national index already judges a waiting dossier at the request (Decision
  // 766/QĐ-TTg, indicator 2.1; ./official/counts.ts).
  const late = state.kpiDueAt !== undefined && t > state.kpiDueAt;
  state.pauses.push(late ? { from: t, kind, late: true } : { from: t, kind });
  state.paused = true;
  state.clockStopped = !late;
  if (late) flag(step, "late_supplement_request");
  if (kind === "supplement") state.supplementRequests++;
  // Guidance once, in full (Decree 61/2018/NĐ-CP Art. 19, point to verify; kept by the 2025-07-01 set of
  // Decree 118/2025/NĐ-CP: lib/domain/rules.ts; also stated by Decision
  // 09/2015/QĐ-TTg, the one-stop regulation before it; docs/rules.md R3): a second or later request is a breach the KPI email counts, strict or not.
  if (kind === "supplement" && tooManySupplementRequests(state.receivedAt ?? t, state.supplementRequests))
    flag(step, "second_supplement_request");
  // The strict setting counts a second supplement request late, finished or not: the monitor's
  // stricter reading (docs/rules.md R3); index 2.1 counts it overdue only while the dossier is not
  // finished (Decision 766/QĐ-TTg as the portal describes it; docs/official.md).
  if (settings.strictSupplementRule && state.supplementRequests >= 2) state.strictLate = true;
  answeredAtOnce(state, settings.calendar, event, t);
}

/**
 * A round asked and answered at one instant, the request's id first: events of one instant go by
 * id, but a dated answer goes before the rest, to answer a wait open before its instant
 * (docs/events.md "Order"). With none open, the answer found nothing to end and was flagged
 * `resume_without_pause`, and the request that follows it is the round it answers in the id's
 * order. Left open, that pause would stop the clock for good and the dossier would never be
 * overdue; ended at once, it pauses nothing, and the answer's new due instant, if any, is taken as
 * an answer's is (docs/rules.md R3). An answer whose id sorts before the request's stays what the
 * id's order makes it: an answer to no wait.
 */
function answeredAtOnce(
  state: DossierState,
  calendar: WorkingCalendar,
  request: DossierEvent,
  t: number,
): void {
  const answer = state.answerWithoutPause;
  if (answer?.at !== t) return;
  delete state.answerWithoutPause;
  const before = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const requestFirst =
    (before(request.eventId, answer.eventId) || before(request.source ?? "", answer.source ?? "")) < 0;
  if (!requestFirst) return;
  state.anomalies = state.anomalies.filter(
    (a) => !(a.kind === "resume_without_pause" && a.eventId === answer.eventId && a.at === t),
  );
  const entry = state.timeline.find((e) => e.eventId === answer.eventId && e.at === t);
  if (entry?.anomaly === "resume_without_pause") delete entry.anomaly;
  endPause(state, calendar, t, answer, answer.newDueAt);
}

/**
 * A wait the source showed over without dating its end (`undated`, the portal's snapshot back at
 * processing with a round it does not answer, docs/dvcqg.md "Supplement rounds"): it ends the pause
 * where it began, so the clock runs through the wait, since a pause lasts only to the supplement's
 * receipt (docs/rules.md R3; Decree 61/2018/NĐ-CP Art. 19, clause to verify) and an end nobody
 * dated must not stop the clock for good. A later return before the next pause or the close dates
 * the end instead: such an undated end is left out of the fold, whatever the instant the dossier is
 * projected at, so a period that ended before that return saw the dossier paused, as it was.
 */
const undatedEnd = (event: DossierEvent) =>
  event.type === "dossier.supplement_received" && event.data.ifPaused === true && event.data.undated === true;

const CLOSES: ReadonlySet<DossierEvent["type"]> = new Set([
  "dossier.resolved",
  "dossier.returned",
  "dossier.withdrawn",
]);

/** An event as the fold takes it: at its instant, and whether it applies it (./projection.ts). */
export interface FoldEntry {
  event: DossierEvent;
  at: number;
  applied: boolean;
}

/** The kinds of wait an inferred end ends (see {@link resume}). */
const ENDED_BY_INFERENCE: ReadonlySet<string> = new Set(["supplement", "financial_obligation"]);
const kindOf = (event: DossierEvent) =>
  event.type === "dossier.supplement_requested" ? (event.data.pauseKind ?? "supplement") : undefined;

/**
 * One wait told twice, told once (the entries in fold order, rewritten). The portal tells a wait
 * by a supplement round dated to the day (`NgayBoSung` at 00:00) and by a progress item dated to the
 * second (`TrangThai` 5 or 6, hours later); once a snapshot shows the round's wait over without a
 * date (an undated end at the round's start, see {@link undatedEnd}), the progress item's pause
 * opened a second wait: a false second supplement request (a breach counted against the office),
 * and a pause only another progress item would end. So when a supplement or payment wait opened
 * the pause (none open before it, on the entries as rewritten so far) and a source that told it at
 * its start showed it over undated there (only supplement and payment tellings there), a pause
 * the fold applies the same local day, of a kind the wait was told under at its start (the portal
 * renames a round told at status 6 a supplement once it is answered), with nothing applied between
 * but that end, is the same wait told more exactly: the wait begins at that later, exact instant
 * (the tellings at its start are left out, and the undated end moves there), so a request made
 * after the due instant stays late and no working hour before it counts as paused; further
 * tellings that day are left out. With no exact telling that day, tellings at its start that sort
 * after its undated end are left out too (the same wait, which they would open again for good). A
 * dated return then dates the end ({@link supersededUndatedEnds}).
 * Two waits of one kind on one day with no answer between are one wait in any reading (the law asks
 * for a supplement once, in full: Decree 61/2018/NĐ-CP Art. 19, point to verify; docs/rules.md R3).
 */
export function retellWaits<T extends FoldEntry>(entries: readonly T[]): T[] {
  const dropped = new Set<number>();
  // The exact telling's index → its wait's undated end, moved after it.
  const endAfter = new Map<number, T>();
  // In order, following the wait as the fold will have it on the rewritten entries: only a telling
  // that opens the pause (none open) is a wait's first.
  const out: T[] = [];
  let open: string | undefined;
  const take = (e: T) => {
    out.push(e);
    if (!e.applied) return;
    const kind = kindOf(e.event);
    if (kind !== undefined) open ??= kind;
    else if (CLOSES.has(e.event.type)) open = undefined;
    else if (
      e.event.type === "dossier.supplement_received" &&
      (!e.event.data.ifPaused || ENDED_BY_INFERENCE.has(open ?? ""))
    )
      open = undefined;
  };
  entries.forEach((e, k) => {
    const retold = !dropped.has(k) && open === undefined ? retelling(entries, k) : undefined;
    if (retold) {
      for (const d of retold.dropped) dropped.add(d);
      if (retold.exact !== undefined)
        endAfter.set(retold.exact, { ...(entries[retold.end] as T), at: (entries[retold.exact] as T).at });
    }
    if (dropped.has(k)) return;
    take(e);
    const end = endAfter.get(k);
    if (end) take(end);
  });
  return out;
}

const isClock = (e: FoldEntry) =>
  e.applied &&
  (e.event.type === "dossier.supplement_requested" ||
    e.event.type === "dossier.supplement_received" ||
    CLOSES.has(e.event.type));
const endedByInference = (e: FoldEntry) => ENDED_BY_INFERENCE.has(kindOf(e.event) ?? "");

/**
 * The wait whose first telling is entries[i], told again exactly that day ({@link retellWaits}):
 * the entries to leave out, the exact telling, and the undated end to move after it. With no exact
 * telling, only the tellings at its start that sort after its undated end are left out: the same
 * wait, which they would otherwise open again for good.
 */
function retelling(
  entries: readonly FoldEntry[],
  i: number,
): { dropped: number[]; exact?: number; end: number } | undefined {
  const first = entries[i] as FoldEntry;
  if (!isClock(first) || !endedByInference(first)) return undefined;
  // Everything at the wait's start: its tellings (the portal renames a round told at 6 a
  // supplement once answered) and its undated end, in whatever order their ids put them.
  const told = [i];
  const kinds = new Set([kindOf(first.event)]);
  const sources = new Set([first.event.source]);
  let end: number | undefined;
  let j = i + 1;
  for (; j < entries.length && (entries[j] as FoldEntry).at === first.at; j++) {
    const next = entries[j] as FoldEntry;
    if (!isClock(next)) continue;
    if (endedByInference(next)) {
      told.push(j);
      kinds.add(kindOf(next.event));
      sources.add(next.event.source);
    } else if (undatedEnd(next.event) && end === undefined) end = j;
    // Another inferred end there (a return to processing told at that instant, a second undated
    // end) ends the same wait; a dated return or a close there is no retelling.
    else if (!inferredResume(next.event)) return undefined;
  }
  if (end === undefined || !sources.has((entries[end] as FoldEntry).event.source)) return undefined;
  // Then, that day, the same wait told exactly, and any further tellings of it.
  let exact: number | undefined;
  const further: number[] = [];
  for (; j < entries.length; j++) {
    const next = entries[j] as FoldEntry;
    if (!isClock(next)) continue;
    if (!kinds.has(kindOf(next.event)) || localDate(next.at) !== localDate(first.at)) break;
    if (exact === undefined) exact = j;
    else further.push(j);
  }
  if (exact !== undefined) return { dropped: [...told, end, ...further], exact, end };
  const after = told.filter((k) => k > (end as number));
  return after.length ? { dropped: after, end } : undefined;
}

/**
 * The undated ends a later return dates instead (see {@link undatedEnd}), among the entries in
 * fold order, by identity (`identityOf`): a return the fold applies (the owner's, or a source's the
 * directory grants the dossier's unit: a department posting its progress items under its own key),
 * dated or inferred and not undated, before the next pause or close the fold applies. Anything the
 * fold refuses is passed over: a refused return must not reopen the owner's wait. One pass from the
 * end.
 */
export function supersededUndatedEnds(
  entries: readonly { event: DossierEvent; applied: boolean }[],
): Set<string> {
  const out = new Set<string>();
  // Whether, looking on from here, a return comes before any pause or close.
  let returnAhead = false;
  for (let j = entries.length - 1; j >= 0; j--) {
    const { event, applied } = entries[j] as (typeof entries)[number];
    if (!applied) continue;
    if (undatedEnd(event)) {
      if (returnAhead) out.add(identityOf(event));
    } else if (event.type === "dossier.supplement_requested" || CLOSES.has(event.type)) returnAhead = false;
    else if (event.type === "dossier.supplement_received") returnAhead = true;
  }
  return out;
}

/** Whether an event is a resumption inferred from the status (`ifPaused`), not a dated answer. */
export const inferredResume = (event: DossierEvent) =>
  event.type === "dossier.supplement_received" && event.data.ifPaused === true;

/**
 * The clock resumes. A resumption inferred from the status (`ifPaused`) ends an open supplement or
 * payment pause (the waits the portal's statuses 5 and 6 show) and is nothing otherwise. The first
 * dated answer after a pause it ended is that pause's answer told again: the end stands (the first
 * sign that processing resumed dates it), and the new due instant the answer gives is taken, as it
 * would have been at the end (docs/rules.md R3).
 */
export function resume(step: Step<EventOf<"dossier.supplement_received">>): void {
  const { state, settings, event, at: t } = step;
  const open = state.pauses.at(-1);
  const newDueAt = event.data.dueAt !== undefined ? instant(event.data.dueAt) : undefined;
  if (event.data.ifPaused) {
    if (!state.paused || !open || !ENDED_BY_INFERENCE.has(open.kind)) return;
    open.inferredEnd = event.eventId;
    endPause(state, settings.calendar, t, event, newDueAt);
    return;
  }
  if (!state.paused) {
    if (!open?.inferredEnd) {
      flag(step, "resume_without_pause");
      state.answerWithoutPause = {
        at: t,
        eventId: event.eventId,
        source: event.source,
        type: event.type,
        newDueAt,
      };
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

/**
 * Ends the running pause at `to`, moving the due instants by the working time it covered.
 * Time already spent keeps counting: the clock continues, it does not restart (docs/rules.md R3;
 * Decree 61/2018/NĐ-CP Art. 19, clause to verify).
 */
export function endPause(
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
