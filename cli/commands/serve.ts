import type { Command } from "commander";
import type { ServeOptions } from "../serve";

/**
 * `serve --empty` is for trying one's own events: they carry today's instants, which a demo clock
 * in 2022 would reject as more than 5 minutes ahead (docs/events.md), and the demo's data would mix with
 * theirs. So, unless the caller set them, it runs the clock in real time from now, reports by
 * calendar quarter, and keeps its data apart from the demo's.
 */
export const EMPTY_DEFAULTS = {
  dataDir: ".local/empty",
  speed: 1,
  periodScheme: "calendar-quarter",
} as const;

/** The options `serve` runs with: the parsed ones, with `--empty`'s defaults where none was given. */
export function resolveServeOptions(opts: ServeOptions, cmd: Command, now = Date.now()): ServeOptions {
  if (!opts.empty) return opts;
  const given = (name: string) => cmd.getOptionValueSource(name) !== "default";
  return {
    ...opts,
    dataDir: given("dataDir") ? opts.dataDir : EMPTY_DEFAULTS.dataDir,
    clock: given("clock") ? opts.clock : new Date(now).toISOString(),
    speed: given("speed") ? opts.speed : EMPTY_DEFAULTS.speed,
  };
}

/** `serve` (what `npm start` runs): the local stack, until Ctrl-C. */
export function registerServe(program: Command): void {
  program
    .command("serve")
    .description(
      "the local stack: DynamoDB Local, local SES with its inbox, the bus, the scheduler and the HTTP API on 127.0.0.1",
    )
    .option("--data-dir <dir>", "where DynamoDB Local keeps its data, and the demo keys", ".local")
    .option("--clock <instant>", "the demo clock's start", "2022-08-29T07:25:00+07:00")
    .option("--speed <n>", "how much faster than real time the demo clock runs", (v) => Number(v), 60)
    .option("--api-port <port>", "the HTTP API's port", (v) => Number(v), 3000)
    .option(
      "--eventbridge-port <port>",
      "the port answering EventBridge's PutEvents (AWS SDKs: endpoint override, any credentials)",
      (v) => Number(v),
      3001,
    )
    .option("--units <file>", "the unit directory loaded on first start", "events/units/seed-units.json")
    .option(
      "--catalog <file>",
      "the procedure catalog (JSON, the shape of CatalogFileSchema in lib/domain/catalog.ts); default the seed district's (or the CATALOG environment variable)",
    )
    .option(
      "--official-settings <file>",
      "the official outputs' settings: office, form title, domain names, index targets (JSON, the shape of OfficialSettingsSchema in lib/domain/official/settings.ts); default the seed district's (or the OFFICIAL_SETTINGS environment variable)",
    )
    .option("--fresh", "start from an empty data folder")
    .option(
      "--empty",
      `the units and keys but no demo data, for trying one's own events: no seed replay, the clock in real time from now, calendar quarters, data in ${EMPTY_DEFAULTS.dataDir} (each unless set)`,
    )
    .action(async (opts: ServeOptions, cmd: Command) => {
      const { serve } = await import("../serve");
      process.exitCode = await serve(resolveServeOptions(opts, cmd));
    });
}
