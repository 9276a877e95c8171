import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { LogLevel } from "@aws-lambda-powertools/logger/types";
import { JAVA_HINT, javaProblem } from "../dev/local/dynamodb-local";
import { DemoClock, SERVE_DEFAULTS, startLocalStack } from "../dev/local/stack";
import type { LocalStackOptions } from "../dev/local/stack-options";
import { provinceEvents } from "../dev/province/events";
import { PROVINCE_OFFICIAL_SETTINGS } from "../dev/province/official";
import type { ApiKeys } from "../lib/adapters/dynamodb/api-keys";
import { parseMonitorEnv, type RawEnv } from "../lib/contracts/config";
import { ROUTES } from "../lib/contracts/routes";
import { validOn } from "../lib/domain/agencies";
import { parseDirectoryFile } from "../lib/domain/agency-directory";
import { formatInstant, localDate, parseInstant } from "../lib/domain/time";
import { keyHash } from "../lib/http/auth";
import { EMPTY_DEFAULTS, PROVINCE_DEFAULTS, type ServeOptions } from "./serve-options";
import { CliError, EXIT } from "./shared";

const ROOT = resolve(import.meta.dirname, "..");

/**
 * The monitor's settings from this process's environment (lib/contracts/config.ts), checked
 * before anything starts; the seed report's window unless PERIOD_SCHEME says otherwise.
 */
function serveEnv(opts: ServeOptions): RawEnv {
  return {
    PERIOD_SCHEME: opts.empty
      ? EMPTY_DEFAULTS.periodScheme
      : opts.province
        ? PROVINCE_DEFAULTS.periodScheme
        : JSON.stringify(SERVE_DEFAULTS.scheme),
    // The province's reporting office instead of the seed district's (dev/local/stack.ts's default).
    ...(opts.province ? { OFFICIAL_SETTINGS: JSON.stringify(PROVINCE_OFFICIAL_SETTINGS) } : {}),
    ...process.env,
    ...(opts.catalog ? { CATALOG: readFileSync(resolve(opts.catalog), "utf8") } : {}),
    ...(opts.officialSettings
      ? { OFFICIAL_SETTINGS: readFileSync(resolve(opts.officialSettings), "utf8") }
      : {}),
  };
}

type DemoKeys = Awaited<ReturnType<typeof startLocalStack>>["keys"];

/** The demo keys: written to `keysFile` when the stack made new ones, else read back from it. */
function storeKeys(made: DemoKeys, keysFile: string): DemoKeys {
  if (made) writeFileSync(keysFile, `${JSON.stringify(made, null, 2)}\n`, { mode: 0o600 });
  return (
    made ?? (existsSync(keysFile) ? (JSON.parse(readFileSync(keysFile, "utf8")) as DemoKeys) : undefined)
  );
}

/** A demo key that `keys revoke` removed since it was made: named so, and no example uses it. */
const REVOKED = "(revoked: `dossier-monitor keys create` makes another)";

/**
 * The demo keys still stored. They are read back from `keysFile` on each start after the first,
 * and one of them may have been revoked since (`keys revoke`): the banner must not offer it.
 */
export async function stillStored(
  keys: DemoKeys,
  stored: Pick<ApiKeys, "get">,
): Promise<{ integration?: string; reader?: string } | undefined> {
  if (!keys) return undefined;
  const live = async (key: string) => ((await stored.get(keyHash(key))) ? key : undefined);
  return { integration: await live(keys.integration), reader: await live(keys.reader) };
}

/** The banner's keys, and the examples that use them (a revoked key's left out). */
function keysBanner(
  opts: ServeOptions,
  stack: Awaited<ReturnType<typeof startLocalStack>>,
  keys: { integration?: string; reader?: string },
  keysFile: string,
  example: string,
): string {
  const { api } = stack.urls;
  const reader = keys.reader;
  const tries = [
    ...(keys.integration
      ? [
          `    curl -s -X POST ${api}/events -H 'authorization: Bearer ${keys.integration}' -H 'content-type: application/json' \\`,
          `      -d '${example}'`,
        ]
      : []),
    ...(reader === undefined
      ? []
      : opts.empty
        ? [
            `    curl -s '${api}/dossiers/000.30.32.H48-DEMO-0001' -H 'authorization: Bearer ${reader}'`,
            `    curl -s '${api}/kpis' -H 'authorization: Bearer ${reader}'`,
          ]
        : [
            `    curl -s '${api}/kpis?period=${demoPeriod(opts)}' -H 'authorization: Bearer ${reader}'`,
            `    npx dossier-monitor report --api ${api} --period ${demoPeriod(opts)} --key ${reader} --format text`,
          ]),
  ];
  return [
    "",
    `  Integration key ${keys.integration ?? REVOKED}`,
    `  Reader key      ${reader ?? REVOKED}`,
    `  (local demo keys, also in ${keysFile}; only their hashes are in the table)`,
    ...(reader === undefined
      ? []
      : [
          "",
          `  Dashboard       ${api}/dashboard#key=${reader}`,
          `  (opens signed in with the demo reader key, on ${opts.province ? "the synthetic province's quarter" : "the seed quarter"}; the key is in the fragment, which the browser never sends)`,
        ]),
    ...(tries.length ? ["", "  Try:", ...tries] : []),
    "",
  ].join("\n");
}

