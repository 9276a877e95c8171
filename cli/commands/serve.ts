import { type Command, Option } from "commander";
import { EMPTY_DEFAULTS, PROVINCE_DEFAULTS, resolveServeOptions, type ServeOptions } from "../serve-options";
import { parseInstantText, parsePort, parseSpeed } from "../shared";

/** `serve` (what `npm start` runs): the local stack, until Ctrl-C. */
export function registerServe(program: Command): void {
  program
    .command("serve")
    .description(
      "the local stack: DynamoDB Local, local SES with its inbox, the bus, the scheduler and the HTTP API on 127.0.0.1",
    )
    .option("--data-dir <dir>", "where DynamoDB Local keeps its data, and the demo keys", ".local")
    .option("--clock <instant>", "the demo clock's start", parseInstantText, "2022-08-29T07:25:00+07:00")
    .option("--speed <n>", "how much faster than real time the demo clock runs", parseSpeed, 60)
    .option("--api-port <port>", "the HTTP API's port", parsePort, 3000)
    .option(
      "--eventbridge-port <port>",
      "the port answering EventBridge's PutEvents (AWS SDKs: endpoint override, any credentials)",
      parsePort,
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
    .addOption(
      new Option(
        "--province",
        `the synthetic province instead of the seed district: its agency tree (${PROVINCE_DEFAULTS.units}) and a quarter of its events (${PROVINCE_DEFAULTS.quarter.name}) up to the demo clock ${PROVINCE_DEFAULTS.clock}, calendar quarters, data in ${PROVINCE_DEFAULTS.dataDir} (each unless set)`,
      ).conflicts("empty"),
    )
    .action(async (opts: ServeOptions, cmd: Command) => {
      const { serve } = await import("../serve");
      process.exitCode = await serve(resolveServeOptions(opts, cmd));
    });
}
