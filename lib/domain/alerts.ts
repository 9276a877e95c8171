import { alreadyRaised, STAGE_KINDS, type StageKind } from "./alert-marks";
import type { WorkingCalendar } from "./calendar/calendar";
import { calendarResult } from "./calendar/result";
import type { DossierState } from "./dossier-state";
import {
  apologyBreachFrom,
  apologyDeadlineOf,
  tooManyAppointments,
  tooManySupplementRequests,
} from "./rules";
import { HOUR_MS, MINUTE_MS } from "./time";

/**
 * The rules behind alerts (docs/calendar.md "Late dossiers"): each kind has a threshold instant; an
 * alert is raised once per threshold (the `key` names it: a due instant moved by a pause or an
 * extension is a new threshold). Closed dossiers raise nothing; paused ones only the breaches
 * already committed, and a pause asked for after the due instant stops no clock (docs/rules.md R4).
 */

/*
 * The alert timeline of docs/rules.md R4, per dossier and in working time. `no_apology` (after the due
 * instant, too late to act) became `apology_missed`, which comes before it.
 */

export { STAGE_KINDS, type StageKind } from "./alert-marks";
/** The kinds the store and the digest know (the stages of the timeline). */
export const ALERT_KINDS = STAGE_KINDS;
export type AlertKind = StageKind;

export type Recipient = "unit" | "one_stop_desk" | "leadership";

export interface Stage {
  kind: StageKind;
  /** What the threshold is about (a due instant, an event's instant): raised once per key. */
  key: number;
  /** When the threshold is crossed. */
  at: number;
  to: readonly Recipient[];
}

/**
 * An alert to raise: a stage crossed. `oneStopDesk`: the stage is for the one-stop desk too and
 * the unit's directory entry names its desk, so the desk gets its own copy (raised with it, once).
 * `leadership`: the stage is for the unit and leadership both, so leadership gets its own copy.
 */
export type AlertTrigger = Stage & {
  oneStopDesk?: boolean;
  leadership?: boolean;
  /** The mark's name where it is not the kind: a clock stage's, at the unit it is raised for (alert-marks.ts `markKey`). */
  mark?: string;
};

/** What the timeline needs of a dossier (from its projected state: {@link alertFactsOf}). */
export interface AlertFacts {
  /** The receipt instant; its rule set gives the apology lead (rules.ts). */
  receivedAt: number;
  /** The KPI due instant (moved by pauses, never by extensions). */
  kpiDueAt?: number;
  /** The due instant of the lawful period, before pauses: with the receipt, the time allowed. */
  baseDueAt?: number;
  /** The new appointment of the latest extension, when there is one. */
  appointmentAt?: number;
  paused: boolean;
  closed: boolean;
  /**
   * `deadline_extended` events, in order, by their `occurredAt`. Only one with `apologyIssued`
   * is an apology letter (docs/rules.md R4): a new appointment without it does not silence
   * `apology_missed` nor stand for the letter in `late_apology`.
   */
  extensions: readonly { at: number; apologyIssued: boolean }[];
  /** Instants of the supplement requests (pauses of kind `supplement` only), in order. */
  supplementRequestsAt: readonly number[];
  /** The starts of the pauses (any kind) begun after the KPI due instant, in order. */
  latePausesAt: readonly number[];
  /**
   * When the apology letter came late, as the projection judged it at the letter's instant (the
   * anomaly `late_apology`; null: judged, in time). Absent (a state projected before it was
   * judged so, or a letter sent before any due instant was known): the letter is judged by the
   * decree's words (`apologyBreachFrom`) against the current KPI due instant.
   */
  lateApologyAt?: number | null;
  lastEventAt?: number;
  /** The unit now responsible (after transfers): the clock's stages are raised once for each unit (alert-marks.ts `markKey`). */
  unitId?: string;
}

/** A unit's thresholds in working time (units.ts carries the per-unit settings). */
export interface TimelineThresholds {
  nearDueMs: number;
  /** Near due at most this share of the time allowed before the due instant (0–1]. */
  nearDueShare: number;
  apologyLeadMs: number;
  escalationMs: number;
  possiblyClosedMs: number;
}

