import { writeFileSync } from "node:fs";
import { type Command, Option } from "commander";
import type { Period, PeriodScheme } from "../../lib/domain/periods";
import type { PeriodCounts } from "../../lib/domain/report";
import { unnamedCode } from "../../lib/domain/text";
import { startOfLocalDate } from "../../lib/domain/time";
import type { Locale } from "../../lib/render/format";
import {
  agencyColumn,
  checkUnitKnown,
  loadCalendar,
  loadCatalogOption,
  loadDirectory,
  loadSettings,
  readEvents,
  unitNamesOf,
} from "../report-inputs";
import { apiKey, CliError, EXIT, parseApiUrl, parseAsOf, parseDate } from "../shared";
import { takenAsTheStack } from "../stack-rules";

interface ReportOpts {
  events?: string[];
  api?: string;
  key?: string;
  from?: string;
  to?: string;
  period?: string;
  scheme: PeriodScheme["kind"];
  asOf?: number;
  unit?: string;
  /** One agency of the directory's tree: its report rolls up the units under it. */
  agency?: string;
  format: "json" | "text" | "csv" | "form-xlsx" | "form-csv" | "index";
  out?: string;
  lang: Locale;
  calendar?: string;
  strictSupplement?: boolean;
  /** The stage's OFFICE_HOURS, as written there. */
  officeHours?: string;
  /** The stage's AFTER_HOURS_RECEIPT. */
  afterHoursReceipt?: "next-session" | "as-is";
  /** The stage's UNKNOWN_UNITS (with --units; default reject). */
  unknownUnits?: "accept" | "reject";
  units?: string;
  settings?: string;
  catalog?: string;
}

async function resolvePeriod(opts: ReportOpts): Promise<Period> {
  const { explicitPeriod, periodByName } = await import("../../lib/domain/periods");
  // A name is shown in every heading: 1 to 64 characters, on one line.
  if (opts.period !== undefined && !/^[^\p{Cc}]{1,64}$/u.test(opts.period))
    throw new CliError(
      `--period: a name of 1 to 64 characters, on one line (got ${opts.period.length} characters)`,
      EXIT.usage,
    );
  if (opts.from || opts.to) {
    if (!opts.from || !opts.to) throw new CliError("--from and --to go together", EXIT.usage);
    if (opts.from > opts.to) throw new CliError("--from must not be after --to", EXIT.usage);
    // --period names the dates given; a name the scheme reads as other dates would mislabel them.
    const named =
      opts.period && opts.scheme !== "explicit"
        ? periodByName({ kind: opts.scheme }, opts.period)
        : undefined;
    if (named && (named.from !== opts.from || named.to !== opts.to))
      throw new CliError(
        `--period ${opts.period} is ${named.from}..${named.to}, not the --from and --to given: leave one out, or name the window with --scheme explicit`,
        EXIT.usage,
      );
    return explicitPeriod(opts.from, opts.to, opts.period);
  }
  if (!opts.period) throw new CliError("give --from and --to, or --period (e.g. 2022-Q3)", EXIT.usage);
  if (opts.scheme === "explicit")
    throw new CliError("with --scheme explicit, give --from and --to", EXIT.usage);
  const period = periodByName({ kind: opts.scheme }, opts.period);
  if (!period)
    throw new CliError(`--period: "${opts.period}" is not a period name (e.g. 2022-Q3)`, EXIT.usage);
  return period;
}

/** The report's instant, when its period has begun by then; otherwise exit 2 naming the option. */
function begunAt(opts: ReportOpts, period: Period): number {
  const asOf = opts.asOf ?? Date.now();
  // Before its first day a period has nothing to count: a mistyped date, not a report of zeros.
  if (asOf < startOfLocalDate(period.from))
    throw new CliError(
      opts.asOf !== undefined
        ? `--as-of: before the period's first day (${period.from}): every figure would be 0`
        : opts.from !== undefined
          ? `--from: ${period.from} has not come yet: every figure would be 0`
          : `--period: ${period.name} has not begun (its first day is ${period.from}): every figure would be 0`,
      EXIT.usage,
    );
  return asOf;
}

