import type { AgencyDirectoryFile } from "../lib/domain/agency-file";
import type { WorkingCalendar } from "../lib/domain/calendar/calendar";
import type { Catalog } from "../lib/domain/catalog";
import type { DossierEvent } from "../lib/domain/events/schema";
import type { Report } from "../lib/domain/report";
import type { Locale } from "../lib/render/format";
import { CliError, EXIT, readCatalogFile, readEventsFile, readJsonFile } from "./shared";

/**
 * What `report --events` reads beside its events files, each named in its error when bad: the
 * unit directory, the catalog, the official settings, a calendar override; and the events files
 * themselves. Heavy modules are imported when a loader runs, so `--help` stays light.
 */

/**
 * The unit directory file (`--units`, the shape `units import` reads), read once: the units' names
 * for the texts a person reads, the agency tree of an `--agency` report and of the CSV's agency
 * column. Without one the report has no names: it shows ids, and says how to get names.
 */
export async function loadDirectory(file: string | undefined): Promise<AgencyDirectoryFile | undefined> {
  if (!file) return undefined;
  const { parseDirectoryFile } = await import("./agency");
  try {
    return await parseDirectoryFile(await readJsonFile(file));
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${file}: ${(e as Error).message}`, EXIT.badInput);
  }
}

/** Unit and agency names by id, in `lang`, from the directory file; none without one. */
export const unitNamesOf = (directory: AgencyDirectoryFile | undefined, lang: Locale) =>
  directory &&
  new Map(
    [...directory.units, ...(directory.agencies ?? [])].map((u) => [
      u.id,
      lang === "vi" ? u.nameVi : u.nameEn,
    ]),
  );

/**
 * The agency each unit of `report` reports under, by name, from the directory file: the CSV's
 * agency column, as `GET /kpis/export` gives it, in a tree only.
 */
export async function agencyColumn(
  directory: AgencyDirectoryFile | undefined,
  report: Report,
  lang: Locale,
): Promise<Map<string, string> | undefined> {
  if (!directory) return undefined;
  const [{ buildAgencyTree }, { reportingAgencyNames }] = await Promise.all([
    import("../lib/domain/agencies"),
    import("../lib/domain/agency-rollup"),
  ]);
  return reportingAgencyNames(buildAgencyTree(directory), report, lang);
}

/** The deployment's catalog (`--catalog FILE`), or the seed district's. */
export async function loadCatalogOption(file: string | undefined): Promise<Catalog> {
  const { SEED_CATALOG } = await import("../lib/domain/catalog");
  return file ? (await readCatalogFile(file)).catalog : SEED_CATALOG;
}

/** The official outputs' settings from a file (OfficialSettingsSchema), each bad field named. */
export async function loadSettings(file: string | undefined, catalog: Catalog) {
  const { DEFAULT_OFFICIAL_SETTINGS, loadOfficialSettings, withCatalogDomains } = await import(
    "../lib/domain/official/settings"
  );
  if (!file) return withCatalogDomains(DEFAULT_OFFICIAL_SETTINGS, catalog.domains);
  const loaded = loadOfficialSettings(await readJsonFile(file));
  if (!loaded.ok)
    throw new CliError(loaded.error.map((p) => `${file}: ${p.path}: ${p.message}`).join("\n"), EXIT.badInput);
  return withCatalogDomains(loaded.value, catalog.domains);
}

/**
 * The working calendar: the official one, with the override file's years (`--calendar`) and the
 * stage's office hours (`--office-hours`, as its OFFICE_HOURS) when given.
 */
export async function loadCalendar(file: string | undefined, officeHours?: string): Promise<WorkingCalendar> {
  const [{ CalendarDataSchema, parseOfficeHours }, { WorkingCalendar }] = await Promise.all([
    import("../lib/domain/calendar/calendar-data"),
    import("../lib/domain/calendar/calendar"),
  ]);
  let hours: ReturnType<typeof parseOfficeHours> | undefined;
  try {
    hours = officeHours === undefined ? undefined : parseOfficeHours(officeHours);
  } catch (e) {
    throw new CliError(`--office-hours: ${(e as Error).message}`, EXIT.usage);
  }
  if (!file) return WorkingCalendar.official([], hours);
  const data = await readJsonFile(file);
  const parsed = CalendarDataSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(`${file}: ${issue?.path.join(".")}: ${issue?.message}`, EXIT.badInput);
  }
  return WorkingCalendar.official([parsed.data], hours);
}

export async function readEvents(files: string[]): Promise<DossierEvent[]> {
  const events: DossierEvent[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const parsed = await readEventsFile(file);
    for (const e of parsed.events) events.push(e);
    for (const p of parsed.problems) problems.push(`${file}:${p.line}: ${p.path}: ${p.message}`);
  }
  if (problems.length) {
    const shown = problems.slice(0, 50);
    if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more problems`);
    throw new CliError(shown.join("\n"), EXIT.badInput);
  }
  return events;
}

/**
 * A `--unit` no event names and the directory (when given) does not list: a mistyped id, refused
 * rather than answered with a report of zeros.
 */
export async function checkUnitKnown(
  unit: string | undefined,
  events: readonly DossierEvent[],
  directory: { units: readonly { id: string }[]; agencies?: readonly { id: string }[] } | undefined,
): Promise<void> {
  const listed = directory && new Set(directory.units.map((u) => u.id));
  if (unit === undefined || listed?.has(unit)) return;
  if (directory?.agencies?.some((a) => a.id === unit))
    throw new CliError(
      `--unit ${unit}: an agency of the directory's tree, not a unit: give --agency ${unit}`,
      EXIT.badInput,
    );
  const { unitNamed } = await import("../lib/domain/ownership");
  if (events.some((e) => unitNamed(e) === unit)) return;
  throw new CliError(
    `--unit ${unit}: no event in the files names this unit${listed ? ", and the --units directory does not list it" : ""}`,
    EXIT.badInput,
  );
}