/**
 * Defaults that leave time to act (docs/rules.md R4): near due 2 working days before the due
 * instant, or half the time allowed when that is shorter, the apology reminder 4 working hours
 * before the apology deadline. The share keeps R4's 2 working days for every period of 4 working
 * days or more (32 h × 0.5 = 16 h) and moves only short ones, which 16 h made near due at the
 * first sweep after receipt (a 1-day or same-day procedure): an alert a head can act on.
 */
export const DEFAULT_TIMELINE_THRESHOLDS = {
  nearDueWorkingHours: 16,
  nearDueShareOfPeriod: 0.5,
  apologyLeadWorkingHours: 4,
  escalationWorkingDays: 2,
  possiblyClosedWorkingDays: 10,
};
export type TimelineSettings = typeof DEFAULT_TIMELINE_THRESHOLDS;

export function timelineThresholds(
  unit: Partial<TimelineSettings> | undefined,
  calendar: WorkingCalendar,
): TimelineThresholds {
  const t = { ...DEFAULT_TIMELINE_THRESHOLDS, ...unit };
  return {
    nearDueMs: t.nearDueWorkingHours * HOUR_MS,
    nearDueShare: t.nearDueShareOfPeriod,
    apologyLeadMs: t.apologyLeadWorkingHours * HOUR_MS,
    escalationMs: t.escalationWorkingDays * calendar.workingDayMs,
    possiblyClosedMs: t.possiblyClosedWorkingDays * calendar.workingDayMs,
  };
}

/**
 * How long before the KPI due instant a dossier is near due: the unit's working-hours threshold,
 * or its share of the time allowed (working time from receipt to the lawful due instant) when
 * that is shorter, to the minute. By default a certification received Mon 09:00 and due Mon 17:00
 * (6 working hours) is near due at 14:00, not at once; a 10-day procedure keeps the 2 working days.
 */
export function nearDueMsOf(
  facts: Pick<AlertFacts, "receivedAt" | "baseDueAt" | "kpiDueAt">,
  calendar: WorkingCalendar,
  t: Pick<TimelineThresholds, "nearDueMs" | "nearDueShare">,
): number {
  const due = facts.baseDueAt ?? facts.kpiDueAt;
  if (due === undefined) return t.nearDueMs;
  const allowed = calendarResult(() => calendar.workingTimeBetween(facts.receivedAt, due));
  if (!allowed.ok) return t.nearDueMs;
  const share = Math.round((allowed.value * t.nearDueShare) / MINUTE_MS) * MINUTE_MS;
  return Math.min(t.nearDueMs, share);
}

/** Stages being listed, and the years a threshold needed that the calendar lacks. */
interface StageList {
  stages: Stage[];
  noCalendar: number[];
  /** A calendar computation, or `undefined` with its year listed when the calendar lacks it. */
  compute<T>(f: () => T): T | undefined;
  /** Lists a stage when its instant is known. */
  add(kind: StageKind, key: number, at: number | undefined): void;
}

function stageList(): StageList {
  const stages: Stage[] = [];
  const noCalendar: number[] = [];
  return {
    stages,
    noCalendar,
    compute<T>(f: () => T): T | undefined {
      const r = calendarResult(f);
      if (r.ok) return r.value;
      if (!noCalendar.includes(r.error.year)) noCalendar.push(r.error.year);
      return undefined;
    },
    add(kind, key, at) {
      if (at !== undefined) stages.push({ kind, key, at, to: RECIPIENTS[kind] });
    },
  };
}

/** Every stage of a dossier, crossed or not; years without calendar data are listed apart. */
export function timelineStages(
  facts: AlertFacts,
  calendar: WorkingCalendar,
  t: TimelineThresholds,
): { stages: Stage[]; noCalendar: number[] } {
  const list = stageList();
  const result = { stages: list.stages, noCalendar: list.noCalendar };
  if (facts.closed) return result;
  const due = facts.kpiDueAt;
  const apologyDeadline =
    due === undefined ? undefined : list.compute(() => apologyDeadlineOf(due, facts.receivedAt, calendar));
  const apology = addCommittedBreaches(list, facts, calendar);
  // While paused the clock stops: nothing is near due or late (docs/calendar.md "Pauses").
  if (facts.paused || due === undefined) return result;
  addClockStages(list, facts, calendar, t, { due, apologyDeadline, apologised: apology !== undefined });
  return result;
}

