import type { Period } from "../domain/periods";
import { type Report, reportFromCounts } from "../domain/report";
import type { CounterReader } from "./ports";

/** Where a report's numbers came from, and how fresh their time-driven part is. */
export interface ReportBasis {
  source: "counters";
  /** Counter items read: one per unit and per domain, whatever the number of dossiers. */
  itemsRead: number;
  /**
   * Time alone moves dossiers from pending within the deadline to overdue, and carries open ones
   * into a new period. Events move counters at once; those time-driven changes are applied by the
   * deadline sweep, so during a period they are as fresh as its last run.
   */
  timeDriven: string;
}

/** A period's report, read from the rolling counters (docs/kpis.md shape). */
export async function readKpiReport(
  store: CounterReader,
  period: Period,
  options: { asOf: number; unit?: string; strictSupplementRule?: boolean; consistent?: boolean },
): Promise<Report & { basis: ReportBasis }> {
  const counts = await store.readPeriodCounts(period, { consistent: options.consistent });
  const report = reportFromCounts(counts, { period, ...options });
  return {
    ...report,
    basis: {
      source: "counters",
      itemsRead: counts.itemsRead,
      timeDriven:
        "pending within/overdue and carried-over counts include time-driven changes up to the last deadline sweep",
    },
  };
}
