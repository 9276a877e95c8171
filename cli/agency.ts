import type { AgencyDirectoryFile } from "../lib/domain/agency-file";
import type { ProjectionSettings } from "../lib/domain/dossier-state";
import type { DossierEvent } from "../lib/domain/events/schema";
import type { OfficialSettings } from "../lib/domain/official/settings";
import type { Period } from "../lib/domain/periods";
import type { PeriodCounts, Report } from "../lib/domain/report";
import { CliError, EXIT } from "./shared";

/**
 * `report --events … --units FILE --agency ID`: one agency's report, the sum of the units
 * that roll up into it for the period (lib/domain/agency-rollup.ts), from the same in-process fold
 * as the office's report.
 */

/**
 * A unit directory file, with its agency tree if it has one (a file without: one office). Throws
 * the flat reader's message shape (`unit directory: path: message; …`) naming every bad field.
 */
export async function parseDirectoryFile(data: unknown): Promise<AgencyDirectoryFile> {
  const [{ parseAgencyDirectory }, { parseUnitDirectory }] = await Promise.all([
    import("../lib/domain/agency-file"),
    import("../lib/domain/units"),
  ]);
  const parsed = parseAgencyDirectory(data);
  if (!parsed.ok)
    throw new Error(`unit directory: ${parsed.error.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  // The flat checks the tree does not make (a unit twice, a grant naming no unit), as `units import`.
  const { agencies: _agencies, ...flat } = parsed.value;
  parseUnitDirectory(flat);
  return parsed.value;
}

export interface AgencyReportRequest {
  agency: string;
  /** The parsed directory (`--units`). */
  directory: AgencyDirectoryFile;
  events: readonly DossierEvent[];
  settings: ProjectionSettings;
  period: Period;
  asOf: number;
  /** The deployment's official settings (`--settings`), the root's. */
  official: OfficialSettings;
}

/**
 * The agency's report and counts (form II.06a and the index read the counts), and the official
 * settings naming it as the reporting office; an agency the directory lacks, or one not valid in the period, is bad input (exit 1, as an unknown `--unit`), its error naming what the directory knows.
 */
export async function agencyReport(
  request: AgencyReportRequest,
): Promise<{ report: Report; counts: PeriodCounts; official: OfficialSettings }> {
  const [{ buildAgencyTree }, { agencyOfficialSettings, agencyReportFromEvents, rollUpDate }] =
    await Promise.all([import("../lib/domain/agencies"), import("../lib/domain/agency-rollup")]);
  // A directory without a tree is one office: its report is the one without --agency.
  if (!request.directory.agencies?.length)
    throw new CliError(
      '--agency: the unit directory has no agency tree (no "agencies"): it is one office, whose report is the one without --agency',
      EXIT.badInput,
    );
  const tree = buildAgencyTree(request.directory);
  const node = tree.get(request.agency);
  if (node?.kind !== "agency")
    throw new CliError(
      `--agency: no agency ${request.agency} in the unit directory (agencies: ${tree
        .agencies()
        .slice(0, 10)
        .map((a) => a.id)
        .join(", ")}${tree.agencies().length > 10 ? ", …" : ""})`,
      EXIT.badInput,
    );
  const result = agencyReportFromEvents(tree, request.events, request.settings, {
    period: request.period,
    asOf: request.asOf,
    agency: request.agency,
  });
  if (!result)
    throw new CliError(
      `--agency: ${request.agency} is not valid on ${rollUpDate(request.period)}, the day period ${request.period.name} rolls up at (it is valid ${node.validFrom ?? "…"}..${node.validTo ?? "…"}); its dossiers count under ${tree.reportingNode(request.agency, rollUpDate(request.period))}`,
      EXIT.badInput,
    );
  const official = agencyOfficialSettings(tree, request.agency, request.period, request.official);
  return { ...result, official: official ?? request.official };
}
