import type { DossierState } from "./dossier-state";
import { PAUSE_KINDS, type PauseKind } from "./events/schema";
import type { KpiCounts } from "./kpi-counters";

/**
 * Paused working time by kind (docs/rules.md R5: "reports count paused working time apart by
 * kind"), and the dossiers whose SLA a missing calendar year leaves unknown (R6). Both are additive
 * per dossier, like every other counter, so the DynamoDB counters and the report computed from
 * events agree exactly.
 *
 * How paused time falls into periods (docs/kpis.md "Paused time by kind"). A department head asks "of the dossiers
 * we finished this period, how long did they wait on applicants, on fees, on other agencies?", so
 * a dossier counts its whole paused working time (every ended pause, by kind) once, in the period
 * it closed (resolved, returned or withdrawn). Time still running in an open pause is not counted
 * anywhere yet: it would change by the minute, and no counter can follow that exactly once.
 */

/** The counter keys of one kind: its working time (ms) and the dossiers with any of it. */
const KIND_KEYS = {
  supplement: { ms: "pausedSupplementMs", dossiers: "pausedSupplementDossiers" },
  financial_obligation: { ms: "pausedFinancialObligationMs", dossiers: "pausedFinancialObligationDossiers" },
  other_agency: { ms: "pausedOtherAgencyMs", dossiers: "pausedOtherAgencyDossiers" },
} as const satisfies Record<PauseKind, { ms: PausedCounterKey; dossiers: PausedCounterKey }>;

type PausedCounterKey = (typeof PAUSED_COUNTER_KEYS)[number];

export const PAUSED_COUNTER_KEYS = [
  "pausedSupplementMs",
  "pausedSupplementDossiers",
  "pausedFinancialObligationMs",
  "pausedFinancialObligationDossiers",
  "pausedOtherAgencyMs",
  "pausedOtherAgencyDossiers",
  /** Dossiers of the period's population (received.total) with a deadline in a year without calendar data. */
  "noCalendar",
  /**
   * Dossiers of the period's population paused (any kind) after their KPI due instant: a
   * `late_supplement_request`. The pause stops no clock, so they are counted overdue or late.
   */
  "latePause",
] as const;
type PausedCounts = Record<PausedCounterKey, number>;

/**
 * Adds a dossier's paused time and its no-calendar mark for the period to `c`, which already holds
 * its docs/kpis.md counts (so whether it closed in the period, or belongs to it at all, is read there).
 */
export function pausedContribution(state: DossierState, c: Partial<KpiCounts & PausedCounts>): void {
  if (c.resolvedTotal === 1 || c.withdrawn === 1) {
    for (const kind of PAUSE_KINDS) {
      const ms = state.pausedByKind[kind];
      if (ms > 0) {
        c[KIND_KEYS[kind].ms] = ms;
        c[KIND_KEYS[kind].dossiers] = 1;
      }
    }
  }
  const inPopulation = c.receivedNew === 1 || c.carriedOver === 1;
  if (inPopulation && state.anomalies.some((a) => a.kind === "no_calendar")) c.noCalendar = 1;
  if (inPopulation && state.pauses.some((p) => p.late)) c.latePause = 1;
}

const HOUR_MS = 3_600_000;

/** One kind's part of a report block: dossiers closed in the period that paused for it, and for how long. */
export interface PausedTime {
  dossiers: number;
  /** Working hours (office hours of the calendar), to two decimals. */
  workingHours: number;
}

export type PausedTimeByKind = Record<PauseKind, PausedTime>;

/** The block's `pausedByKind`, from its counts. */
export function pausedBlock(c: PausedCounts): PausedTimeByKind {
  const out = {} as PausedTimeByKind;
  for (const kind of PAUSE_KINDS) {
    out[kind] = {
      dossiers: c[KIND_KEYS[kind].dossiers],
      workingHours: Math.round((c[KIND_KEYS[kind].ms] / HOUR_MS) * 100) / 100,
    };
  }
  return out;
}
