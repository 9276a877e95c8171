import { ANOMALY_COUNTER_KEYS, anomaliesOf, anomalyContribution } from "./anomaly-counts";
import type { AnomalyKind, DossierState, ProjectionSettings } from "./dossier-state";
import type { DossierEvent } from "./events/schema";
import { KPI_COUNTER_KEYS } from "./kpi-counters";
import { OFFICIAL_COUNTER_KEYS, officialContribution } from "./official/counts";
import { PAUSED_COUNTER_KEYS, type PausedTimeByKind, pausedBlock, pausedContribution } from "./paused-time";
import { type Period, periodBounds } from "./periods";
import { groupByDossier, projectDossier } from "./projection";
import { shownRatio } from "./ratio";
import { formatInstant, localDate, TIME_ZONE } from "./time";

export { latePauseNote, noCalendarNote } from "./report-notes";

/**
 * The report of docs/kpis.md: one shape for the rolling counters, the API, the email, the CLI and the
 * exports. Counts are additive per dossier, so the same {@link contribution} feeds the reference
 * report computed from events and the DynamoDB counters kept by the consumer.
 */

export const COUNTER_KEYS = [
  ...KPI_COUNTER_KEYS,
  ...OFFICIAL_COUNTER_KEYS,
  ...PAUSED_COUNTER_KEYS,
  ...ANOMALY_COUNTER_KEYS,
] as const;
export type CounterKey = (typeof COUNTER_KEYS)[number];
export type Counts = Record<CounterKey, number>;

export function zeroCounts(): Counts {
  return Object.fromEntries(COUNTER_KEYS.map((k) => [k, 0])) as Counts;
}

export function addCounts(target: Counts, add: Partial<Counts>, sign = 1): Counts {
  // A dossier's counts name a few keys of many: walk those (a report adds them per dossier, 4 times).
  for (const k in add) {
    const v = add[k as keyof Counts];
    if (typeof v === "number" && Object.hasOwn(target, k)) target[k as keyof Counts] += sign * v;
  }
  return target;
}

/** A dossier's part of one period's counts, under the unit, domain and level it belongs to at T. */
export interface Contribution {
  unit: string;
  domain: string;
  /** The `level` of its `received` (form II.06a's row groups); absent in items counted before it existed. */
  level?: string;
  counts: Partial<Counts>;
}

/** The domain key used when a dossier's `received` names none. */
export const NO_DOMAIN = "(none)";
/** The level key used when a dossier's `received` names none. */
export const NO_LEVEL = "(none)";

/** The key of a (level, domain) pair in {@link PeriodCounts.byLevelDomain}: `level#domain`. */
export const levelDomainKey = (level: string | undefined, domain: string) => `${level ?? NO_LEVEL}#${domain}`;

/**
 * What one dossier adds to period P's counts, from its state projected at `T = min(asOf, end of P)`
 * (docs/kpis.md "Counts for period P"). `undefined` when it adds nothing.
 */
export function contribution(state: DossierState, period: Period, T: number): Contribution | undefined {
  if (!state.received || state.receivedAt === undefined || state.receivedAt > T || !state.unitId)
    return undefined;
  const { start } = periodBounds(period);
  // A period that has not begun at T has no counts yet (nothing is carried into it before it starts).
  if (T < start) return undefined;
  const c: Partial<Counts> = {};
  const receivedAt = state.receivedAt;
  const closedAt = state.closedAt !== undefined && state.closedAt <= T ? state.closedAt : undefined;
  if (receivedAt >= start) {
    c.receivedNew = 1;
    if (state.channel === "online") c.receivedOnline = 1;
    else if (state.channel === "postal") c.receivedPostal = 1;
    else c.receivedDirect = 1;
  } else if (closedAt === undefined || closedAt >= start) {
    c.carriedOver = 1;
  }
  const resolvedAt = state.resolvedAt;
  if (resolvedAt !== undefined && resolvedAt >= start && resolvedAt <= T) {
    c.resolvedTotal = 1;
    const due = state.kpiDueAt;
    // Late, early (trước hạn) and on time (đúng hạn): the columns of form II.06a/VPCP/KSTT
    // (Circular 01/2020/TT-VPCP; docs/official.md). Early by local date is the monitor's reading of
    // those columns, the form's guidance not read (docs/kpis.md): a dossier resolved on its due
    // date is on time, not early.
    if (state.strictLate || (due !== undefined && resolvedAt > due)) c.resolvedLate = 1;
    else if (due !== undefined && localDate(resolvedAt) < localDate(due)) c.resolvedEarly = 1;
    else c.resolvedOnTime = 1;
  }
  const withdrawnAt = state.withdrawnAt;
  if (withdrawnAt !== undefined && withdrawnAt >= start && withdrawnAt <= T) c.withdrawn = 1;
  if (closedAt === undefined) {
    c.pendingTotal = 1;
    const due = state.kpiDueAt;
    // A pause begun after the due instant stops no clock: the dossier stays overdue (projection.ts).
    // With the strict supplement setting a second request counts the dossier late whatever its
    // clock (docs/rules.md R3, the monitor's stricter reading), paused by that request included.
    const overdue = state.strictLate || (!state.clockStopped && due !== undefined && due < T);
    if (overdue) c.pendingOverdue = 1;
    else c.pendingWithin = 1;
  }
  for (const r of state.ratings) {
    if (r.at >= start && r.at <= T) {
      c.ratingsTotal = (c.ratingsTotal ?? 0) + 1;
      if (r.score >= 4) c.ratingsSatisfied = (c.ratingsSatisfied ?? 0) + 1;
    }
  }
  officialContribution(state, start, T, c);
  pausedContribution(state, c);
  anomalyContribution(state, start, T, c);
  if (Object.keys(c).length === 0) return undefined;
  return { unit: state.unitId, domain: state.domain ?? NO_DOMAIN, level: state.level ?? NO_LEVEL, counts: c };
}

