import type { AnomalyKind, DossierState } from "./dossier-state";

/**
 * A period's anomalies by kind (the report's `dataQuality.anomalies`, docs/kpis.md "Data
 * quality"), counted like every other counter: additive per dossier, so the DynamoDB counters and
 * the report computed from events agree exactly, and the API, the dashboard and the CLI show the
 * same numbers.
 *
 * An anomaly counts in the period its event happened in, as a rating does (one before the receipt
 * counts in the receipt's period, one without an instant there too). A dossier's counters are
 * recomputed whenever its events change, so an anomaly found later (an event that arrives out of
 * order) moves the counts exactly once. A dossier with no receipt (an orphan) belongs to no unit
 * and has no counters: orphans are counted apart (`orphanDossiers`).
 */

/** Each kind's counter key. Stored data (lib/adapters/dynamodb/counter-attributes.ts codes them). */
export const ANOMALY_COUNTER_OF = {
  orphan: "anomalyOrphan",
  before_received: "anomalyBeforeReceived",
  duplicate_received: "anomalyDuplicateReceived",
  after_close: "anomalyAfterClose",
  second_extension: "anomalySecondExtension",
  second_supplement_request: "anomalySecondSupplementRequest",
  late_apology: "anomalyLateApology",
  already_paused: "anomalyAlreadyPaused",
  resume_without_pause: "anomalyResumeWithoutPause",
  no_due_instant: "anomalyNoDueInstant",
  other_source: "anomalyOtherSource",
  conflict: "anomalyConflict",
  no_calendar: "anomalyNoCalendar",
  late_supplement_request: "anomalyLateSupplementRequest",
  abolished_level: "anomalyAbolishedLevel",
} as const satisfies Record<AnomalyKind, `anomaly${string}`>;

type AnomalyCounterKey = (typeof ANOMALY_COUNTER_OF)[AnomalyKind];

export const ANOMALY_COUNTER_KEYS = Object.values(ANOMALY_COUNTER_OF) as AnomalyCounterKey[];

const KINDS = Object.keys(ANOMALY_COUNTER_OF) as AnomalyKind[];

/** Adds the dossier's anomalies that happened in [start, T] to its counts for the period. */
export function anomalyContribution(
  state: DossierState,
  start: number,
  T: number,
  c: Partial<Record<AnomalyCounterKey, number>>,
): void {
  const receivedAt = state.receivedAt ?? start;
  for (const a of state.anomalies) {
    const at = Math.max(a.at ?? receivedAt, receivedAt);
    if (at < start || at > T) continue;
    const key = ANOMALY_COUNTER_OF[a.kind];
    c[key] = (c[key] ?? 0) + 1;
  }
}

/** The anomalies by kind that counts hold (kinds with none left out). */
export function anomaliesOf(c: Record<AnomalyCounterKey, number>): Partial<Record<AnomalyKind, number>> {
  const out: Partial<Record<AnomalyKind, number>> = {};
  for (const kind of KINDS) if (c[ANOMALY_COUNTER_OF[kind]] > 0) out[kind] = c[ANOMALY_COUNTER_OF[kind]];
  return out;
}
