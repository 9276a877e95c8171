import type { Command } from "commander";

/**
 * `serve`'s options, shared by the command's definition (cli/commands/serve.ts, loaded at every
 * start) and the local stack's start (cli/serve.ts, loaded only when `serve` runs).
 */
export interface ServeOptions {
  dataDir: string;
  clock: string;
  speed: number;
  apiPort: number;
  eventbridgePort: number;
  fresh?: boolean;
  /** The units and keys but no demo data (resolveServeOptions, below, sets its other defaults). */
  empty?: boolean;
  units: string;
  /** A procedure catalog file (JSON) instead of the seed's. */
  catalog?: string;
  /** The official outputs' settings file (JSON) instead of the seed's. */
  officialSettings?: string;
}

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
