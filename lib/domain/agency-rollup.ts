import { type AgencyTree, validOn } from "./agencies";
import type { ProjectionSettings } from "./dossier-state";
import type { DossierEvent } from "./events/schema";
import { type IndexBlock, indexOf } from "./official/index766";
import type { OfficialSettings } from "./official/settings";
import { type Period, periodBounds } from "./periods";
import { groupByDossier, projectDossier } from "./projection";
import {
  addContribution,
  addCounts,
  contribution,
  emptyPeriodCounts,
  type PeriodCounts,
  type Report,
  type ReportOptions,
  reportFromCounts,
  zeroCounts,
} from "./report";
import type { LocalDate } from "./time";

/**
 * Reports per agency: a node's counts are the sum of its children's, units rolling up
 * by {@link AgencyTree.reportingNode} at the period's reference date, so a merged commune's
 * dossiers count under it for periods before the merger and under its successor after. Counts are
 * additive per dossier (report.ts), so summing per-unit counts gives every node's report, form
 * II.06a (official/form.ts `buildForm`) and 766 index (official/index766.ts `buildIndex`) from
 * the same {@link PeriodCounts} the counters or the events give.
 */

/**
 * The date a period's counts roll up at: the tree as it stands on the period's last day, whatever
 * the instant counted to. One date per period, fixed in advance, so each unit's counts go to one
 * chain of nodes for the whole period, and counters kept per node (which the consumer adds to as
 * events arrive) never have to move from one node to another while the period runs; a merger
 * decided for a date inside the period counts the whole period under the successor.
 */
export function rollUpDate(period: Period): LocalDate {
  return period.to;
}

/**
 * The name in `locale` of the agency each unit of `report` reports under on its period's roll-up
 * date (its commune, department or district: the agency column of a tree's exports, as
 * `GET /kpis/export`, the KPI email's files and `report --format csv` give them), or `undefined`
 * for a tree without agencies, whose units all stand under the one office.
 */
export function reportingAgencyNames(
  tree: AgencyTree,
  report: Pick<Report, "period" | "byUnit">,
  locale: "vi" | "en",
): Map<string, string> | undefined {
  if (tree.flat) return undefined;
  const { name, from, to } = report.period;
  const at = rollUpDate({ name: name ?? "", from, to });
  const nameOf = (id: string) => {
    const node = tree.get(id);
    return node ? (locale === "vi" ? node.nameVi : node.nameEn) : "";
  };
  return new Map(report.byUnit.map(({ unit }) => [unit, nameOf(tree.reportingNode(unit, at))]));
}

/**
 * The nodes a unit's contribution to `period` adds to: its reporting agency and that agency's
 * ancestors, nearest first, the root last. What a consumer keeping counters per node writes to.
 */
export function counterNodes(tree: AgencyTree, unitId: string, period: Period): string[] {
  return tree.rollUpPath(unitId, rollUpDate(period));
}

/**
 * The path of the one counter item a unit's contribution to `period` adds to (lib/domain/counting.ts):
 * {@link counterNodes} root first, so that every node's counters share its path as a prefix and
 * one node's are read alone. Empty without an agency tree (one office): its counter keys stay what
 * they were.
 */
export function counterPath(tree: AgencyTree, unitId: string, period: Period): string[] {
  return tree.flat ? [] : counterNodes(tree, unitId, period).reverse();
}

/**
 * The path, root first, that the counters of node `agency` share for `period`: its ancestors on
 * the period's roll-up date, then itself. `undefined` when the node is not in the tree then (a
 * merged commune for a period after its merger counts under its successor).
 */
export function nodeCounterPath(tree: AgencyTree, agency: string, period: Period): string[] | undefined {
  const at = rollUpDate(period);
  const node = tree.get(agency);
  if (node?.kind !== "agency" || (agency !== tree.rootId && !validOn(node, at))) return undefined;
  return [...tree.ancestors(agency, at).reverse(), agency];
}

/** Adds `add` into `target`, each map key by key; returns `target`. */
export function addPeriodCounts(target: PeriodCounts, add: PeriodCounts): PeriodCounts {
  for (const name of ["byUnit", "byDomain", "byLevelDomain"] as const)
    for (const [key, c] of add[name])
      target[name].set(key, addCounts(target[name].get(key) ?? zeroCounts(), c));
  return target;
}

/**
 * The counts of the period per unit, each with its own domain and (level, domain) split: what
 * counters kept per unit and level/domain would hold. From events, the fold `report --events` uses.
 */
export function countsPerUnit(
  events: Iterable<DossierEvent>,
  settings: ProjectionSettings,
  options: { period: Period; asOf: number },
): { perUnit: Map<string, PeriodCounts>; orphanDossiers: number } {
  const T = Math.min(options.asOf, periodBounds(options.period).end);
  const perUnit = new Map<string, PeriodCounts>();
  let orphanDossiers = 0;
  for (const [dossierId, list] of groupByDossier(events)) {
    const state = projectDossier(dossierId, list, settings, T);
    if (!state.received && state.timeline.length > 0) orphanDossiers++;
    const c = contribution(state, options.period, T);
    if (!c) continue;
    const unit = perUnit.get(c.unit) ?? emptyPeriodCounts();
    addContribution(unit, c);
    perUnit.set(c.unit, unit);
  }
  return { perUnit, orphanDossiers };
}

/**
 * Every agency's counts at `at`: each unit's counts added to its roll-up path (its reporting
 * agency and that agency's ancestors). Agencies valid at `at` with nothing counted get empty
 * counts; a unit the tree lacks counts under the root. Units are visited in id order, so the maps
 * come out the same whatever the input's order.
 */
