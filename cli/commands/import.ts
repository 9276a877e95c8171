import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { ImportInput } from "../../lib/app/import";
import {
  CATALOG_OPTION,
  CliError,
  EXIT,
  monitorEnv,
  parseAsOf,
  readEventsFile,
  STAGE_OPTION,
  tableClient,
  tableOptions,
} from "../shared";

interface ImportOpts {
  table: string;
  endpoint?: string;
  region?: string;
  now?: number;
  rejects?: string;
  catalog?: string;
  stage?: string;
}

/** The events of the files in order, with `file:line`; invalid lines as rejects (never applied). */
async function readImport(files: string[], now: number) {
  const events: ImportInput[] = [];
  const invalid: { where: string; reason: string }[] = [];
  for (const file of files) {
    const parsed = await readEventsFile(file, { now });
    parsed.events.forEach((event, i) => {
      events.push({ input: event, where: `${file}:${parsed.lines[i]}` });
    });
    // One reject per line, with every problem of it.
    const byLine = new Map<number, string[]>();
    for (const p of parsed.problems)
      byLine.set(p.line, [...(byLine.get(p.line) ?? []), `${p.path}: ${p.message}`]);
    for (const [line, reasons] of byLine)
      invalid.push({ where: `${file}:${line}`, reason: reasons.join("; ") });
  }
  return { events, invalid };
}

/** The import's progress bar, on a terminal only. */
async function progressBar() {
  if (!process.stderr.isTTY) return undefined;
  const { SingleBar } = await import("cli-progress");
  return new SingleBar({
    format: "importing [{bar}] {value}/{total} events | {eta_formatted} left",
    hideCursor: true,
  });
}

async function runImport(files: string[], opts: ImportOpts): Promise<void> {
  const now = opts.now ?? Date.now();
  const { events, invalid } = await readImport(files, now);
  const env = await monitorEnv(opts.table, opts.catalog, opts.stage);
  const { countingSettings } = await import("../../lib/contracts/config");
  const { tableStore } = await import("../../lib/adapters/dynamodb/store");
  const { BulkWriter } = await import("../../lib/adapters/dynamodb/bulk");
  const { importEvents } = await import("../../lib/app/import");
  const { localDate } = await import("../../lib/domain/time");
  const { client, documents } = await tableClient(opts);
  const { dossiers, quarantine, directory } = tableStore(documents, opts.table);
  const bar = await progressBar();
  const started = Date.now();
  let summary: Awaited<ReturnType<typeof importEvents>>;
  try {
    // The directory as it stands on the import's instant (`--now`), which the dossiers are planned at.
    const units = await directory.get(localDate(now));
    if (units.units.length === 0)
      process.stderr.write(
        `${opts.table} has no unit directory: events naming a unit are refused unless UNKNOWN_UNITS=accept (run \`units import\` first)\n`,
      );
    bar?.start(events.length, 0);
    summary = await importEvents(
      {
        dossiers,
        quarantine,
        bulk: new BulkWriter(documents, opts.table),
        settings: countingSettings(env),
        units,
        unknownUnits: env.UNKNOWN_UNITS,
        now: () => now,
      },
      events,
      { onProgress: (done) => bar?.update(done) },
    );
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(
      `could not import into table ${opts.table}: ${(e as Error).message}`,
      EXIT.unreachable,
    );
  } finally {
    bar?.stop();
    client.destroy();
  }
  const seconds = (Date.now() - started) / 1000;
  const total = summary.events + invalid.length;
  const rejects = [
    ...invalid.map((r) => ({ ...r, kind: "invalid" })),
    ...summary.rejected.map((r) => ({ ...r, kind: "quarantined" })),
  ];
  const rejectsFile =
    opts.rejects ?? (files.length === 1 ? `${files[0]}.rejects.ndjson` : "import.rejects.ndjson");
  if (rejects.length) writeFileSync(rejectsFile, `${rejects.map((r) => JSON.stringify(r)).join("\n")}\n`);
  process.stdout.write(
    `${total} events in ${seconds.toFixed(1)} s (${Math.round(total / Math.max(seconds, 0.001))} events/s): ` +
      `applied ${summary.applied}, duplicate ${summary.duplicates}, quarantined ${summary.quarantined}, invalid ${invalid.length + summary.invalid}; ` +
      `dossiers created ${summary.dossiers.created}, through the apply path ${summary.dossiers.applyPath}` +
      `${rejects.length ? `; rejects in ${rejectsFile}` : ""}\n`,
  );
  if (rejects.length) process.exitCode = EXIT.badInput;
}

/** `import`: history, straight into the table, as the consumer would have left it. */
export function registerImport(program: Command): void {
  tableOptions(
    program
      .command("import <files...>")
      .description(
        "import events files (NDJSON or a JSON array) straight into the table: new dossiers by batch writes, computed with the consumer's own code; dossiers already in the table through the consumer's apply path. Safe to run again (nothing changes) and to resume after a stop; the monitor's settings are the deployed stage's (--stage, from cdk.json), else the environment's (PERIOD_SCHEME, CALENDAR_OVERRIDE, UNKNOWN_UNITS, ...)",
      ),
  )
    .option(
      "--now <instant>",
      "the instant the dossiers are counted at, as the consumer's clock (default: now)",
      parseAsOf,
    )
    .option("--rejects <file>", "where rejected events go, with their reasons (default FILE.rejects.ndjson)")
    .option(...STAGE_OPTION)
    .option(...CATALOG_OPTION)
    .action(runImport);
}
