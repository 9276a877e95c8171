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
  /** The synthetic province instead of the seed district (resolveServeOptions sets its other defaults). */
  province?: boolean;
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

/**
 * `serve --province` shows the synthetic province (events/units/province-sample.json): its
 * directory with the agency tree, and a quarter of its events (2025-Q3, the first after the communes'
 * merger), imported up to a demo clock on the Monday before the quarter's last week, five minutes
 * before the weekly KPI email; reported by calendar quarter; data kept apart from the seed's.
 */
export const PROVINCE_DEFAULTS = {
  dataDir: ".local/province",
  clock: "2025-09-22T07:25:00+07:00",
  units: "events/units/province-sample.json",
  periodScheme: "calendar-quarter",
  /** The quarter replayed, and how many dossiers it receives (enough to show, quick to import). */
  quarter: { name: "2025-Q3", from: "2025-07-01", to: "2025-09-30" },
  dossiers: 8_000,
} as const;

/** The options `serve` runs with: the parsed ones, with `--empty`'s or `--province`'s defaults where none was given. */
export function resolveServeOptions(opts: ServeOptions, cmd: Command, now = Date.now()): ServeOptions {
  const given = (name: string) => cmd.getOptionValueSource(name) !== "default";
  if (opts.province)
    return {
      ...opts,
      dataDir: given("dataDir") ? opts.dataDir : PROVINCE_DEFAULTS.dataDir,
      clock: given("clock") ? opts.clock : PROVINCE_DEFAULTS.clock,
      units: given("units") ? opts.units : PROVINCE_DEFAULTS.units,
    };
  if (!opts.empty) return opts;
  return {
    ...opts,
    dataDir: given("dataDir") ? opts.dataDir : EMPTY_DEFAULTS.dataDir,
    clock: given("clock") ? opts.clock : new Date(now).toISOString(),
    speed: given("speed") ? opts.speed : EMPTY_DEFAULTS.speed,
  };
}