export interface ReportBlock {
  received: {
    total: number;
    carriedOver: number;
    new: number;
    online: number;
    direct: number;
    postal: number;
  };
  resolved: { total: number; early: number; onTime: number; late: number };
  withdrawn: number;
  pending: { total: number; withinDeadline: number; overdue: number };
  ratings: { total: number; satisfied: number };
  rates: { onTime: number | null; online: number | null; satisfaction: number | null };
  /** Of the dossiers closed in the period, those that paused for each kind and for how long (./paused-time.ts). */
  pausedByKind: PausedTimeByKind;
  /**
   * Dossiers of `received.total` whose deadline falls in a year without calendar data: SLA unknown
   * (docs/rules.md R6).
   */
  noCalendar: number;
  /**
   * Dossiers of `received.total` paused after their due instant (`late_supplement_request`): counted
   * overdue or late all the same, named so a reader sees why (projection.ts).
   */
  latePause: number;
}

export interface Report extends ReportBlock {
  period: { name?: string; from: string; to: string; timeZone: string };
  asOf: string;
  /** Whether the report was taken during its period (its counts will change). */
  rolling: boolean;
  unit: string | null;
  /** The agency of the tree whose report it is: the sum of its units'. Absent: the office's. */
  agency?: string;
  byUnit: (ReportBlock & { unit: string })[];
  byDomain: (ReportBlock & { domain: string })[];
  settings: { strictSupplementRule: boolean };
  dataQuality: {
    orphanDossiers: number;
    /** Set when the orphans were counted up to a bound and more were left unread (`GET /kpis`). */
    orphanDossiersAtLeast?: true;
    anomalies: Partial<Record<AnomalyKind, number>>;
  };
}

const rate = shownRatio;

/** The report block of a set of counts. */
export function blockOf(c: Counts): ReportBlock {
  return {
    received: {
      total: c.carriedOver + c.receivedNew,
      carriedOver: c.carriedOver,
      new: c.receivedNew,
      online: c.receivedOnline,
      direct: c.receivedDirect,
      postal: c.receivedPostal,
    },
    resolved: {
      total: c.resolvedTotal,
      early: c.resolvedEarly,
      onTime: c.resolvedOnTime,
      late: c.resolvedLate,
    },
    withdrawn: c.withdrawn,
    pending: { total: c.pendingTotal, withinDeadline: c.pendingWithin, overdue: c.pendingOverdue },
    ratings: { total: c.ratingsTotal, satisfied: c.ratingsSatisfied },
    rates: {
      onTime: rate(c.resolvedEarly + c.resolvedOnTime, c.resolvedTotal),
      online: rate(c.receivedOnline, c.receivedNew),
      satisfaction: rate(c.ratingsSatisfied, c.ratingsTotal),
    },
    pausedByKind: pausedBlock(c),
    noCalendar: c.noCalendar,
    latePause: c.latePause,
  };
}

export class InvariantError extends Error {}

/** `received.total == resolved.total + withdrawn + pending.total` (docs/kpis.md), and the splits add up. */
export function checkInvariant(block: ReportBlock, where: string): void {
  const r = block;
  const problems: string[] = [];
  if (r.received.total !== r.resolved.total + r.withdrawn + r.pending.total) {
    problems.push(
      `received ${r.received.total} != resolved ${r.resolved.total} + withdrawn ${r.withdrawn} + pending ${r.pending.total}`,
    );
  }
  if (r.received.new !== r.received.online + r.received.direct + r.received.postal) problems.push("channels");
  if (r.resolved.total !== r.resolved.early + r.resolved.onTime + r.resolved.late)
    problems.push("resolved split");
  if (r.pending.total !== r.pending.withinDeadline + r.pending.overdue) problems.push("pending split");
  if (problems.length)
    throw new InvariantError(`report invariant broken for ${where}: ${problems.join("; ")}`);
}

