import { writeFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { SCENARIO_NAMES, type ScenarioName } from "../../dev/scenarios/names";
import { parseSeed } from "../shared";

async function runSimulate(opts: { scenario: ScenarioName; seed?: number; out?: string }): Promise<void> {
  const [{ SCENARIOS }, { toNdjson }] = await Promise.all([
    import("../../dev/scenarios/seed-2022-q3"),
    import("../../lib/domain/events/file"),
  ]);
  const text = toNdjson(SCENARIOS[opts.scenario]({ seed: opts.seed }));
  if (opts.out) writeFileSync(opts.out, text);
  else process.stdout.write(text);
}

/** `simulate`: a deterministic scenario of events, as NDJSON. */
export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("write a realistic, deterministic scenario of events as NDJSON")
    .addOption(new Option("--scenario <name>", "scenario").choices(SCENARIO_NAMES).makeOptionMandatory())
    .option("--seed <n>", "seed for the scenario's details (its figures do not change)", parseSeed)
    .option("--out <file>", "write to a file instead of stdout")
    .action(runSimulate);
}
