import type { AgencyTree } from "../domain/agencies";
import { addPeriodCounts, nodeCounterPath, rollUpDate } from "../domain/agency-rollup";
import type { Period } from "../domain/periods";
import {
  addCounts,
  type Counts,
  emptyPeriodCounts,
  type PeriodCounts,
  type Report,
  reportFromCounts,
  zeroCounts,
} from "../domain/report";
import type { CounterRead, CounterReader } from "./ports";

/** Where a report's numbers came from, and how fresh their time-driven part is. */
export interface ReportBasis {
  source: "counters";
  /** Counter items read: one per unit, whatever the number of dossiers. */
  itemsRead: number;
  /**
   * Time alone moves dossiers from pending within the deadline to overdue, and carries open ones
   * into a new period. Events move counters at once; those time-driven changes are applied by the
   * deadline sweep, so during a period they are as fresh as its last run.
   */
  timeDriven: string;
  /**
   * An agency's report only: dossiers of its units (received and carried over) counted before the
   * unit counters held the level/domain split. They are in its totals and units, not in its
   * domains, nor in its form II.06a's rows (docs/kpis.md "One node's counters").
   */
  unsplitDossiers?: number;
}

const TIME_DRIVEN =
  "pending within/overdue and carried-over counts include time-driven changes up to the last deadline sweep";

/** A period's report, read from the rolling counters (docs/kpis.md shape). */
export async function readKpiReport(
  store: CounterReader,
  period: Period,
  options: { asOf: number; unit?: string; strictSupplementRule?: boolean; consistent?: boolean },
): Promise<Report & { basis: ReportBasis }> {
  const counts = await store.readPeriodCounts(period, { consistent: options.consistent });
  return kpiReportOf(counts, period, options);
}

/** {@link readKpiReport} of counts already read (one read the report and the official outputs share). */
export function kpiReportOf(
  counts: CounterRead,
  period: Period,
  options: { asOf: number; unit?: string; strictSupplementRule?: boolean },
): Report & { basis: ReportBasis } {
  const report = reportFromCounts(counts, { period, ...options });
  return { ...report, basis: { source: "counters", itemsRead: counts.itemsRead, timeDriven: TIME_DRIVEN } };
}

/** One agency's counts for a period, from its counters. */
export interface NodeCounts {
  counts: PeriodCounts;
  /** Counts by unit, each with its own domain split: the units that roll up into the agency. */
  perUnit: Map<string, PeriodCounts>;
  /** Of `counts`, what was counted before the split: in the totals, not in the domains. */
  unsplit?: Counts;
  itemsRead: number;
}

/**
 * Node `agency`'s counts for the period: the counters under its path in the tree (one query: that
 * node's counters only), plus, in a period that holds counters counted without the tree (before
 * it was imported, or before the unit counters held the split), those of the units that roll up
 * into it by the tree of today. The root's are the whole period's. `undefined` when the agency is
 * not in the tree on the period's roll-up date (docs/kpis.md "One node's counters").
 */
export async function readNodeCounts(
  store: CounterReader,
  tree: AgencyTree,
  agency: string,
  period: Period,
  { consistent }: { consistent?: boolean } = {},
): Promise<NodeCounts | undefined> {
  const path = nodeCounterPath(tree, agency, period);
  if (!path) return undefined;
  if (agency === tree.rootId) {
    const all = await store.readPeriodCounts(period, { consistent });
    return { counts: all, perUnit: all.perUnit, itemsRead: all.itemsRead };
  }
  const at = rollUpDate(period);
  // Its units' items kept under an earlier import's tree elsewhere (former-paths.ts): read by key.
  const underPath = (p: readonly string[]) => path.every((id, i) => p[i] === id);
  const also = tree.formerPathsUnder(agency, at).filter((f) => !underPath(f.path));
  const rollsUp = (unit: string) => tree.rollUpPath(unit, at).includes(agency);
  // Under its path, the items an earlier tree kept here of a unit today's places elsewhere are left
  // out: its agency reads them by key. An item no import recorded stays where it was counted.
  const leaveOut = tree.formerPathsAt(at).filter((f) => underPath(f.path) && !rollsUp(f.unit));
  const read = await store.readNodeCounts(period, path, {
    consistent,
    ...(also.length && { also }),
    ...(leaveOut.length && { leaveOut }),
  });
  const perUnit = new Map(read.under.perUnit);
  let unsplit: Counts | undefined;
  const add = (unit: string, c: PeriodCounts) =>
    perUnit.set(
      unit,
      addPeriodCounts(addPeriodCounts(emptyPeriodCounts(), perUnit.get(unit) ?? emptyPeriodCounts()), c),
    );
  for (const [unit, c] of read.former?.perUnit ?? []) add(unit, c);
  for (const [unit, c] of read.outside?.perUnit ?? []) {
    if (!rollsUp(unit)) continue;
    add(unit, c);
    const before = read.outside?.unsplit.get(unit);
    if (before) unsplit = addCounts(unsplit ?? zeroCounts(), before);
  }
  const counts = emptyPeriodCounts();
  for (const c of perUnit.values()) addPeriodCounts(counts, c);
  return { counts, perUnit, unsplit, itemsRead: read.itemsRead };
}

/** An agency's report for the period, from its counters; `undefined` as for {@link readNodeCounts}. */
export async function readNodeReport(
  store: CounterReader,
  tree: AgencyTree,
  agency: string,
  period: Period,
  options: { asOf: number; strictSupplementRule?: boolean; consistent?: boolean },
): Promise<(Report & { basis: ReportBasis }) | undefined> {
  const node = await readNodeCounts(store, tree, agency, period, options);
  return node ? nodeReportOf(node, agency, period, options) : undefined;
}

/** The report of node counts already read ({@link readNodeCounts}), with where they came from. */
export function nodeReportOf(
  node: NodeCounts,
  agency: string,
  period: Period,
  options: { asOf: number; strictSupplementRule?: boolean },
): Report & { basis: ReportBasis } {
  const report = reportFromCounts(node.counts, { period, ...options });
  const unsplit = node.unsplit ? node.unsplit.carriedOver + node.unsplit.receivedNew : 0;
  return {
    ...report,
    agency,
    basis: {
      source: "counters",
      itemsRead: node.itemsRead,
      timeDriven: TIME_DRIVEN,
      ...(unsplit ? { unsplitDossiers: unsplit } : {}),
    },
  };
}
