import { buildForm, type OfficialForm } from "../domain/official/form";
import { buildIndex, type NationalIndex } from "../domain/official/index766";
import { DEFAULT_OFFICIAL_SETTINGS, type OfficialSettings } from "../domain/official/settings";
import { type Period, periodBounds } from "../domain/periods";
import type { UnitDirectory } from "../domain/units";
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
  const asOf = Math.min(deps.now(), periodBounds(period).end);
  const counts = await deps.counters.readPeriodCounts(period, { consistent: !deps.eventualReads });
  return {
    form: buildForm(counts, { period, asOf, settings, locale }),
    index: buildIndex(counts, { period, asOf, unit, targets: settings.targets, names: unitNamesOf(deps) }),
  };
}
