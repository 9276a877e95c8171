import { agencyOfficialSettings } from "../domain/agency-rollup";
import { buildForm, type OfficialForm } from "../domain/official/form";
import { buildIndex, type NationalIndex } from "../domain/official/index766";
import { DEFAULT_OFFICIAL_SETTINGS, type OfficialSettings } from "../domain/official/settings";
import { type Period, periodBounds } from "../domain/periods";
import type { PeriodCounts } from "../domain/report";
import type { UnitDirectory } from "../domain/units";
import { agencyTreeOf } from "./directory";
import { type NodeCounts, readNodeCounts } from "./kpis";
import type { CounterReader } from "./ports";

/** What the official outputs read: the counters, the unit names, the settings (a `KpiDeps` will do). */
export interface OfficialDeps {
  counters: CounterReader;
  units: UnitDirectory;
  now: () => number;
  official?: OfficialSettings;
  /** Counters read eventually consistent (see `KpiDeps.eventualReads`). */
  eventualReads?: boolean;
}

/** Unit names in both languages, by id, from the deployment's unit directory. */
function unitNamesOf(deps: OfficialDeps): Map<string, { vi: string; en: string }> {
  return new Map(deps.units.units.map((u) => [u.id, { vi: u.nameVi, en: u.nameEn }]));
}

/** Form II.06a and the index of `counts`, with the same T as the report. */
export function outputsOf(
  deps: OfficialDeps,
  counts: PeriodCounts,
  period: Period,
  options: { unit?: string; locale: "vi" | "en"; settings: OfficialSettings },
): { form: OfficialForm; index: NationalIndex } {
  const { settings, locale, unit } = options;
  const asOf = Math.min(deps.now(), periodBounds(period).end);
  return {
    form: buildForm(counts, { period, asOf, settings, locale }),
    index: buildIndex(counts, { period, asOf, unit, targets: settings.targets, names: unitNamesOf(deps) }),
  };
}

/**
 * The official outputs of a period (docs/official.md), read from the same counters, with the same T,
 * as the report: form II.06a (office-wide) and the national service index (office and units).
 */
export async function officialOutputs(
  deps: OfficialDeps,
  period: Period,
  unit?: string,
  locale: "vi" | "en" = "vi",
): Promise<{ form: OfficialForm; index: NationalIndex }> {
  const settings = deps.official ?? DEFAULT_OFFICIAL_SETTINGS;
  const counts = await deps.counters.readPeriodCounts(period, { consistent: !deps.eventualReads });
  return outputsOf(deps, counts, period, { unit, locale, settings });
}

/**
 * One agency's form II.06a and index, from its own counters (app/kpis.ts
 * `readNodeCounts`): the form names the agency as the reporting office and its parent in the tree
 * as the one it reports to (the root: the deployment's settings). `undefined` when the agency is
 * not in the tree on the period's roll-up date; `unsplit` when some of its dossiers were counted
 * before the unit counters held the split, which its form's rows cannot place.
 */
export async function agencyOfficialOutputs(
  deps: OfficialDeps,
  period: Period,
  agency: string,
  locale: "vi" | "en" = "vi",
): Promise<AgencyOutputs | undefined> {
  const tree = agencyTreeOf(deps.units);
  const node = await readNodeCounts(deps.counters, tree, agency, period, { consistent: !deps.eventualReads });
  return node ? agencyOutputsOf(deps, period, agency, node, locale) : undefined;
}

/** One agency's form II.06a and index, and whether some of its dossiers are unsplit. */
export type AgencyOutputs = {
  form: OfficialForm;
  index: NationalIndex & { agency: string };
  unsplit: boolean;
};

/**
 * {@link agencyOfficialOutputs} from counts already read (`readNodeCounts`): what the agency's
 * weekly email shows beside its report, from the same read. `undefined` when the tree lacks it.
 */
export function agencyOutputsOf(
  deps: OfficialDeps,
  period: Period,
  agency: string,
  node: NodeCounts,
  locale: "vi" | "en" = "vi",
): AgencyOutputs | undefined {
  const settings = agencyOfficialSettings(
    agencyTreeOf(deps.units),
    agency,
    period,
    deps.official ?? DEFAULT_OFFICIAL_SETTINGS,
  );
  if (!settings) return undefined;
  const { form, index } = outputsOf(deps, node.counts, period, { locale, settings });
  return { form, index: { ...index, agency }, unsplit: node.unsplit !== undefined };
}