/**
 * Breaches already committed: shown whether or not the dossier is paused. Returns the apology
 * letter: the first new appointment that came with one (`apologyIssued`), not merely the first.
 */
function addCommittedBreaches(
  list: StageList,
  facts: AlertFacts,
  calendar: WorkingCalendar,
): AlertFacts["extensions"][number] | undefined {
  const { add } = list;
  const apology = facts.extensions.find((e) => e.apologyIssued);
  // The projection's judgement (`lateApologyAt`); a letter it could not judge (sent before any due
  // instant was known) is judged here by the decree's words against the due instant known now.
  const due = facts.kpiDueAt;
  const lateFrom =
    due === undefined || facts.lateApologyAt !== undefined
      ? undefined
      : list.compute(() => apologyBreachFrom(due, facts.receivedAt, calendar));
  const lateAt =
    facts.lateApologyAt !== undefined
      ? facts.lateApologyAt
      : apology && lateFrom !== undefined && apology.at >= lateFrom
        ? apology.at
        : null;
  if (lateAt !== null) add("late_apology", lateAt, lateAt);
  const second = facts.extensions[1];
  if (second && tooManyAppointments(facts.receivedAt, facts.extensions.length))
    add("extended_twice", second.at, second.at);
  const secondRequest = facts.supplementRequestsAt[1];
  if (
    secondRequest !== undefined &&
    tooManySupplementRequests(facts.receivedAt, facts.supplementRequestsAt.length)
  ) {
    // Whatever `STRICT_SUPPLEMENT_RULE` says (docs/rules.md R3): guidance is given once, in full.
    add("supplement_twice", secondRequest, secondRequest);
  }
  // A pause asked for after the due instant: it does not stop the clock (projection.ts), and an
  // office that asks for a supplement only once the time is out is told so, once per such pause.
  // Each its own stage (two told between sweeps, a back-fill, are two alerts, not the latest alone).
  for (const at of facts.latePausesAt) add("late_supplement_request", at, at);
  return apology;
}

/** The stages of a running clock: reminders before the due instant, and what follows it. */
function addClockStages(
  list: StageList,
  facts: AlertFacts,
  calendar: WorkingCalendar,
  t: TimelineThresholds,
  { due, apologyDeadline, apologised }: { due: number; apologyDeadline?: number; apologised: boolean },
): void {
  const { add, compute } = list;
  const extended = facts.extensions.length > 0;
  if (!extended) {
    const nearDueMs = nearDueMsOf(facts, calendar, t);
    add(
      "near_due",
      due,
      compute(() => calendar.deadlineBefore(due, nearDueMs)),
    );
  }
  // A new appointment without the apology letter is no apology: still reminded, still missed
  // (docs/rules.md R4: the office sends the apology letter with its one new appointment; Decree
  // 61/2018/NĐ-CP Art. 19, point to verify; kept by the 2025-07-01 set of Decree 118/2025/NĐ-CP:
  // lib/domain/rules.ts). An extension silences the near-due reminder only.
  if (!apologised && apologyDeadline !== undefined) {
    add(
      "apology_due",
      due,
      compute(() => calendar.deadlineBefore(apologyDeadline, t.apologyLeadMs)),
    );
    add("apology_missed", due, apologyDeadline + 1);
  }
  // A new appointment never makes a late dossier on time: overdue and escalation still come.
  add("overdue", due, due + 1);
  const escalation = compute(() => calendar.addWorkingTime(due, t.escalationMs));
  if (escalation !== undefined) add("escalation", due, Math.max(due + 1, escalation));
  if (extended && facts.appointmentAt !== undefined) {
    add("past_appointment", facts.appointmentAt, facts.appointmentAt + 1);
  }
  const last = facts.lastEventAt;
  if (last !== undefined) {
    const quiet = compute(() => calendar.addWorkingTime(last, t.possiblyClosedMs));
    if (quiet !== undefined) add("possibly_closed", last, Math.max(due + 1, quiet));
  }
}

