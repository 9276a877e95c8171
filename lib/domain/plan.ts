import { agencyTreeOf } from "./agency-directory";
import { counterPath } from "./agency-rollup";
import { markKey, unitsTold } from "./alert-marks";
import { type AlertTrigger, alertFactsOf, alertTimeline, nearDueMsOf, type Stage } from "./alerts";
import {
  type Counted,
  type CounterDelta,
  type CountingSettings,
  countedAt,
  counterDeltas,
  nextCountCheck,
} from "./counting";
import type { DossierState } from "./dossier-state";
import type { DossierEvent } from "./events/schema";
import { projectDossier } from "./projection";
import type { DossierRecord } from "./records";
import { type SlaState, slaAt } from "./sla";
import { instant } from "./time";
import { type Thresholds, thresholdsOf, type UnitDirectory } from "./units";

/**
 * What changes for one dossier at `now`, from its events and its stored record: the counter
 * deltas, the alerts crossed since, and when to look at it next. Shared by the consumer (an
 * event arrived) and the sweep (time passed), so both keep one next-check rule.
 */
export interface DossierPlan {
  state: DossierState;
  counted: Counted;
  deltas: CounterDelta[];
  /** Alerts to raise now (the sweep raises them; the consumer leaves them for the next sweep). */
  raise: AlertTrigger[];
  marks: Record<string, number>;
  nextCheckAt?: number;
  /** SLA state at `now` (the unit's near-due threshold). */
  sla: SlaState;
}

/** How often a dossier whose deadline lacks calendar data is recounted. */
export const NO_CALENDAR_RECHECK_MS = 24 * 3_600_000;

/** Counting settings with the directory's grants: sources other than the owner count where granted. */
function withGrants(settings: CountingSettings, units: UnitDirectory): CountingSettings {
  return {
    ...settings,
    admits: (source: string | undefined, id: string, unitId: string | undefined) =>
      units.admits(source, id, unitId),
  };
}

/** The dossier's state at `now` as {@link planDossier} projects it (without counting it). */
export function stateAt(
  dossierId: string,
  events: readonly DossierEvent[],
  now: number,
  settings: CountingSettings,
  units: UnitDirectory,
): DossierState {
  return projectDossier(dossierId, events, withGrants(settings, units), now);
}

/** A list of contacts as a comparable set of addresses. */
const addresses = (contacts: readonly { email: string }[]) =>
  contacts
    .map((c) => c.email.toLowerCase())
    .sort()
    .join(",");

/**
 * The alerts to raise for the stages crossed, each marked in `marks` as raised for `unitId`. The
 * desk's copy only when the directory names the unit's desk (docs/rules.md R4); leadership's copy of
 * a stage that is the unit's and leadership's both (`extended_twice`), so one digest sent never
 * stands for the other. A clock stage raised again for the unit a dossier was transferred to
 * (alert-marks.ts `markKey`) goes to its desk and its escalation list only when they are other people
 * than those the units told before had: nobody reads one dossier's stage twice.
 */
function triggersOf(
  stages: readonly Stage[],
  marks: Record<string, number>,
  unitId: string | undefined,
  units: UnitDirectory,
): AlertTrigger[] {
  const desk = addresses(units.oneStopDeskOf(unitId));
  const escalationOf = (id: string | undefined) => {
    const unit = units.get(id);
    return addresses(unit?.escalation.length ? unit.escalation : units.leadership);
  };
  const raise: AlertTrigger[] = [];
  for (const stage of stages) {
    const told = unitsTold(marks, stage.kind, stage.key).filter((u) => u !== (unitId ?? ""));
    const mark = markKey(stage.kind, unitId);
    marks[mark] = stage.key;
    const seenBy = (of: (id: string) => string, mine: string) => told.some((u) => of(u) === mine);
    if (stage.kind === "escalation" && seenBy(escalationOf, escalationOf(unitId))) continue;
    const deskTold = seenBy((u) => addresses(units.oneStopDeskOf(u)), desk);
    raise.push({
      ...stage,
      ...(mark !== stage.kind && { mark }),
      ...(desk && !deskTold && stage.to.includes("one_stop_desk") && { oneStopDesk: true }),
      ...(stage.to.includes("unit") && stage.to.includes("leadership") && { leadership: true }),
    });
  }
  return raise;
}

export function planDossier(
  dossierId: string,
  events: readonly DossierEvent[],
  previous: Pick<DossierRecord, "counted" | "marks"> | undefined,
  now: number,
  settings: CountingSettings,
  units: UnitDirectory,
  options: { raiseAlerts: boolean },
): DossierPlan {
  // An event is valid up to 5 minutes ahead of the clock that took it (docs/events.md), and is
  // counted as of its own time: every later plan of the dossier counts at least to its latest
  // event, or an earlier-dated event (or a sweep) planned within those minutes would leave the
  // ahead one out and take back what it counted (a receipt: the dossier out of the counters).
  // Alerts and the SLA state are judged at the clock's own time: a stage is never raised early.
  const latest = events.reduce((max, e) => Math.max(max, instant(e.occurredAt)), Number.NEGATIVE_INFINITY);
  const countAt = Math.max(now, latest);
  // Each period's contribution goes to its unit's counter item under the unit's roll-up path in the
  // directory's agency tree (none: one office), so each node's counters are read alone.
  const tree = agencyTreeOf(units);
  const { state, counted } = countedAt(
    dossierId,
    events,
    countAt,
    withGrants(settings, units),
    (unit, period) => counterPath(tree, unit, period),
  );
  const deltas = counterDeltas(previous?.counted ?? {}, counted);
  const thresholds: Thresholds = thresholdsOf(units.get(state.unitId), settings.calendar);
  const marks = { ...(previous?.marks ?? {}) };
  const facts = alertFactsOf(state);
  const alerts = facts
    ? alertTimeline(facts, marks, now, settings.calendar, thresholds)
    : { raise: [], next: undefined, noCalendar: [] };
  // A stage in a year without calendar data is unknown, not an error (docs/rules.md R6): one anomaly
  // per year; the sweep recounts once the year's data is deployed.
  for (const year of alerts.noCalendar)
    if (!state.anomalies.some((a) => a.kind === "no_calendar" && a.year === year))
      state.anomalies.push({ kind: "no_calendar", year });
  const raise = options.raiseAlerts ? triggersOf(alerts.raise, marks, state.unitId, units) : [];
  const candidates = [nextCountCheck(state, countAt, settings.scheme), alerts.next];
  // A dossier waiting on a year's calendar data is looked at daily, so it is recounted soon after
  // the data is deployed (docs/rules.md R6).
  if (state.anomalies.some((a) => a.kind === "no_calendar") && state.closedAt === undefined)
    candidates.push(now + NO_CALENDAR_RECHECK_MS);
  // Alerts crossed but left for the sweep make the dossier due at once.
  if (!options.raiseAlerts && alerts.raise.length) candidates.push(now);
  const defined = candidates.filter((c): c is number => c !== undefined);
  // The SLA state's near due is the alert's (a share of the time allowed for a short procedure).
  const nearDueMs = facts ? nearDueMsOf(facts, settings.calendar, thresholds) : thresholds.nearDueMs;
  // A dossier closed by an event ahead of the clock is closed: judged open at the clock, its state
  // would stay so, since a closed dossier is never looked at again.
  const sla = slaAt(state, state.closedAt === undefined ? now : countAt, settings.calendar, {
    nearDueMs,
  }).state;
  return {
    sla,
    state,
    counted,
    deltas,
    raise,
    marks,
    nextCheckAt: defined.length ? Math.min(...defined) : undefined,
  };
}
