import { type Command, Option } from "commander";
import type { UnitDirectory } from "../../lib/domain/units";
import type { Role } from "../../lib/http/auth";
import { CliError, EXIT, tableClient } from "../shared";

interface KeysCreateOpts {
  name: string;
  role: Role;
  source: string;
  units?: string[];
  agencies?: string[];
  rate: number;
  table: string;
  endpoint?: string;
  region?: string;
}

async function runKeysCreate(opts: KeysCreateOpts): Promise<void> {
  if (!Number.isFinite(opts.rate) || opts.rate <= 0)
    throw new CliError("--rate: expected a positive number", EXIT.usage);
  if (opts.units && opts.role !== "reader")
    throw new CliError("--units: only a reader key is scoped to units", EXIT.usage);
  if (opts.units?.some((u) => u.length === 0 || u.length > 64))
    throw new CliError("--units: expected unit ids (1..64 characters), comma-separated", EXIT.usage);
  if (opts.agencies && opts.units) throw new CliError("--agencies: not with --units", EXIT.usage);
  if (opts.agencies?.some((a) => a.length === 0 || a.length > 64))
    throw new CliError("--agencies: expected agency ids (1..64 characters), comma-separated", EXIT.usage);
  const [{ tableStore }, { createApiKey, KeyRefusedError }] = await Promise.all([
    import("../../lib/adapters/dynamodb/store"),
    import("../../lib/http/auth"),
  ]);
  const { client, documents } = await tableClient(opts);
  const store = tableStore(documents, opts.table);
  try {
    const unknown = await outsideDirectory(store, opts).catch((e) => {
      throw new CliError(`could not read table ${opts.table}: ${(e as Error).message}`, EXIT.unreachable);
    });
    if (unknown) throw new CliError(unknown, EXIT.badInput);
    const key = await createApiKey(store, {
      name: opts.name,
      role: opts.role,
      source: opts.source,
      ratePerSecond: opts.rate,
      ...(opts.units ? { units: opts.units } : {}),
      ...(opts.agencies ? { agencies: opts.agencies } : {}),
    });
    process.stdout.write(`${key}\n`);
    process.stderr.write("store this key now: only its hash is kept\n");
  } catch (e) {
    if (e instanceof CliError) throw e;
    if (e instanceof KeyRefusedError) throw new CliError(`--${e.message}`, EXIT.usage);
    throw new CliError(`could not write to table ${opts.table}: ${(e as Error).message}`, EXIT.unreachable);
  } finally {
    client.destroy();
  }
}

/**
 * The scope's ids the table's unit directory does not know, said naming the option: a key scoped
 * to a mistyped unit or agency would read nothing. With no directory in the table yet (it is
 * imported later), nothing can be checked, and a note says so.
 */
async function outsideDirectory(
  store: { directory: { get(): Promise<UnitDirectory> } },
  opts: Pick<KeysCreateOpts, "units" | "agencies">,
): Promise<string | undefined> {
  if (!opts.units && !opts.agencies) return undefined;
  const directory = await store.directory.get();
  if (directory.units.length === 0) {
    process.stderr.write("note: the table holds no unit directory yet: the key's scope is not checked\n");
    return undefined;
  }
  const { agencyTreeOf } = await import("../../lib/domain/agency-directory");
  const tree = agencyTreeOf(directory);
  const units = (opts.units ?? []).filter((u) => !directory.has(u));
  const agencies = (opts.agencies ?? []).filter((a) => tree.get(a)?.kind !== "agency");
  if (units.length) return `--units: not in the table's unit directory: ${units.join(", ")}`;
  if (agencies.length) return `--agencies: not agencies of the table's directory: ${agencies.join(", ")}`;
  return undefined;
}

/** `keys create`: an API key, stored hashed, printed once. */
export function registerKeys(program: Command): void {
  program
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
    .option(
      "--agencies <ids>",
      "agencies of the directory's tree, comma-separated: a reader key reads only their subtrees (not the quarantine, the form, the trend or data quality); an integration key posts only for units under them",
      (v) => v.split(",").map((a) => a.trim()),
    )
    .option("--rate <n>", "requests per second it may make", (v) => Number(v), 20)
    .requiredOption(
      "--table <name>",
      "the DynamoDB table (the stack's output TableName, or the local stack's)",
    )
    .option("--endpoint <url>", "a DynamoDB endpoint (the local stack's)")
    .option("--region <region>", "AWS region when not using --endpoint")
    .action(runKeysCreate);
}
