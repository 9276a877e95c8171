/**
 * The counters of docs/kpis.md's table, apart from report.ts so that the modules adding their own
 * counters beside them (paused-time.ts, official/counts.ts) can read a dossier's docs/kpis.md counts
 * without importing the report, which imports them.
 */
export const KPI_COUNTER_KEYS = [
  "receivedNew",
  "receivedOnline",
  "receivedDirect",
  "receivedPostal",
  "carriedOver",
  "resolvedTotal",
  "resolvedEarly",
  "resolvedOnTime",
  "resolvedLate",
  "withdrawn",
  "pendingTotal",
  "pendingWithin",
  "pendingOverdue",
  "ratingsTotal",
  "ratingsSatisfied",
] as const;
export type KpiCounterKey = (typeof KPI_COUNTER_KEYS)[number];
export type KpiCounts = Record<KpiCounterKey, number>;
