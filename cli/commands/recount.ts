import type { Command } from "commander";
import {
  CATALOG_OPTION,
  CliError,
  EXIT,
  monitorEnv,
  parseAsOf,
  STAGE_OPTION,
  tableClient,
  tableOptions,
} from "../shared";

interface RecountOpts {
  table: string;
  endpoint?: string;
  region?: string;
  now?: number;
  catalog?: string;
  stage?: string;
}

async function runRecount(opts: RecountOpts): Promise<void> {
  // A fixed instant counts as of it: a dossier received after it would be taken back. For a local
  // table only (tests, a replayed history); a deployed table is counted as the clock runs.
  if (opts.now !== undefined && opts.endpoint === undefined)
    throw new CliError(
      "--now goes with --endpoint (a local table): a deployed table is recounted at the clock's time",
      EXIT.usage,
    );
  const clock = () => opts.now ?? Date.now();
  const now = clock();
  const env = await monitorEnv(opts.table, opts.catalog, opts.stage);
  const [{ countingSettings }, { tableStore }, { recountAll, RecountRefused }, { localDate }] =
    await Promise.all([
      import("../../lib/contracts/config"),
      import("../../lib/adapters/dynamodb/store"),
      import("../../lib/app/recount"),
      import("../../lib/domain/time"),
    ]);
  const { client, documents } = await tableClient(opts);
  const { dossiers, directory } = tableStore(documents, opts.table);
  let result: Awaited<ReturnType<typeof recountAll>>;
  try {
    const units = await directory.get(localDate(now));
    result = await recountAll(
      { dossiers, settings: countingSettings(env), units, now: clock },
      {
        onProgress: (done) => {
          if (process.stderr.isTTY) process.stderr.write(`\rrecounted ${done} dossiers`);
        },
      },
    );
  } catch (e) {
    if (e instanceof RecountRefused) throw new CliError(`${opts.table}: ${e.message}`, EXIT.usage);
    throw new CliError(`could not recount table ${opts.table}: ${(e as Error).message}`, EXIT.unreachable);
  } finally {
    client.destroy();
  }
  if (process.stderr.isTTY) process.stderr.write("\n");
  for (const f of result.failed) process.stderr.write(`${f.dossierId}: ${f.reason}\n`);
  process.stdout.write(
    `${result.dossiers} dossiers recounted: ${result.updated} changed, ${result.dossiers - result.updated - result.failed.length} unchanged, ${result.failed.length} failed\n`,
  );
  if (result.failed.length) process.exitCode = EXIT.unreachable;
}

/** `recount`: every dossier of the table counted again under the code and settings deployed now. */
export function registerRecount(program: Command): void {
  tableOptions(
    program
      .command("recount")
      .description(
        "count every dossier of the table again from its stored events, under this version's code and the deployed stage's settings (--stage, from cdk.json; else the environment's, like import), adding only the difference to the counters: run after an upgrade that changes how something is counted. Safe to run again and beside the running stack; it reads the whole table (a scan)",
      ),
  )
    .option(
      "--now <instant>",
      "count as of this instant, with --endpoint only (default: the clock's time)",
      parseAsOf,
    )
    .option(...STAGE_OPTION)
    .option(...CATALOG_OPTION)
    .action(runRecount);
}