/** Counts per unit, per domain and per (level, domain): what the DynamoDB counters hold for one period. */
export interface PeriodCounts {
  byUnit: Map<string, Counts>;
  byDomain: Map<string, Counts>;
  /** By {@link levelDomainKey}: the rows of form II.06a. */
  byLevelDomain: Map<string, Counts>;
}

export function emptyPeriodCounts(): PeriodCounts {
  return { byUnit: new Map(), byDomain: new Map(), byLevelDomain: new Map() };
}

export function addContribution(target: PeriodCounts, c: Contribution, sign = 1): void {
  const unit = target.byUnit.get(c.unit) ?? zeroCounts();
  target.byUnit.set(c.unit, addCounts(unit, c.counts, sign));
  const domain = target.byDomain.get(c.domain) ?? zeroCounts();
  target.byDomain.set(c.domain, addCounts(domain, c.counts, sign));
  const key = levelDomainKey(c.level, c.domain);
  const level = target.byLevelDomain.get(key) ?? zeroCounts();
  target.byLevelDomain.set(key, addCounts(level, c.counts, sign));
}

export interface ReportOptions {
  period: Period;
  asOf: number;
  /** Only this unit (its block becomes the report's, `byUnit` holds it alone). */
  unit?: string;
  strictSupplementRule?: boolean;
  /** The dossiers with events but no receipt, which no counter holds (./anomaly-counts.ts). */
  orphanDossiers?: number;
}

const byKey = <T>(a: [string, T], b: [string, T]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** The report from per-unit and per-domain counts (the counters' or the events'). */
export function reportFromCounts(counts: PeriodCounts, options: ReportOptions): Report {
  const { period, asOf } = options;
  const { end } = periodBounds(period);
  const units = [...counts.byUnit.entries()]
    .filter(([unit]) => options.unit === undefined || unit === options.unit)
    .sort(byKey);
  const total = zeroCounts();
  for (const [, c] of units) addCounts(total, c);
  const byUnit = units.map(([unit, c]) => ({ unit, ...blockOf(c) }));
  const byDomain =
    options.unit === undefined
      ? [...counts.byDomain.entries()].sort(byKey).map(([domain, c]) => ({ domain, ...blockOf(c) }))
      : [];
  const report: Report = {
    period: { name: period.name, from: period.from, to: period.to, timeZone: TIME_ZONE },
    asOf: formatInstant(asOf),
    rolling: asOf < end,
    unit: options.unit ?? null,
    ...blockOf(total),
    byUnit,
    byDomain,
    settings: { strictSupplementRule: options.strictSupplementRule ?? false },
    // Orphans have no unit and no counters: counted from the events, or by the caller (0 unsaid).
    dataQuality: { orphanDossiers: options.orphanDossiers ?? 0, anomalies: anomaliesOf(total) },
  };
  checkInvariant(report, "the whole report");
  for (const u of byUnit) checkInvariant(u, `unit ${u.unit}`);
  for (const d of byDomain) checkInvariant(d, `domain ${d.domain}`);
  return report;
}

/** The reference report, computed straight from events (docs/kpis.md), for any period and `asOf`. */
export function computeReport(
  events: Iterable<DossierEvent>,
  settings: ProjectionSettings,
  options: Omit<ReportOptions, "strictSupplementRule" | "orphanDossiers">,
): Report {
  return computeReportAndCounts(events, settings, options).report;
}

/** {@link computeReport}, with the counts it came from (the official outputs read them too). */
export function computeReportAndCounts(
  events: Iterable<DossierEvent>,
  settings: ProjectionSettings,
  options: Omit<ReportOptions, "strictSupplementRule" | "orphanDossiers">,
): { report: Report; counts: PeriodCounts } {
  const { end } = periodBounds(options.period);
  const T = Math.min(options.asOf, end);
  const counts = emptyPeriodCounts();
  let orphanDossiers = 0;
  for (const [dossierId, list] of groupByDossier(events)) {
    const state = projectDossier(dossierId, list, settings, T);
    if (!state.received && state.timeline.length > 0) orphanDossiers++;
    const c = contribution(state, options.period, T);
    if (c) addContribution(counts, c);
  }
  const report = reportFromCounts(counts, {
    ...options,
    strictSupplementRule: settings.strictSupplementRule ?? false,
    orphanDossiers,
  });
  return { report, counts };
}
