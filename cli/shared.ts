import { type Command, InvalidArgumentError } from "commander";
import type { ParsedEventsFile } from "../lib/domain/events/file";
import type { ValidateOptions } from "../lib/domain/events/validate";
import { endOfLocalDate, isLocalDate, parseInstant } from "../lib/domain/time";

/**
 * What every command shares, kept light: the program's `--help` loads this and the command
 * definitions only; what a command needs to run is imported when it runs.
 */

/** Exit codes of docs/cli.md. */
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

export const parseDate = (value: string) => {
  if (!isLocalDate(value)) throw new InvalidArgumentError("expected a date YYYY-MM-DD");
  return value;
};

export const parseAsOf = (value: string) => {
  if (isLocalDate(value)) return endOfLocalDate(value);
  const ms = parseInstant(value);
  if (ms === undefined || !/[zZ]|[+-]\d{2}:\d{2}$/.test(value)) {
    throw new InvalidArgumentError("expected an RFC 3339 instant with offset, or a date YYYY-MM-DD");
  }
  return ms;
};

/** What a file-system error's code means, in words (undefined: not one a user's path causes). */
export function fileSystemReason(code: unknown): string | undefined {
  const said: Record<string, string> = {
    ENOENT: "no such file or directory",
    EISDIR: "a folder, not a file",
    ENOTDIR: "a path through something that is not a folder",
    EACCES: "permission denied",
    EPERM: "not permitted",
    ENOSPC: "no space left on the device",
    EPIPE: "the reader of the output has gone",
  };
  return typeof code === "string" ? said[code] : undefined;
}

/**
 * A JSON file the user named (a directory, a calendar, settings): read, a byte order mark read past
 * as in events files, and refused as bad input naming the file and why (in words, never a stack).
 */
export async function readJsonFile(file: string): Promise<unknown> {
  const [{ readFileSync }, { jsonErrorText }] = await Promise.all([
    import("node:fs"),
    import("../lib/domain/text"),
  ]);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw unreadable(file, e, "a JSON file");
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new CliError(`${file}: ${jsonErrorText(e)}`, EXIT.badInput);
  }
}

/** An RFC 3339 instant with its offset, kept as written (`serve --clock`). */
export const parseInstantText = (value: string) => {
  if (parseInstant(value) === undefined || !/[zZ]|[+-]\d{2}:\d{2}$/.test(value))
    throw new InvalidArgumentError(
      "expected an RFC 3339 instant with offset, e.g. 2022-08-29T07:25:00+07:00",
    );
  return value;
};

/** An API's base URL (`--api`): http or https. */
export const parseApiUrl = (value: string) => {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:"))
    throw new InvalidArgumentError("expected an http(s) URL, e.g. http://127.0.0.1:3000");
  return value;
};

/** A DynamoDB endpoint (`--endpoint`): http or https, as serve's banner prints DynamoDB Local's. */
export const parseEndpointUrl = (value: string) => {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:"))
    throw new InvalidArgumentError("expected an http(s) URL, as serve's banner prints DynamoDB Local's");
  return value;
};

/** A TCP port. */
export const parsePort = (value: string) => {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) throw new InvalidArgumentError("expected a port, 1 to 65535");
  return port;
};

/** A speed-up of the demo clock: 0 (stopped) or more. */
export const parseSpeed = (value: string) => {
  const speed = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(speed)) throw new InvalidArgumentError("expected a number, 0 or more");
  return speed;
};

export const parseSeed = (value: string) => {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError("expected a whole number");
  return Number(value);
};

/** The key of a command that talks to an API: `--key`, or the environment's. */
export function apiKey(key: string | undefined, command: string): string {
  const found = key ?? process.env.DOSSIER_MONITOR_API_KEY;
  if (!found) throw new CliError(`${command} needs --key (or DOSSIER_MONITOR_API_KEY)`, EXIT.usage);
  return found;
}

/** An API's failure as the exit code docs/cli.md gives it: unreachable (or 5xx) is 3, a refusal 1. */
export function apiFailure(e: { message: string; status: number }): CliError {
  return new CliError(e.message, e.status === 0 || e.status >= 500 ? EXIT.unreachable : EXIT.badInput);
}

/** A DynamoDB document client for `--endpoint` (the local stack's) or the region's table; destroy it after. */
export async function tableClient(opts: { endpoint?: string; region?: string }) {
  const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
  const { documentClient, localDynamoClient } = await import("../dev/local/dynamodb-local");
  const client = opts.endpoint
    ? localDynamoClient(opts.endpoint)
    : new DynamoDBClient(opts.region ? { region: opts.region } : {});
  return { client, documents: documentClient(client) };
}

/** The longest line an NDJSON events file may have (an event is a few KB). */
const MAX_LINE_CHARS = 1_048_576;

/** A file of at most this many bytes always decodes within V8's longest string (2^29 − 24 characters). */
const MAX_TEXT_BYTES = 2 ** 29 - 24;

