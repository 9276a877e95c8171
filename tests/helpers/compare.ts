import type { Report } from "../../lib/domain/report";

/** The KPI part of a report: what the counters must reproduce exactly. */
export function kpiView(r: Report) {
  return {
    received: r.received,
    resolved: r.resolved,
    withdrawn: r.withdrawn,
    pending: r.pending,
    ratings: r.ratings,
    rates: r.rates,
    pausedByKind: r.pausedByKind,
    noCalendar: r.noCalendar,
    byUnit: r.byUnit,
    byDomain: r.byDomain,
    anomalies: r.dataQuality.anomalies,
  };
}
