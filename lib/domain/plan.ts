import { agencyTreeOf } from "./agency-directory";
import { counterPath } from "./agency-rollup";
import { type AlertTrigger, alertFactsOf, alertTimeline, markKey, nearDueMsOf } from "./alerts";
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

export function planDossier(
  dossierId: string,
  events: readonly DossierEvent[],
  previous: Pick<DossierRecord, "counted" | "marks"> | undefined,
  now: number,
  settings: CountingSettings,
  units: UnitDirectory,
  options: { raiseAlerts: boolean },
): DossierPlan {
  // Each period's contribution goes to its unit's counter item under the unit's roll-up path in the
  // directory's agency tree (none: one office), so each node's counters are read alone.
  const tree = agencyTreeOf(units);
  const { state, counted } = countedAt(dossierId, events, now, withGrants(settings, units), (unit, period) =>
    counterPath(tree, unit, period),
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
  // The desk's copy only when the directory names the unit's desk (docs/rules.md R4).
  const hasDesk = units.oneStopDeskOf(state.unitId).length > 0;
  // Leadership's copy of a stage that is the unit's and leadership's both (`extended_twice`): each
  // digest takes its own copy, so one sent never stands for the other.
  const markOf = (a: { kind: AlertTrigger["kind"] }) => markKey(a.kind, facts?.transferredTo);
  const raise: AlertTrigger[] = (options.raiseAlerts ? alerts.raise : []).map((a) => ({
    ...a,
    ...(markOf(a) !== a.kind && { mark: markOf(a) }),
    ...(hasDesk && a.to.includes("one_stop_desk") && { oneStopDesk: true }),
    ...(a.to.includes("unit") && a.to.includes("leadership") && { leadership: true }),
  }));
  for (const a of raise) marks[markOf(a)] = a.key;
  const candidates = [nextCountCheck(state, now, settings.scheme), alerts.next];
  // A dossier waiting on a year's calendar data is looked at daily, so it is recounted soon after
  // the data is deployed (docs/rules.md R6).
  if (state.anomalies.some((a) => a.kind === "no_calendar") && state.closedAt === undefined)
    candidates.push(now + NO_CALENDAR_RECHECK_MS);
  // Alerts crossed but left for the sweep make the dossier due at once.
  if (!options.raiseAlerts && alerts.raise.length) candidates.push(now);
  const defined = candidates.filter((c): c is number => c !== undefined);
  // The SLA state's near due is the alert's (a share of the time allowed for a short procedure).
  const nearDueMs = facts ? nearDueMsOf(facts, settings.calendar, thresholds) : thresholds.nearDueMs;
  const sla = slaAt(state, now, settings.calendar, { nearDueMs }).state;
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