/** An events file's text: read, and refused with the reason when it is unreadable or not UTF-8. */
export async function readEventsText(file: string): Promise<string> {
  const [{ readFileSync }, { decodeEventsFile }] = await Promise.all([
    import("node:fs"),
    import("../lib/domain/events/file"),
  ]);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw unreadable(file, e);
  }
  // Past the longest string Node makes (2^29 − 24 characters), decoding fails whatever the bytes.
  if (bytes.length > MAX_TEXT_BYTES)
    throw new CliError(
      `${file}: a JSON array larger than 512 MB cannot be read as one text: save the events as NDJSON (one a line), which is read a line at a time`,
      EXIT.badInput,
    );
  const text = decodeEventsFile(bytes);
  if (!text.ok) throw new CliError(`${file}: ${text.error}`, EXIT.badInput);
  return text.value;
}

/** A file that cannot be read, as the CLI says it (exit 1, naming the file and why). */
function unreadable(file: string, e: unknown, what = "an events file"): CliError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === "EISDIR" ? `a folder, not ${what}` : fileSystemReason(code);
  return new CliError(`${file}: cannot read: ${why ?? code ?? (e as Error).message}`, EXIT.badInput);
}

/**
 * An events file parsed: an NDJSON file a line at a time as it is read, never whole in memory as
 * one string (a province's year of events is larger than a string may be); a JSON array (its
 * first character `[`) whole, as {@link readEventsText} reads it. A file that cannot be read, or is
 * not UTF-8, is refused with the reason, as there.
 */
