import { readFileSync, writeFileSync } from "node:fs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { documentClient, localDynamoClient } from "../dev/local/dynamodb-local";
import { SCENARIOS, type ScenarioName } from "../dev/scenarios/seed-2022-q3";
import { DossierStore } from "../lib/adapters/dynamodb/repository";
import {
  CalendarDataSchema,
  CalendarYearMissingError,
  WorkingCalendar,
} from "../lib/domain/calendar/calendar";
import { catalogOf } from "../lib/domain/catalog";
import { decodeEventsFile, parseEventsText, toNdjson } from "../lib/domain/events/file";
import type { DossierEvent } from "../lib/domain/events/schema";
import { buildForm } from "../lib/domain/official/form";
import { buildIndex } from "../lib/domain/official/index766";
import { DEFAULT_OFFICIAL_SETTINGS } from "../lib/domain/official/settings";
import { explicitPeriod, type Period, type PeriodScheme, periodByName } from "../lib/domain/periods";
import { computeReportAndCounts } from "../lib/domain/report";
import { endOfLocalDate, isLocalDate, parseInstant } from "../lib/domain/time";
import { parseUnitDirectory } from "../lib/domain/units";
import { createApiKey, type Role } from "../lib/http/auth";
import { formCsv, formCsvFile, formXlsx } from "../lib/render/form";
import { type Locale, reportCsv, reportText } from "../lib/render/format";
import { indexText } from "../lib/render/index-text";
import { ApiError, InputError, remoteQuarantine, remoteReport, sendFile } from "./remote";
import { type ServeOptions, serve } from "./serve";

/** Exit codes of cli.md. */
export const EXIT = { ok: 0, badInput: 1, usage: 2, unreachable: 3 } as const;