/**
 * The stages to raise at `now` (crossed, not yet raised for their key in `marks`), and the next
 * instant one not yet crossed will be. A stage overtaken by a later one is not raised late: a
 * near-due after the due instant, an apology reminder after the apology deadline. `noCalendar`
 * lists the years a threshold needed and the calendar lacks (docs/rules.md R6): those stages are
 * unknown, not dropped; they come once the year's data is deployed and a sweep recounts.
 */
export function alertTimeline(
  facts: AlertFacts,
  marks: Readonly<Record<string, number>>,
  now: number,
  calendar: WorkingCalendar,
  t: TimelineThresholds,
): { raise: Stage[]; next?: number; noCalendar: number[] } {
  const { stages, noCalendar } = timelineStages(facts, calendar, t);
  const raise: Stage[] = [];
  let next: number | undefined;
  const passed = (kind: StageKind) => stages.some((s) => s.kind === kind && s.at <= now);
  for (const stage of stages) {
    if (alreadyRaised(marks, stage, facts.unitId)) continue;
    if (stage.at > now) {
      if (next === undefined || stage.at < next) next = stage.at;
      continue;
    }
    if (stage.kind === "near_due" && passed("overdue")) continue;
    if (stage.kind === "apology_due" && (passed("apology_missed") || passed("overdue"))) continue;
    raise.push(stage);
  }
  return { raise, next, noCalendar };
}

/** The facts the timeline needs, from a projected state. */
export function alertFactsOf(state: DossierState): AlertFacts | undefined {
  if (!state.received || state.receivedAt === undefined) return undefined;
  return {
    receivedAt: state.receivedAt,
    kpiDueAt: state.kpiDueAt,
    baseDueAt: state.baseDueAt,
    appointmentAt: state.appointmentAt,
    // A pause begun after the due instant stops no clock: overdue and escalation still come.
    paused: state.clockStopped,
    closed: state.closedAt !== undefined,
    extensions: state.extensions.map((e) => ({ at: e.at, apologyIssued: e.apologyIssued })),
    // Only supplement requests break the guidance-once rule: waiting on fees or another agency does not.
    supplementRequestsAt: state.pauses.filter((p) => p.kind === "supplement").map((p) => p.from),
    latePausesAt: state.pauses.filter((p) => p.late).map((p) => p.from),
    lateApologyAt:
      state.anomalies.find((a) => a.kind === "late_apology")?.at ??
      (state.apologyUnjudged ? undefined : null),
    lastEventAt: state.lastEventAt,
    unitId: state.unitId,
  };
}

/**
 * Who a stage is for (docs/rules.md R3, R4). The one-stop desk: the apology reminder and the missed
 * apology (R4's table: the office notifies the desk in writing no later than the apology
 * deadline; Decree 61/2018/NĐ-CP Art. 19, point to verify; from 2025-07-01 Decree 118/2025/NĐ-CP,
 * article to verify), and a second supplement request (R3: guidance once, in full, is the desk's
 * rule too; Decree 61/2018/NĐ-CP Art. 19, point to verify).
 */
export function recipientsOf(kind: StageKind): readonly Recipient[] {
  return RECIPIENTS[kind];
}

const RECIPIENTS: Record<StageKind, readonly Recipient[]> = {
  near_due: ["unit"],
  apology_due: ["unit", "one_stop_desk"],
  apology_missed: ["unit", "one_stop_desk"],
  overdue: ["unit"],
  escalation: ["leadership"],
  past_appointment: ["unit"],
  possibly_closed: ["unit"],
  // R4 names no recipient for a late apology beyond the digest: the unit's.
  late_apology: ["unit"],
  supplement_twice: ["unit", "one_stop_desk"],
  extended_twice: ["unit", "leadership"],
  // The desk hands the supplement request to the applicant: it learns the dossier stays overdue.
  late_supplement_request: ["unit", "one_stop_desk"],
};