export async function readEventsFile(file: string, options: ValidateOptions = {}): Promise<ParsedEventsFile> {
  const [{ createReadStream, statSync }, { NdjsonEvents, NOT_UTF8, parseEventsText, parses, singleObject }] =
    await Promise.all([import("node:fs"), import("../lib/domain/events/file")]);
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const decode = (bytes: Uint8Array, stream: boolean) => {
    try {
      return decoder.decode(bytes, { stream });
    } catch {
      throw new CliError(`${file}: ${NOT_UTF8}`, EXIT.badInput);
    }
  };
  const lines = new NdjsonEvents(options);
  // The text since the last line break, as the chunks came: joined once a break arrives, so a long
  // line costs its length, not its length times its chunks.
  let pending: string[] = [];
  let pendingLength = 0;
  let lineNo = 0;
  let first = true;
  try {
    for await (const chunk of createReadStream(file)) {
      const text = decode(chunk as Buffer, true);
      // A JSON array is split by its structure, not by lines, and one event over several lines
      // (a pretty-printed sample) is that event: read whole.
      if (first) {
        if (/^\uFEFF?\s*\[/.test(text)) return parseEventsText(await readEventsText(file), options);
        // Decided on the first line alone: NDJSON's is an event of its own, and is streamed.
        // One event is a few KB: a larger file whose first line is not JSON is NDJSON with a bad line.
        const firstLine = /^\uFEFF?\s*(\{[^\n]*)\n/.exec(text)?.[1];
        if (firstLine !== undefined && !parses(firstLine) && statSync(file).size <= MAX_LINE_CHARS) {
          const whole = await readEventsText(file);
          if (singleObject(whole.replace(/^\uFEFF/, "")) !== undefined)
            return parseEventsText(whole, options);
        }
        first = /^\uFEFF?\s*$/.test(text);
      }
      if (!text.includes("\n")) {
        pending.push(text);
        pendingLength += text.length;
        // An event is some KB (POST /events takes 256 KB for a hundred): a line past this bound is
        // not one, and would otherwise be held whole, up to the longest string Node makes.
        if (pendingLength > MAX_LINE_CHARS)
          throw new CliError(
            `${file}:${lineNo + 1}: a line longer than ${MAX_LINE_CHARS.toLocaleString("en")} characters is not an event (is this an events file, one event a line?)`,
            EXIT.badInput,
          );
        continue;
      }
      const parts = (pending.join("") + text).split("\n");
      const last = parts.pop() ?? "";
      pending = [last];
      pendingLength = last.length;
      for (const line of parts) {
        lineNo++;
        if (line.length > MAX_LINE_CHARS)
          throw new CliError(
            `${file}:${lineNo}: a line longer than ${MAX_LINE_CHARS.toLocaleString("en")} characters is not an event (is this an events file, one event a line?)`,
            EXIT.badInput,
          );
        lines.add(line);
      }
    }
    // A file cut off inside a character is not UTF-8 either.
    pending.push(decode(new Uint8Array(), false));
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw unreadable(file, e);
  }
  const rest = pending.join("");
  if (rest) lines.add(rest);
  return lines.result();
}

/**
 * A deployment's procedure catalog from `--catalog FILE` (the shape of `CatalogFileSchema`, the
 * file a stage's `catalog` holds): its text and the catalog read from it, checked here, naming the
 * file and each bad field.
 */
export async function readCatalogFile(file: string) {
  const [{ readFile }, { loadCatalog }] = await Promise.all([
    import("node:fs/promises"),
    import("../lib/domain/catalog"),
  ]);
  let text: string;
  let json: unknown;
  try {
    // A byte order mark, as every other file the CLI reads may have (readJsonFile).
    text = (await readFile(file, "utf8")).replace(/^\uFEFF/, "");
    json = JSON.parse(text);
  } catch (e) {
    const why = fileSystemReason((e as NodeJS.ErrnoException).code) ?? (e as Error).message;
    throw new CliError(`${file}: ${why}`, EXIT.badInput);
  }
  const loaded = loadCatalog(json);
  if (!loaded.ok)
    throw new CliError(loaded.error.map((p) => `${file}: ${p.path}: ${p.message}`).join("\n"), EXIT.badInput);
  return { text, catalog: loaded.value };
}

/**
 * The monitor's settings as the deployment's consumer has them (PERIOD_SCHEME, CALENDAR_OVERRIDE,
 * ...), from the environment; the catalog from `--catalog` when given: a province's (hundreds of
 * KB) is bundled with the deployed functions, not in their environment, and the command reads the
 * same file the stage's `catalog` holds.
 */
export async function monitorEnv(table: string, catalogFile: string | undefined, stage?: string) {
  const { parseMonitorEnv } = await import("../lib/contracts/config");
  if (stage !== undefined) {
    if (catalogFile !== undefined)
      throw new CliError("--catalog: not with --stage, whose catalog applies", EXIT.usage);
    return parseMonitorEnv(await stageEnv(stage, table));
  }
  const catalog = catalogFile === undefined ? undefined : (await readCatalogFile(catalogFile)).text;
  try {
    return parseMonitorEnv({
      ...process.env,
      TABLE_NAME: table,
      ...(catalog !== undefined && { CATALOG: catalog }),
    });
  } catch (e) {
    // The table comes from --table here, not from the environment variable the functions read.
    throw new CliError((e as Error).message.replace(/\bTABLE_NAME\b/g, "--table"), EXIT.usage);
  }
}

/** The options naming a DynamoDB table: `--table`, and `--endpoint` or `--region`. */
export function tableOptions(command: Command): Command {
  return command
    .requiredOption(
      "--table <name>",
      "the DynamoDB table (the stack's output TableName, or the local stack's)",
    )
    .option(
      "--endpoint <url>",
      "a DynamoDB endpoint, e.g. the local stack's (the URL serve's banner prints)",
      parseEndpointUrl,
    )
    .option("--region <region>", "AWS region when not using --endpoint");
}

/**
 * The settings a deployed stage's functions run with, from `cdk.json` in the current folder
 * (`context.stages.<stage>`, as `cdk deploy -c stage=<stage>` reads it): its environment
 * (infra/config.ts `monitorEnvironment`) and its catalog, which the functions carry in their bundles.
 * Nothing is taken from the shell's environment.
 */
async function stageEnv(stage: string, table: string): Promise<Record<string, string>> {
  const [{ monitorEnvironment, parseStageConfig }, { readFileSync }] = await Promise.all([
    import("../infra/config"),
    import("node:fs"),
  ]);
  let context: { stages?: Record<string, unknown> } | undefined;
  try {
    context = (JSON.parse(readFileSync("cdk.json", "utf8")) as { context?: typeof context }).context;
  } catch (e) {
    throw new CliError(
      `--stage: no readable cdk.json in ${process.cwd()} (${(e as Error).message}): run it from the project's folder, as cdk deploy`,
      EXIT.usage,
    );
  }
  const entry = context?.stages?.[stage];
  if (!entry)
    throw new CliError(
      `--stage: cdk.json has no stages.${stage} (stages: ${Object.keys(context?.stages ?? {}).join(", ")})`,
      EXIT.usage,
    );
  let config: ReturnType<typeof parseStageConfig>;
  try {
    config = parseStageConfig({ stage, ...(entry as object) });
  } catch (e) {
    throw new CliError(`--stage ${stage}: ${(e as Error).message}`, EXIT.badInput);
  }
  return {
    ...monitorEnvironment(config, table),
    ...(config.catalog && { CATALOG: JSON.stringify(config.catalog) }),
  };
}

/** `--stage`: a deployed stage's settings (README "Deploying to AWS"), not the shell's environment. */
export const STAGE_OPTION = [
  "--stage <name>",
  "count with a deployed stage's settings, from cdk.json in the current folder (context.stages.<name>: period scheme, catalog, calendar, office hours, rules), as its functions take them; without it they come from the environment (PERIOD_SCHEME, CATALOG, …), else the defaults",
] as const;

/** `--catalog FILE`, as `import` and `recount` take it. */
export const CATALOG_OPTION = [
  "--catalog <file>",
  "the deployment's procedure catalog (JSON, the stage's catalog; default: the CATALOG environment variable, else the seed district's)",
] as const;