async function runReport(opts: ReportOpts): Promise<void> {
  checkReportOptions(opts);
  if (opts.api) return remoteReportOut(opts, opts.api);
  if (!opts.events?.length) throw new CliError("give --events FILE..., or --api URL", EXIT.usage);
  const period = await resolvePeriod(opts);
  const calendar = await loadCalendar(opts.calendar, opts.officeHours);
  const directory = await loadDirectory(opts.units);
  const names = unitNamesOf(directory, opts.lang);
  const catalogFile = await loadCatalogOption(opts.catalog);
  const settings = await loadSettings(opts.settings, catalogFile);
  const [{ catalogOf }, { computeReportAndCounts }, { reportCsv, reportText }] = await Promise.all([
    import("../../lib/domain/catalog"),
    import("../../lib/domain/report"),
    import("../../lib/render/format"),
  ]);
  const asOf = begunAt(opts, period);
  const stageSettings = {
    calendar,
    catalog: catalogOf([...catalogFile.procedures.values()]),
    strictSupplementRule: opts.strictSupplement ?? false,
    ...(opts.afterHoursReceipt && { afterHoursReceipt: opts.afterHoursReceipt }),
  };
  const { events, admits } = await takenAsTheStack(
    await readEvents(opts.events),
    directory,
    opts.unknownUnits ?? "reject",
    stageSettings,
  );
  await checkUnitKnown(opts.unit, events, directory);
  const projection = { ...stageSettings, ...(admits && { admits }) };
  const { agencyReport } = await import("../agency");
  const { report, counts, official } =
    opts.agency && directory
      ? await agencyReport({
          agency: opts.agency,
          directory,
          events,
          settings: projection,
          period,
          asOf,
          official: settings,
        })
      : {
          ...computeReportAndCounts(events, projection, { period, asOf, unit: opts.unit }),
          official: settings,
        };
  // Without --units, ids as the events give them, and one line on stderr saying how to get names.
  const showsUnits = opts.format === "text" || opts.format === "csv" || opts.format === "index";
  if (showsUnits && !names && report.byUnit.length > 0)
    process.stderr.write(
      "note: units are shown by id; give --units FILE (the unit directory, as `units import` reads it) for their names\n",
    );
  if (opts.format === "index") return indexOut(opts, counts, { period, asOf, settings: official, names });
  if (opts.format === "form-csv" || opts.format === "form-xlsx")
    return formOut(opts, counts, { period, asOf, settings: official });
  if (opts.format === "json") output(opts, `${JSON.stringify(report, null, 2)}\n`);
  else if (opts.format === "csv")
    output(opts, reportCsv(report, opts.lang, names, await agencyColumn(directory, report, opts.lang)));
  else output(opts, reportText(report, opts.lang, names));
}

/** What only a report from events files takes: the stack computes its own. */
const EVENTS_ONLY = {
  events: "--events",
  from: "--from",
  to: "--to",
  asOf: "--as-of",
  calendar: "--calendar",
  settings: "--settings",
  catalog: "--catalog",
  strictSupplement: "--strict-supplement",
  officeHours: "--office-hours",
  afterHoursReceipt: "--after-hours-receipt",
  unknownUnits: "--unknown-units",
} as const;

/** The combinations of options the command refuses, before anything is read. */
function checkReportOptions(opts: ReportOpts): void {
  const eventsOnly = opts.api
    ? Object.entries(EVENTS_ONLY).filter(([k]) => opts[k as keyof typeof EVENTS_ONLY] !== undefined)
    : [];
  if (eventsOnly.length)
    throw new CliError(
      `${eventsOnly.map(([, flag]) => flag).join(", ")}: for a report from events files; with --api the stack's period (--period), settings and calendar apply`,
      EXIT.usage,
    );
  if (!opts.api && opts.unknownUnits !== undefined && opts.units === undefined)
    throw new CliError(
      "--unknown-units: goes with --units, the directory the units are looked up in",
      EXIT.usage,
    );
  const official = opts.format === "form-xlsx" || opts.format === "form-csv" || opts.format === "index";
  if (opts.api && official)
    throw new CliError(
      `--format ${opts.format} is computed from events files; read GET /kpis/form or /kpis/index for a stack`,
      EXIT.usage,
    );
  if (opts.agency && opts.unit)
    throw new CliError(
      "--agency and --unit: one or the other (an agency's report holds its units)",
      EXIT.usage,
    );
  if (opts.agency && !opts.api && !opts.units)
    throw new CliError(
      "--agency takes --api (the stack's directory), or --events with --units (the directory with its agencies)",
      EXIT.usage,
    );
  if (opts.format === "form-xlsx" && !opts.out)
    throw new CliError("--format form-xlsx needs --out FILE", EXIT.usage);
  // As GET /kpis/form: the form's rows are levels and domains, not units.
  if (opts.unit && (opts.format === "form-csv" || opts.format === "form-xlsx"))
    throw new CliError(
      "--unit: form II.06a is an office's or an agency's (its rows are levels and domains); give --agency with --units for a node's form",
      EXIT.usage,
    );
}

/** The report of a deployed stack, read from its query API. */
async function remoteReportOut(opts: ReportOpts, api: string): Promise<void> {
  const key = apiKey(opts.key, "--api");
  const { remoteReport } = await import("../remote");
  const directory = await loadDirectory(opts.units);
  output(
    opts,
    await remoteReport({
      api,
      period: opts.period,
      unit: opts.unit,
      agency: opts.agency,
      key,
      format: opts.format as "json" | "text" | "csv",
      lang: opts.lang,
      names: unitNamesOf(directory, opts.lang),
      agencies: (report) => agencyColumn(directory, report, opts.lang),
    }),
  );
}

interface OfficialInputs {
  period: Period;
  asOf: number;
  settings: Awaited<ReturnType<typeof loadSettings>>;
}