export function rollUpCounts(
  tree: AgencyTree,
  perUnit: ReadonlyMap<string, PeriodCounts>,
  at: LocalDate,
): Map<string, PeriodCounts> {
  const out = new Map<string, PeriodCounts>();
  for (const a of tree.agencies())
    if (a.id === tree.rootId || validOn(a, at)) out.set(a.id, emptyPeriodCounts());
  out.set(tree.rootId, out.get(tree.rootId) ?? emptyPeriodCounts());
  const pathCache = new Map<string, string[]>();
  for (const unitId of [...perUnit.keys()].sort()) {
    const counts = perUnit.get(unitId) as PeriodCounts;
    let path = pathCache.get(unitId);
    if (!path) {
      path = tree.rollUpPath(unitId, at);
      pathCache.set(unitId, path);
    }
    for (const node of path) {
      const target = out.get(node) ?? emptyPeriodCounts();
      out.set(node, addPeriodCounts(target, counts));
    }
  }
  return out;
}

/** Every agency's report for the period, from the per-unit counts (see {@link rollUpCounts}). */
export function rollUpReports(
  tree: AgencyTree,
  perUnit: ReadonlyMap<string, PeriodCounts>,
  options: Omit<ReportOptions, "unit">,
): Map<string, { counts: PeriodCounts; report: Report }> {
  const at = rollUpDate(options.period);
  const out = new Map<string, { counts: PeriodCounts; report: Report }>();
  for (const [node, counts] of rollUpCounts(tree, perUnit, at))
    out.set(node, { counts, report: reportFromCounts(counts, options) });
  return out;
}

/**
 * One agency's report straight from events: the fold of `report --events`, then the roll-up.
 * `undefined` when the agency is not in the tree at the period's roll-up date.
 */
export function agencyReportFromEvents(
  tree: AgencyTree,
  events: Iterable<DossierEvent>,
  settings: ProjectionSettings,
  options: { period: Period; asOf: number; agency: string },
): { counts: PeriodCounts; report: Report } | undefined {
  const { perUnit, orphanDossiers } = countsPerUnit(events, settings, options);
  const at = rollUpDate(options.period);
  const counts = rollUpCounts(tree, perUnit, at).get(options.agency);
  if (!counts) return undefined;
  const report = reportFromCounts(counts, {
    period: options.period,
    asOf: options.asOf,
    strictSupplementRule: settings.strictSupplementRule ?? false,
    // Orphans are the events' as a whole: they have no unit, so no agency below the root to go to;
    // the root's report, the whole office's, says them, as `GET /kpis?agency=` does. Anomalies are
    // counted with the agency's dossiers (lib/domain/anomaly-counts.ts).
    orphanDossiers: options.agency === tree.rootId ? orphanDossiers : 0,
  });
  return { counts, report: { ...report, agency: options.agency } };
}

/**
 * The official outputs' settings for an agency of the tree: form II.06a names the agency as the
 * reporting office and its parent on the period's roll-up date as the recipient; the root keeps
 * the deployment's own. What `GET /kpis/form?agency=`, the agency's KPI email and
 * `report --agency --format form-csv` all print. `undefined` when the tree has no such agency.
 */
export function agencyOfficialSettings(
  tree: AgencyTree,
  agency: string,
  period: Period,
  base: OfficialSettings,
): OfficialSettings | undefined {
  const named = tree.get(agency);
  if (!named) return undefined;
  if (agency === tree.rootId) return base;
  const parentId = tree.ancestors(agency, rollUpDate(period))[0];
  const parent = parentId === undefined ? undefined : tree.get(parentId);
  return {
    ...base,
    office: { vi: named.nameVi, en: named.nameEn },
    recipient: parent ? { vi: parent.nameVi, en: parent.nameEn } : base.recipient,
  };
}

/** One agency's place in a ranking by the national index. */
export interface RankedAgency {
  agency: string;
  name: { vi: string; en: string };
  level: string;
  /** The agency's index, from its rolled-up counts (official/index766.ts). */
  index: IndexBlock;
  /** Indicator 2.1 (on-time progress), the ranking's key; null when it had no dossiers. */
  onTime: number | null;
}

const rateOf = (block: IndexBlock, id: string) => block.indicators.find((i) => i.id === id)?.rate ?? null;

/**
 * The agencies under `node` (not itself) valid on the period's roll-up date, ranked by the
 * national index, worst first: by indicator 2.1, on-time progress (the progress group, which every
 * agency's counts give), then 5.4 satisfaction, then id; agencies with no dossiers last. What the
 * province's weekly email lists. The index's other groups lack inputs in events (docs/official.md), so
 * no composite score is made up here.
 */
export function rankAgencies(
  tree: AgencyTree,
  rolled: ReadonlyMap<string, PeriodCounts>,
  options: { node: string; period: Period; targets?: OfficialSettings["targets"] },
): RankedAgency[] {
  const at = rollUpDate(options.period);
  const ranked = tree
    .subtree(options.node, at)
    .agencies.filter((id) => id !== options.node)
    .map((id) => {
      const counts = rolled.get(id) ?? emptyPeriodCounts();
      const total = zeroCounts();
      for (const c of counts.byUnit.values()) addCounts(total, c);
      const index = indexOf(total, options.targets);
      const node = tree.get(id);
      return {
        agency: id,
        name: { vi: node?.nameVi ?? id, en: node?.nameEn ?? id },
        level: node?.level ?? "",
        index,
        onTime: rateOf(index, "2.1"),
      };
    });
  const key = (r: number | null) => (r === null ? Number.POSITIVE_INFINITY : r);
  return ranked.sort(
    (a, b) =>
      key(a.onTime) - key(b.onTime) ||
      key(rateOf(a.index, "5.4")) - key(rateOf(b.index, "5.4")) ||
      (a.agency < b.agency ? -1 : a.agency > b.agency ? 1 : 0),
  );
}
