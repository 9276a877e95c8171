import type { DossierState } from "../dossier-state";
import type { KpiCounts } from "../kpi-counters";

/**
 * The counters the official outputs need beyond docs/kpis.md's table (docs/official.md): withdrawn dossiers
 * split as form II.06a places them, and the inputs of the national service index (Decision
 * 766/QĐ-TTg), each additive per dossier like every other counter, so the DynamoDB counters and
 * the report computed from events give the same numbers.
 */
export const OFFICIAL_COUNTER_KEYS = [
  /** Withdrawn in the period by its KPI due instant (form: resolved on time). */
  "withdrawnOnTime",
  /** Withdrawn in the period and carried over into it (form: column 6 when withdrawn are excluded). */
  "withdrawnCarriedOver",
  /** Withdrawn in the period, received in it online (form: column 4 when withdrawn are excluded). */
  "withdrawnOnline",
  /**
   * Index 2.1's numerator: finished on time, or not finished, within the deadline and asked for
   * supplements at most once.
   */
  "indexOnTime",
  /** Dossiers of the period not finished and asked for supplements twice or more (index 2.1 counts them overdue). */
  "supplementMulti",
  /** `dossier.complaint_received` events in the period. */
  "complaints",
  /**
   * Index 5.4's subtrahend: dossiers of the period that were late (not in 2.1's numerator), rated
   * unsatisfied, or drew a complaint about their receipt or resolution. Each dossier once.
   */
  "indexUnsatisfied",
  /** Resolved in the period with `resultElectronic` given (index 4.1's denominator, as far as known). */
  "resultReported",
  /** Resolved in the period with an electronic result. */
  "resultElectronic",
  /** Received in the period with `digitised` given (index 4.2's denominator, as far as known). */
  "digitisedReported",
  /** Received in the period, digitised, and resolved by T with an electronic result (index 4.2). */
  "digitisedElectronic",
] as const;

/**
 * A rating of 1 or 2 out of 5 stands for the portal's "dislike" (index 5.4); 3 is neutral. The
 * monitor's reading: the decision's wording counts dossiers rated unsatisfied (Decision
 * 766/QĐ-TTg, indicator 5.4, annex not read; docs/official.md), and says no scale.
 */
export const DISLIKE_MAX_SCORE = 2;

/**
 * Complaints that lower index 5.4: about the dossier's receipt or its resolution (its handling, or
 * its delay), the decision's "phản ánh, kiến nghị về việc tiếp nhận, giải quyết" (Decision
 * 766/QĐ-TTg, indicator 5.4, annex not read; docs/official.md). A complaint about something else
 * (`other`) says nothing of the dossier's service.
 */
export const INDEX_COMPLAINT_ABOUT: ReadonlySet<string> = new Set(["receipt", "handling", "delay"]);

/**
 * Adds a dossier's official counts for the period `[start, T]` to `c`, which already holds its
 * docs/kpis.md counts (so whether it is carried over, new, resolved, withdrawn or pending is read there).
 */
export function officialContribution(
  state: DossierState,
  start: number,
  T: number,
  c: Partial<KpiCounts & Record<(typeof OFFICIAL_COUNTER_KEYS)[number], number>>,
): void {
  const inPopulation = c.receivedNew === 1 || c.carriedOver === 1;
  const due = state.kpiDueAt;
  if (c.withdrawn === 1) {
    const at = state.withdrawnAt as number;
    if (due === undefined || at <= due) c.withdrawnOnTime = 1;
    if (c.carriedOver === 1) c.withdrawnCarriedOver = 1;
    if (c.receivedOnline === 1) c.withdrawnOnline = 1;
  }
  if (inPopulation) {
    // Decision 766, indicator 2.1 ("Mô tả công thức tính chỉ số 766", 2.1): a dossier is on time
    // when its processing ended (resolved, returned or withdrawn) by the due instant, the
    // applicant's supplement time deducted; one not finished is judged at the period's end, and one
    // waiting for a supplement at the request. "Trừ trường hợp 'Yêu cầu bổ sung hồ sơ' hơn 01 lần
    // thì tính quá hạn" qualifies the dossiers that have no finished status only: a dossier not
    // finished that was asked for supplements more than once is overdue, whether it still waits or
    // was resumed (the monitor's reading, the stricter one); a finished one is judged by when it
    // finished (docs/official.md, 2.1).
    const multi = state.supplementRequests >= 2;
    if (multi && c.pendingTotal === 1) c.supplementMulti = 1;
    let good = false;
    if (c.resolvedTotal === 1) good = c.resolvedLate !== 1;
    else if (c.withdrawn === 1) good = c.withdrawnOnTime === 1;
    else if (c.pendingTotal === 1 && !multi) {
      const requestedAt = state.paused ? state.pauses.at(-1)?.from : undefined;
      good =
        requestedAt !== undefined
          ? !state.strictLate && (due === undefined || requestedAt <= due)
          : c.pendingWithin === 1;
    }
    if (good) c.indexOnTime = 1;
  }
  const complaints = (state.complaints ?? []).filter((x) => x.at >= start && x.at <= T);
  if (complaints.length) c.complaints = complaints.length;
  if (inPopulation) {
    // Decision 766/QĐ-TTg (2022), indicator 5.4 "Mức độ hài lòng trong tiếp nhận, giải quyết
    // TTHC", as the decision's wording is quoted (its annex not read; docs/official.md): (total dossiers − dossiers rated unsatisfied, or with a complaint (phản ánh, kiến nghị)
    // about their receipt or resolution, or late) ÷ total dossiers. A set of dossiers, so one both
    // late and rated unsatisfied is subtracted once (docs/official.md, 5.4).
    const late = c.indexOnTime !== 1;
    const disliked = state.ratings.some((r) => r.at >= start && r.at <= T && r.score <= DISLIKE_MAX_SCORE);
    const complained = complaints.some((x) => INDEX_COMPLAINT_ABOUT.has(x.about));
    if (late || disliked || complained) c.indexUnsatisfied = 1;
  }
  if (c.resolvedTotal === 1 && state.resultElectronic !== undefined) {
    c.resultReported = 1;
    if (state.resultElectronic) c.resultElectronic = 1;
  }
  if (c.receivedNew === 1 && state.digitised !== undefined) {
    c.digitisedReported = 1;
    const resultByT = state.resolvedAt !== undefined && state.resolvedAt <= T && state.resultElectronic;
    if (state.digitised && resultByT) c.digitisedElectronic = 1;
  }
}