/** A failure the user can act on: printed without a stack, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

const parseDate = (value: string) => {
  if (!isLocalDate(value)) throw new InvalidArgumentError("expected a date YYYY-MM-DD");
  return value;
};

const parseAsOf = (value: string) => {
  if (isLocalDate(value)) return endOfLocalDate(value);
  const ms = parseInstant(value);
  if (ms === undefined || !/[zZ]|[+-]\d{2}:\d{2}$/.test(value)) {
    throw new InvalidArgumentError("expected an RFC 3339 instant with offset, or a date YYYY-MM-DD");
  }
  return ms;
};

const parseSeed = (value: string) => {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError("expected a whole number");
  return Number(value);
};

function loadCalendar(file: string | undefined): WorkingCalendar {
  if (!file) return WorkingCalendar.official();
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`, EXIT.badInput);
  }
  const parsed = CalendarDataSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(`${file}: ${issue?.path.join(".")}: ${issue?.message}`, EXIT.badInput);
  }
  return WorkingCalendar.official([parsed.data]);
}

function readEvents(files: string[]): DossierEvent[] {
  const events: DossierEvent[] = [];
  const problems: string[] = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      throw new CliError(
        `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        EXIT.badInput,
      );
    }
    const text = decodeEventsFile(bytes);
    if (!text.ok) throw new CliError(`${file}: ${text.error}`, EXIT.badInput);
    const parsed = parseEventsText(text.value);
    events.push(...parsed.events);
    for (const p of parsed.problems) problems.push(`${file}:${p.line}: ${p.path}: ${p.message}`);
  }
  if (problems.length) {
    const shown = problems.slice(0, 50);
    if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more problems`);
    throw new CliError(shown.join("\n"), EXIT.badInput);
  }
  return events;
}

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
  format: "json" | "text" | "csv" | "form-xlsx" | "form-csv" | "index";
  out?: string;
  lang: Locale;
  calendar?: string;
  strictSupplement?: boolean;
}

function resolvePeriod(opts: ReportOpts): Period {
  if (opts.from || opts.to) {
    if (!opts.from || !opts.to) throw new CliError("--from and --to go together", EXIT.usage);
    if (opts.from > opts.to) throw new CliError("--from must not be after --to", EXIT.usage);
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

async function runReport(opts: ReportOpts): Promise<void> {
  const official = opts.format === "form-xlsx" || opts.format === "form-csv" || opts.format === "index";
  if (opts.api && official)
    throw new CliError(
      `--format ${opts.format} is computed from events files; read GET /kpis/form or /kpis/index for a stack`,
      EXIT.usage,
    );
  if (opts.format === "form-xlsx" && !opts.out)
    throw new CliError("--format form-xlsx needs --out FILE", EXIT.usage);
  if (opts.api) {
    const key = opts.key ?? process.env.DOSSIER_MONITOR_API_KEY;
    if (!key) throw new CliError("--api needs --key (or DOSSIER_MONITOR_API_KEY)", EXIT.usage);
    try {
      process.stdout.write(
        await remoteReport({
          api: opts.api,
          period: opts.period,
          unit: opts.unit,
          key,
          format: opts.format as "json" | "text" | "csv",
          lang: opts.lang,
        }),
      );
    } catch (e) {
      if (e instanceof ApiError)
        throw new CliError(e.message, e.status === 0 || e.status >= 500 ? EXIT.unreachable : EXIT.badInput);
      throw e;
    }
    return;
  }
  if (!opts.events?.length) throw new CliError("give --events FILE..., or --api URL", EXIT.usage);
  const period = resolvePeriod(opts);
  const calendar = loadCalendar(opts.calendar);
  const events = readEvents(opts.events);
  const asOf = opts.asOf ?? Date.now();
  const { report, counts } = computeReportAndCounts(
    events,
    { calendar, catalog: catalogOf(), strictSupplementRule: opts.strictSupplement ?? false },
    { period, asOf, unit: opts.unit },
  );
  if (opts.format === "index") {
    process.stdout.write(indexText(buildIndex(counts, { period, asOf, unit: opts.unit }), opts.lang));
    return;
  }
  if (opts.format === "form-csv" || opts.format === "form-xlsx") {
    const form = buildForm(counts, { period, asOf, settings: DEFAULT_OFFICIAL_SETTINGS, locale: opts.lang });
    if (opts.format === "form-csv" && !opts.out) process.stdout.write(formCsv(form, opts.lang));
    else if (opts.out)
      writeFileSync(
        opts.out,
        opts.format === "form-csv" ? formCsvFile(form, opts.lang) : await formXlsx(form, opts.lang),
      );
    return;
  }
  if (opts.format === "json") process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (opts.format === "csv") process.stdout.write(reportCsv(report, opts.lang));
  else process.stdout.write(reportText(report, opts.lang));
}

function runSimulate(opts: { scenario: ScenarioName; seed?: number; out?: string }): void {
  const events = SCENARIOS[opts.scenario]({ seed: opts.seed });
  const text = toNdjson(events);
  if (opts.out) writeFileSync(opts.out, text);
  else process.stdout.write(text);
}

async function runUnitsImport(
  file: string,
  opts: { table: string; endpoint?: string; region?: string },
): Promise<void> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`, EXIT.badInput);
  }
  let directory: ReturnType<typeof parseUnitDirectory>;
  try {
    directory = parseUnitDirectory(data);
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`, EXIT.badInput);
  }
  const client = opts.endpoint
    ? localDynamoClient(opts.endpoint)
    : new DynamoDBClient(opts.region ? { region: opts.region } : {});
  try {
    await new DossierStore(documentClient(client), opts.table).putUnitDirectory(
      directory.units,
      directory.leadership,
      directory.integrations,
    );
  } catch (e) {
    throw new CliError(`could not write to table ${opts.table}: ${(e as Error).message}`, EXIT.unreachable);
  } finally {
    client.destroy();
  }
  process.stderr.write(
    `imported ${directory.units.length} units and ${directory.leadership.length} leadership contacts into ${opts.table}\n`,
  );
}

/** The `dossier-monitor` program (cli.md). */
export function program(): Command {
  const cmd = new Command("dossier-monitor")
    .description("Compliance monitor for administrative-procedure dossiers (hồ sơ thủ tục hành chính)")
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  cmd
    .command("report")
    .description("compute the KPI report (kpis.md) from events files, in-process, no server")
    .option("--events <file...>", "events files (NDJSON or a JSON array)")
    .option("--api <url>", "read the report from a running stack's API instead (with --period)")
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
    .addOption(
      new Option("--format <format>", "output format")
        .choices(["json", "text", "csv", "form-xlsx", "form-csv", "index"])
        .default("json"),
    )
    .option("--out <file>", "write form-xlsx (or form-csv) to this file")
    .addOption(new Option("--lang <lang>", "language of text and CSV").choices(["vi", "en"]).default("vi"))
    .option(
      "--calendar <file>",
      "a calendar override (JSON, same shape as lib/domain/calendar/data/vn-official.json)",
    )
    .option("--strict-supplement", "count a second supplement request as late (national index rule)")
    .action((opts: ReportOpts) => runReport(opts));

  cmd
    .command("simulate")
    .description("write a realistic, deterministic scenario of events as NDJSON")
    .addOption(
      new Option("--scenario <name>", "scenario").choices(Object.keys(SCENARIOS)).makeOptionMandatory(),
    )
    .option("--seed <n>", "seed for the scenario's details (its figures do not change)", parseSeed)
    .option("--out <file>", "write to a file instead of stdout")
    .action(runSimulate);

  cmd
    .command("send <file>")
    .description(
      "post an events file to a running stack's POST /events in batches, with a progress bar. Events are attributed to the key's integration: an event whose body names another source is refused, so a file written by `quarantine --source NAME --out FILE` is sent again with NAME's own key, never an operator's",
    )
    .requiredOption("--api <url>", "the stack's API, e.g. http://127.0.0.1:3000")
    .option("--key <key>", "the key of the integration the events are from (or DOSSIER_MONITOR_API_KEY)")
    .option(
      "--rejected <file>",
      "where rejected events go, with their reasons (default FILE.rejected.ndjson)",
    )
    .action(async (file: string, opts: { api: string; key?: string; rejected?: string }) => {
      const key = opts.key ?? process.env.DOSSIER_MONITOR_API_KEY;
      if (!key) throw new CliError("send needs --key (or DOSSIER_MONITOR_API_KEY)", EXIT.usage);
      try {
        const s = await sendFile(file, {
          api: opts.api,
          key,
          rejected: opts.rejected,
          progress: process.stderr.isTTY,
        });
        process.stdout.write(
          `accepted ${s.accepted}, duplicate ${s.duplicate}, rejected ${s.rejected}${s.rejectedFile ? ` (see ${s.rejectedFile})` : ""}\n`,
        );
        if (s.rejected > 0) process.exitCode = EXIT.badInput;
      } catch (e) {
        if (e instanceof ApiError)
          throw new CliError(e.message, e.status === 0 || e.status >= 500 ? EXIT.unreachable : EXIT.badInput);
        if ((e as NodeJS.ErrnoException).code === "ENOENT")
          throw new CliError(`${file}: no such file`, EXIT.badInput);
        if (e instanceof InputError) throw new CliError(e.message, EXIT.badInput);
        throw e;
      }
    });

  cmd
    .command("quarantine")
    .description(
      "list the events kept in quarantine with their reasons, from a running stack's API (an office-wide reader key); --out writes one integration's events (--source) as NDJSON, to correct and post again with send and that integration's own key",
    )
    .requiredOption("--api <url>", "the stack's API, e.g. http://127.0.0.1:3000")
    .option("--key <key>", "an office-wide reader key (or DOSSIER_MONITOR_API_KEY)")
    .option("--source <name>", "only this integration's events (required with --out when several sent them)")
    .option("--out <file>", "write the events of --source that can be sent again here (NDJSON)")
    .action(async (opts: { api: string; key?: string; out?: string; source?: string }) => {
      const key = opts.key ?? process.env.DOSSIER_MONITOR_API_KEY;
      if (!key) throw new CliError("quarantine needs --key (or DOSSIER_MONITOR_API_KEY)", EXIT.usage);
      try {
        const q = await remoteQuarantine({ api: opts.api, key, out: opts.out, source: opts.source });
        process.stdout.write(q.text);
        process.stderr.write(
          `${q.count} quarantined${opts.out ? `; ${q.written} written to ${opts.out}` : ""}\n`,
        );
      } catch (e) {
        if (e instanceof ApiError)
          throw new CliError(e.message, e.status === 0 || e.status >= 500 ? EXIT.unreachable : EXIT.badInput);
        if (e instanceof InputError) throw new CliError(e.message, EXIT.usage);
        throw e;
      }
    });

  cmd
    .command("serve")
    .description(
      "the local stack: DynamoDB Local, local SES with its inbox, the bus, the scheduler and the HTTP API on 127.0.0.1",
    )
    .option("--data-dir <dir>", "where DynamoDB Local keeps its data, and the demo keys", ".local")
    .option("--clock <instant>", "the demo clock's start", "2022-08-29T07:00:00+07:00")
    .option("--speed <n>", "how much faster than real time the demo clock runs", (v) => Number(v), 60)
    .option("--api-port <port>", "the HTTP API's port", (v) => Number(v), 3000)
    .option("--units <file>", "the unit directory loaded on first start", "events/units/seed-units.json")
    .option("--fresh", "start from an empty data folder")
    .action(async (opts: ServeOptions) => {
      process.exitCode = await serve(opts);
    });

  cmd
    .command("keys")
    .description("API keys (stored hashed; the key is printed once)")
    .command("create")
    .description(
      "create a key: an integration's (posts events, attributed to --source) or a reader's (read-only)",
    )
    .requiredOption("--name <name>", "who holds it, e.g. 'iGate tỉnh'")
    .addOption(
      new Option("--role <role>", "what it may do").choices(["integration", "reader"]).makeOptionMandatory(),
    )
    .requiredOption("--source <source>", "the source its events are attributed to")
    .option(
      "--units <ids>",
      "a reader key's units, comma-separated: it reads only their figures and dossiers, not the quarantine (default: the whole office)",
      (v) => v.split(",").map((u) => u.trim()),
    )
    .option("--rate <n>", "requests per second it may make", (v) => Number(v), 20)
    .requiredOption(
      "--table <name>",
      "the DynamoDB table (the stack's output TableName, or the local stack's)",
    )
    .option("--endpoint <url>", "a DynamoDB endpoint (the local stack's)")
    .option("--region <region>", "AWS region when not using --endpoint")
    .action(
      async (opts: {
        name: string;
        role: Role;
        source: string;
        units?: string[];
        rate: number;
        table: string;
        endpoint?: string;
        region?: string;
      }) => {
        if (!Number.isFinite(opts.rate) || opts.rate <= 0)
          throw new CliError("--rate: expected a positive number", EXIT.usage);
        if (opts.units && opts.role !== "reader")
          throw new CliError("--units: only a reader key is scoped to units", EXIT.usage);
        if (opts.units?.some((u) => u.length === 0 || u.length > 64))
          throw new CliError("--units: expected unit ids (1..64 characters), comma-separated", EXIT.usage);
        const client = opts.endpoint
          ? localDynamoClient(opts.endpoint)
          : new DynamoDBClient(opts.region ? { region: opts.region } : {});
        try {
          const key = await createApiKey(new DossierStore(documentClient(client), opts.table), {
            name: opts.name,
            role: opts.role,
            source: opts.source,
            ratePerSecond: opts.rate,
            ...(opts.units ? { units: opts.units } : {}),
          });
          process.stdout.write(`${key}\n`);
          process.stderr.write("store this key now: only its hash is kept\n");
        } catch (e) {
          throw new CliError(
            `could not write to table ${opts.table}: ${(e as Error).message}`,
            EXIT.unreachable,
          );
        } finally {
          client.destroy();
        }
      },
    );

  const units = cmd.command("units").description("the unit directory (departments, contacts, thresholds)");
  units
    .command("import <file>")
    .description("validate a unit directory file and store it in the table")
    .requiredOption(
      "--table <name>",
      "the DynamoDB table (the stack's output TableName, or the local stack's)",
    )
    .option("--endpoint <url>", "a DynamoDB endpoint, e.g. the local stack's http://127.0.0.1:8000")
    .option("--region <region>", "AWS region when not using --endpoint")
    .action(runUnitsImport);

  return cmd;
}

/** Runs the program; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === "commander.helpDisplayed" ||
        e.code === "commander.version" ||
        e.code === "commander.help"
      ) {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    if (e instanceof CliError) {
      process.stderr.write(`dossier-monitor: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof CalendarYearMissingError) {
      process.stderr.write(`dossier-monitor: ${e.message}\n`);
      return EXIT.badInput;
    }
    throw e;
  }
}