/** The unit directory, with or without an agency tree, checked as the tree stands on `at`'s day (the stack stores its own units, inherited on each read's day). */
function loadDirectory(file: string, at: number) {
  return parseDirectoryFile(JSON.parse(readFileSync(resolve(ROOT, file), "utf8")), localDate(at));
}

/**
 * What the first start imports and replays: the seed quarter (the stack's default), or with
 * `--province` a quarter of the synthetic province's events at the units valid on each day.
 */
function replayOf(
  opts: ServeOptions,
  directory: LocalStackOptions["directory"],
): LocalStackOptions["replay"] {
  if (!opts.province) return undefined;
  const { quarter, dossiers } = PROVINCE_DEFAULTS;
  return {
    name: `the synthetic province's ${quarter.name} (${dossiers.toLocaleString("en")} dossiers)`,
    events: () => provinceEvents({ directory, seed: 23, from: quarter.from, to: quarter.to, dossiers }),
  };
}

/** The demo's period, for the banner's examples. */
const demoPeriod = (opts: ServeOptions) =>
  opts.province ? PROVINCE_DEFAULTS.quarter.name : SERVE_DEFAULTS.scheme.windows[0]?.name;

/** A unit for the banner's example event: the seed's civil-status office, or the province's first commune unit open at `at`. */
function exampleUnit(opts: ServeOptions, directory: LocalStackOptions["directory"], at: number): string {
  if (!opts.province) return "phong-tu-phap";
  const day = localDate(at);
  const open = directory.units.filter((u) => validOn(u, day));
  return (open.find((u) => u.level === "commune") ?? open[0])?.id ?? "phong-tu-phap";
}

/**
 * What `serve` starts the stack with, from its options: the settings, the demo clock, the
 * directory and what the first start replays (the seed quarter, or the province's). The bench's
 * province dashboard starts the same.
 */
export function demoStackOptions(opts: ServeOptions, start: number) {
  const directory = loadDirectory(opts.units, start);
  return {
    env: serveEnv(opts),
    clock: new DemoClock(start, opts.speed),
    directory,
    seed: true,
    // --empty: the units and keys, without the seed quarter's events.
    replaySeed: !opts.empty,
    replay: replayOf(opts, directory),
  } satisfies Partial<LocalStackOptions>;
}

/** `dossier-monitor serve` (what `npm start` runs): the local stack, until Ctrl-C. */
export async function serve(opts: ServeOptions): Promise<number> {
  const dataDir = resolve(opts.dataDir);
  // Checked before anything is deleted (the option's parser checks it too).
  const start = parseInstant(opts.clock);
  if (start === undefined) throw new CliError(`--clock: not an RFC 3339 instant: ${opts.clock}`, EXIT.usage);
  if (opts.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(join(dataDir, "dynamodb"), { recursive: true });
  const demo = demoStackOptions(opts, start);
  parseMonitorEnv({ TABLE_NAME: "dossier-monitor-local", ...demo.env });
  const { clock, directory } = demo;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(
    `dossier-monitor: starting the local stack (data in ${dataDir}${opts.empty ? "; empty: no demo data is loaded" : ""})`,
  );
  // A dependency missing: exit 3 (docs/cli.md "Output and exit codes"), naming what installs it.
  const javaMissing = javaProblem();
  if (javaMissing) {
    process.stderr.write(`dossier-monitor: ${javaMissing}. ${JAVA_HINT}\n`);
    return EXIT.unreachable;
  }
  const stack = await startLocalStack({
    ...demo,
    senderAddress: "canh-bao@ubnd.example.org",
    dataDir: join(dataDir, "dynamodb"),
    apiPort: opts.apiPort,
    eventBridgePort: opts.eventbridgePort,
    log,
    logLevel: (process.env.POWERTOOLS_LOG_LEVEL as LogLevel | undefined) ?? "WARN",
  });
  const keysFile = join(dataDir, "keys.json");
  const keys = await stillStored(storeKeys(stack.keys, keysFile), stack.store.keys);
  const example = JSON.stringify({
    eventId: "demo-0001",
    type: "dossier.received",
    occurredAt: formatInstant(clock.now()),
    dossierId: "000.30.32.H48-DEMO-0001",
    data: {
      unitId: exampleUnit(opts, directory, start),
      procedureCode: "1.001193",
      channel: "online",
      processingDays: 5,
      domain: "ho-tich",
    },
  });
  log(`
  HTTP API        ${stack.urls.api}   (${ROUTES.map((r) => `${r.method} ${r.path}`).join(", ")})
  EventBridge     ${stack.urls.eventBridge}   (PutEvents with EventBusName ${stack.busName}; any SigV4 credentials)
  Inbox (SES)     ${stack.urls.inbox}/   (every email sent: department digests, KPI emails)
  DynamoDB Local  ${stack.urls.dynamodb}   (table ${stack.tableName})
  Demo clock      ${formatInstant(clock.now())}, ${opts.speed}× real time (sweep every 15 simulated minutes; weekly KPI email Monday 07:30)
${keys ? keysBanner(opts, stack, keys, keysFile, example) : ""}
  Ctrl-C stops everything.`);
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  log("\nstopping…");
  await stack.stop();
  return 0;
}
