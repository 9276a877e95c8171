import type { Command } from "commander";
import type { DirectoryBusy } from "../../lib/app/ports";
import type { Result } from "../../lib/domain/result";
import { CliError, EXIT, readJsonFile, tableClient, tableOptions } from "../shared";

async function runUnitsImport(
  file: string,
  opts: { table: string; endpoint?: string; region?: string },
): Promise<void> {
  const [{ parseDirectoryFile }, { localDate }] = await Promise.all([
    import("../../lib/domain/agency-directory"),
    import("../../lib/domain/time"),
  ]);
  const data = await readJsonFile(file);
  let directory: ReturnType<typeof parseDirectoryFile>;
  try {
    // With or without an agency tree (events/units/README.md); checked as the tree stands today.
    directory = parseDirectoryFile(data, localDate(Date.now()));
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`, EXIT.badInput);
  }
  const { tableStore } = await import("../../lib/adapters/dynamodb/store");
  const { client, documents } = await tableClient(opts);
  let stored: Result<void, DirectoryBusy>;
  try {
    // The file's own units: each read inherits from the agencies as of its own day.
    stored = await tableStore(documents, opts.table).directory.put(
      directory.own.units,
      directory.own.leadership,
      directory.integrations,
      directory.agencies,
    );
  } catch (e) {
    throw new CliError(`could not write to table ${opts.table}: ${(e as Error).message}`, EXIT.unreachable);
  } finally {
    client.destroy();
  }
  // Another import holds the directory: a dependency busy, to be tried again (docs/cli.md).
  if (!stored.ok) throw new CliError(`${opts.table}: ${stored.error.message}`, EXIT.unreachable);
  process.stderr.write(
    // The office's leadership as the tree gives it: the root agency's own, else the file's.
    `imported ${directory.units.length} units${directory.agencies.length ? `, ${directory.agencies.length} agencies` : ""} and ${directory.leadership.length} leadership contacts into ${opts.table}\n`,
  );
}

/** `units import`: the unit directory, validated and stored. */
export function registerUnits(program: Command): void {
  const units = program
    .command("units")
    .description("the unit directory (departments, contacts, thresholds)");
  tableOptions(
    units.command("import <file>").description("validate a unit directory file and store it in the table"),
  ).action(runUnitsImport);
}
