import { type Command, Option } from "commander";
import { DEFAULT_KEY_RATE } from "../../lib/app/ports";
import type { UnitDirectory } from "../../lib/domain/units";
import type { Role } from "../../lib/http/auth";
import { CliError, EXIT, tableClient, tableOptions } from "../shared";

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

interface KeysTableOpts {
  table: string;
  endpoint?: string;
  region?: string;
}

/** How many hex digits of a key's hash `keys list` shows, and `keys revoke --hash` takes at least. */
const HASH_SHOWN = 12;

/** Standard input, whole. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** `keys list`: every key's holder, role, source, scope and rate, by the start of its hash (never the key). */
async function runKeysList(opts: KeysTableOpts): Promise<void> {
  const { tableStore } = await import("../../lib/adapters/dynamodb/store");
  const { client, documents } = await tableClient(opts);
  try {
    const keys = await tableStore(documents, opts.table)
      .keys.list()
      .catch((e) => {
        throw new CliError(`could not read table ${opts.table}: ${(e as Error).message}`, EXIT.unreachable);
      });
    for (const k of keys.sort((a, b) => a.name.localeCompare(b.name)))
      process.stdout.write(
        `${[
          k.hash.slice(0, HASH_SHOWN),
          k.role,
          k.source,
          k.units ? `units ${k.units.join(",")}` : k.agencies ? `agencies ${k.agencies.join(",")}` : "office",
          `${k.ratePerSecond ?? DEFAULT_KEY_RATE}/s`,
          // A holder's name is free text: a tab or a line break in it would shift the columns.
          k.name.replace(/[\p{Cc}\u2028\u2029]+/gu, " "),
        ].join("\t")}\n`,
      );
  } finally {
    client.destroy();
  }
}

/**
 * `keys revoke`: deletes a key, named by the key itself or by the start of its hash as `keys list`
 * shows it (one key only). The handlers look every request's key up, so it is refused once their
 * eventually consistent reads see it gone (usually within a second); on AWS the authorizer's cached
 * answer only lets a request reach them, and lapses within its cache period.
 */
async function runKeysRevoke(given: KeysTableOpts & { key?: string; hash?: string }): Promise<void> {
  if ((given.key === undefined) === (given.hash === undefined))
    throw new CliError("give --key or --hash (as keys list shows it), one of them", EXIT.usage);
  // `--key -` reads the key from standard input, out of the shell's history; pasted as the API
  // reads it (trimmed), a hash in either case.
  if (given.key === "-" && process.stdin.isTTY)
    throw new CliError(
      "--key -: pipe the key in (e.g. --key - < key.txt); standard input is a terminal",
      EXIT.usage,
    );
  const key = given.key === "-" ? await readStdin() : given.key;
  const opts = { ...given, key: key?.trim(), hash: given.hash?.toLowerCase() };
  if (opts.key === "")
    throw new CliError(
      given.key === "-" ? "--key -: standard input held no key" : "--key: empty",
      EXIT.usage,
    );
  if (opts.hash !== undefined && !new RegExp(`^[0-9a-f]{${HASH_SHOWN},64}$`).test(opts.hash))
    throw new CliError(
      `--hash: the start of a key's hash as keys list shows it (${HASH_SHOWN} hex digits or more)`,
      EXIT.usage,
    );
  const [{ tableStore }, { keyHash, revokeApiKey }] = await Promise.all([
    import("../../lib/adapters/dynamodb/store"),
    import("../../lib/http/auth"),
  ]);
  const { client, documents } = await tableClient(opts);
  const store = tableStore(documents, opts.table);
  const keys = store.keys;
  const unreachable = (e: unknown) => {
    throw new CliError(`could not reach table ${opts.table}: ${(e as Error).message}`, EXIT.unreachable);
  };
  try {
    let hash = opts.key === undefined ? undefined : keyHash(opts.key);
    if (hash === undefined) {
      const matching = (await keys.list().catch(unreachable)).filter((k) =>
        k.hash.startsWith(opts.hash ?? ""),
      );
      if (matching.length !== 1)
        throw new CliError(
          `--hash ${opts.hash}: ${matching.length === 0 ? "no key's hash starts so" : `${matching.length} keys' hashes start so: give more of it`}`,
          EXIT.badInput,
        );
      hash = matching[0]?.hash as string;
    }
    if (!(await revokeApiKey(store, hash).catch(unreachable)))
      throw new CliError("no such key in the table (revoked already, or another table's)", EXIT.badInput);
    process.stderr.write(`revoked the key ${hash.slice(0, HASH_SHOWN)}\n`);
  } finally {
    client.destroy();
  }
}

/** `keys create` (an API key, stored hashed, printed once), `keys list` and `keys revoke`. */
export function registerKeys(program: Command): void {
  const keys = program.command("keys").description("API keys (stored hashed; the key is printed once)");
  tableOptions(
    keys
      .command("list")
      .description("list the keys: the start of each one's hash, role, source, scope, rate and holder"),
  ).action(runKeysList);
  tableOptions(
    keys
      .command("revoke")
      .description(
        "revoke a key, named by the start of its hash (keys list) or by the key; refused from then on (usually within a second)",
      )
      .option("--key <key>", "the key itself, or - to read it from a pipe (out of the shell's history)")
      .option(
        "--hash <hex>",
        `the start of its hash as keys list shows it (${HASH_SHOWN} hex digits or more)`,
      ),
  ).action(runKeysRevoke);
  const create = keys
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
      "agencies of the directory's tree, comma-separated: a reader key reads only their subtrees (their own forms, not the quarantine, the office's form, the trend or data quality); an integration key posts only for units under them",
      (v) => v.split(",").map((a) => a.trim()),
    )
    .option("--rate <n>", "requests per second it may make", (v) => Number(v), DEFAULT_KEY_RATE);
  tableOptions(create).action(runKeysCreate);
}
