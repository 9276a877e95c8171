import type { NationalIndex } from "../domain/official/index766";
import { type Period, periodBounds } from "../domain/periods";
import type { Report } from "../domain/report";
import { localDate, startOfLocalDate } from "../domain/time";
import type { KpiDeps } from "./period-report";

/**
 * The national index's weekly trend, from the snapshots the weekly emails keep (lib/app/weekly-kpi.ts):
 * what the KPI emails draw and `GET /kpis/trend` answers.
 */

const WEEK_MS = 7 * 86_400_000;

/**
 * The index of each weekly snapshot kept in the period, oldest first (at most one per week): the
 * latest kept by the end of each week from the period's start, and by now (or the period's end),
 * so that a snapshot taken since the last whole week from the start is not left out (a period that
 * starts on a Wednesday has its Monday snapshots 5 days into each such week). One taken today is
 * left out: today's point is the figures now, which the trend shows beside these (the Monday
 * email's own snapshot, kept after its first language's email, would otherwise be there twice).
 */
export async function weeklyIndexes(
  deps: Pick<KpiDeps, "now" | "reports">,
  period: Period,
): Promise<{ label: string; index: NationalIndex }[]> {
  const { start, end } = periodBounds(period);
  // Up to the end of yesterday: a snapshot of today's is left out before it is looked up, so an
  // earlier one of its week is found in its place.
  const upTo = Math.min(startOfLocalDate(localDate(deps.now())) - 1, end) - start;
  const seen = new Set<number>();
  const out: { label: string; index: NationalIndex }[] = [];
  const offsets = Array.from(
    { length: Math.max(0, Math.floor(upTo / WEEK_MS)) },
    (_, i) => (i + 1) * WEEK_MS,
  );
  if (upTo > 0 && offsets.at(-1) !== upTo) offsets.push(upTo);
  for (const offset of offsets) {
    const snap = await deps.reports.snapshotAt<Report & { index?: NationalIndex }>(period.name, offset);
    if (!snap?.report.index || seen.has(snap.offsetMs)) continue;
    seen.add(snap.offsetMs);
    // Labelled by the snapshot's local date, as `dd/MM`.
    const date = localDate(start + snap.offsetMs);
    out.push({ label: `${date.slice(8, 10)}/${date.slice(5, 7)}`, index: snap.report.index });
  }
  return out;
}