/** The national index (Decision 766/QĐ-TTg) as text. */
async function indexOut(
  opts: ReportOpts,
  counts: PeriodCounts,
  { period, asOf, settings, names }: OfficialInputs & { names: ReturnType<typeof unitNamesOf> },
): Promise<void> {
  const [{ buildIndex }, { indexText }] = await Promise.all([
    import("../../lib/domain/official/index766"),
    import("../../lib/render/index-text"),
  ]);
  const index = buildIndex(counts, { period, asOf, unit: opts.unit, targets: settings.targets });
  // Whose index: the unit's or the agency's, by name, as the text report says it.
  const whose = opts.agency ?? opts.unit;
  const name =
    whose === undefined ? undefined : names ? (names.get(whose) ?? unnamedCode(whose, opts.lang)) : whose;
  const head = name === undefined ? "" : `${name}\n`;
  output(opts, `${head}${indexText(index, opts.lang, names)}`);
}

/** What a report prints: to `--out` when given, else to stdout. */
function output(opts: Pick<ReportOpts, "out">, text: string): void {
  if (opts.out) writeFileSync(opts.out, text);
  else process.stdout.write(text);
}

/** Form II.06a, as CSV on stdout or to --out, or as XLSX to --out. */
async function formOut(
  opts: ReportOpts,
  counts: PeriodCounts,
  { period, asOf, settings }: OfficialInputs,
): Promise<void> {
  const [{ buildForm }, { formCsv, formCsvFile, formXlsx }] = await Promise.all([
    import("../../lib/domain/official/form"),
    import("../../lib/render/form"),
  ]);
  const form = buildForm(counts, { period, asOf, settings, locale: opts.lang });
  if (opts.format === "form-csv" && !opts.out) process.stdout.write(formCsv(form, opts.lang));
  else if (opts.out)
    writeFileSync(
      opts.out,
      opts.format === "form-csv" ? formCsvFile(form, opts.lang) : await formXlsx(form, opts.lang),
    );
}

/** The options a report from events files takes to count as a stage does (its settings). */
function stageSettingOptions(report: Command): void {
  report
    .option(
      "--strict-supplement",
      "count a dossier asked twice for a supplement as late, finished or not (the monitor's stricter reading, docs/rules.md R3)",
    )
    .option(
      "--office-hours <ranges>",
      "the stage's office hours, as its OFFICE_HOURS (HH:MM-HH:MM[,HH:MM-HH:MM]; default 07:00-11:30,13:30-17:00)",
    )
    .addOption(
      new Option(
        "--after-hours-receipt <rule>",
        "a receipt outside office hours counts from the next session or as it is, as the stage's AFTER_HOURS_RECEIPT (default: the dossier's rule set, docs/rules.md R1)",
      ).choices(["next-session", "as-is"]),
    )
    .addOption(
      new Option(
        "--unknown-units <rule>",
        "with --units: an event naming a unit the directory lacks is left out (reject, as a stage by default) or counted (accept), as the stage's UNKNOWN_UNITS",
      ).choices(["accept", "reject"]),
    );
}

/** `report`: the KPI report (docs/kpis.md) from events files, or from a running stack's API. */
export function registerReport(program: Command): void {
  const report = program.command("report");
  report
    .description("compute the KPI report (docs/kpis.md) from events files, in-process, no server")
    .option("--events <file...>", "events files (NDJSON or a JSON array)")
    .option("--api <url>", "read the report from a running stack's API instead (with --period)", parseApiUrl)
    .option("--key <key>", "API key for --api (or DOSSIER_MONITOR_API_KEY)")
    .option("--from <date>", "first day of the period (YYYY-MM-DD)", parseDate)
    .option("--to <date>", "last day of the period, inclusive (YYYY-MM-DD)", parseDate)
    .option("--period <name>", "a period name of the scheme, e.g. 2022-Q3")
    .addOption(
      new Option("--scheme <kind>", "period scheme for --period")
        .choices(["calendar-quarter", "reporting-window", "explicit"])
        .default("calendar-quarter"),
    )
    .option(
      "--as-of <instant>",
      "take the report at this instant (RFC 3339, or a date: its end); default now",
      parseAsOf,
    )
    .option("--unit <id>", "only this unit")
    .option(
      "--agency <id>",
      "only this agency of the directory's tree (--units, or the stack's with --api), with every unit that rolls up into it",
    )
    .addOption(
      new Option("--format <format>", "output format")
        .choices(["json", "text", "csv", "form-xlsx", "form-csv", "index"])
        .default("json"),
    )
    .option("--out <file>", "write the output to this file instead of stdout (form-xlsx needs it)")
    .addOption(new Option("--lang <lang>", "language of text and CSV").choices(["vi", "en"]).default("vi"))
    .option(
      "--calendar <file>",
      "a calendar override (JSON, same shape as lib/domain/calendar/data/vn-official.json)",
    )
    .option(
      "--units <file>",
      "the unit directory (JSON, as `units import` reads it): units by name in text, CSV and the index",
    )
    .option(
      "--settings <file>",
      "the official outputs' settings (JSON, OfficialSettingsSchema): office, form title, domain names, index targets",
    )
    .option(
      "--catalog <file>",
      "the deployment's procedure catalog (JSON, the stage's catalog): periods, procedure and domain names (default: the seed district's)",
    )
    .action((opts: ReportOpts) => runReport(opts));
  stageSettingOptions(report);
}
