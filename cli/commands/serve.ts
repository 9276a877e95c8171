import type { Command } from "commander";
import type { ServeOptions } from "../serve";

/** `serve` (what `npm start` runs): the local stack, until Ctrl-C. */
export function registerServe(program: Command): void {
  program
    .command("serve")
    .description(
      "the local stack: DynamoDB Local, local SES with its inbox, the bus, the scheduler and the HTTP API on 127.0.0.1",
    )
    .option("--data-dir <dir>", "where DynamoDB Local keeps its data, and the demo keys", ".local")
    .option("--clock <instant>", "the demo clock's start", "2022-08-29T07:00:00+07:00")
    .option("--speed <n>", "how much faster than real time the demo clock runs", (v) => Number(v), 60)
    .option("--api-port <port>", "the HTTP API's port", (v) => Number(v), 3000)
    .option("--units <file>", "the unit directory loaded on first start", "events/units/seed-units.json")
    .option(
      "--catalog <file>",
      "the procedure catalog (JSON, the shape of CatalogFileSchema in lib/domain/catalog.ts); default the seed district's (or the CATALOG environment variable)",
    )
    .option("--fresh", "start from an empty data folder")
    .action(async (opts: ServeOptions) => {
      const { serve } = await import("../serve");
      process.exitCode = await serve(opts);
    });
}
