/**
 * `npm run bench`: every figure the README claims about speed and cost, measured here, each
 * printed with how it was measured. Writes bench/results.json and the README's table. Never
 * fails a CI run: a section that cannot run says why and the others go on. Each section is a file
 * of bench/sections/; `npm run bench -- NAME...` runs only those, and writes nothing (a trial run).
 */
import "./env";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RunningDynamo, startDynamoDbLocal } from "../dev/local/dynamodb-local";
import { ROOT, results, rows } from "./common";
import { benchBase } from "./sections/base";
import { benchBatching } from "./sections/batching";
import { benchBundles } from "./sections/bundles";
import { benchCliHelp, benchCliReport } from "./sections/cli";
import { benchConsumer, benchSeedUnits } from "./sections/consumer";
import { benchConsumerVolume } from "./sections/consumer-volume";
import { benchCost } from "./sections/cost";
import { benchDashboard } from "./sections/dashboard";
import { benchHttp } from "./sections/http";
import { benchImport } from "./sections/import";
import { benchIngestHandler } from "./sections/ingest-handler";
import { benchKpiReads } from "./sections/kpi-reads";
import { benchNearDue } from "./sections/near-due";
import { benchProvince } from "./sections/province";
import { benchReference } from "./sections/reference";
import { benchSweep } from "./sections/sweep";

interface Section {
  name: string;
  run: (dynamo: RunningDynamo) => Promise<void>;
  /** Runs against DynamoDB Local (started once, for all of them). */
  dynamo?: true;
}

/** In the order they run (cost uses the consumer's, seedUnits', batching's and ingestHandler's figures; base compares). */
const SECTIONS: Section[] = [
  { name: "reference", run: benchReference },
  { name: "nearDue", run: benchNearDue },
  { name: "bundles", run: benchBundles },
  { name: "cliHelp", run: benchCliHelp },
  { name: "cliReport", run: benchCliReport },
  { name: "consumer", run: benchConsumer, dynamo: true },
  { name: "consumerVolume", run: benchConsumerVolume, dynamo: true },
  { name: "import", run: benchImport, dynamo: true },
  { name: "seedUnits", run: benchSeedUnits, dynamo: true },
  { name: "sweep", run: benchSweep, dynamo: true },
  { name: "kpiReads", run: benchKpiReads, dynamo: true },
  { name: "ingestHandler", run: benchIngestHandler, dynamo: true },
  { name: "http", run: benchHttp, dynamo: true },
  { name: "dashboard", run: benchDashboard, dynamo: true },
  { name: "province", run: benchProvince, dynamo: true },
  { name: "batching", run: benchBatching, dynamo: true },
  { name: "cost", run: async () => benchCost() },
  { name: "base", run: async () => benchBase() },
];

/** `npm run bench -- kpiReads http`: only those sections, and nothing written (a trial run). */
const only = process.argv.slice(2);

async function main() {
  const unknown = only.filter((n) => !SECTIONS.some((s) => s.name === n));
  if (unknown.length)
    throw new Error(`no section ${unknown.join(", ")}; sections: ${SECTIONS.map((s) => s.name).join(", ")}`);
  const chosen = SECTIONS.filter((s) => only.length === 0 || only.includes(s.name));
  let dynamo: RunningDynamo | undefined;
  if (chosen.some((s) => s.dynamo)) {
    try {
      dynamo = await startDynamoDbLocal();
    } catch (e) {
      console.log(`DynamoDB Local: not started (${(e as Error).message}); its sections are not measured`);
      results.dynamodb = { error: (e as Error).message };
    }
  }
  try {
    for (const s of chosen) {
      if (s.dynamo && !dynamo) continue;
      try {
        await s.run(dynamo as RunningDynamo);
      } catch (e) {
        console.log(`${s.name}: not measured (${(e as Error).message})`);
        results[s.name] = { error: (e as Error).message };
      }
    }
  } finally {
    await dynamo?.stop();
  }
  if (only.length > 0) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  writeFileSync(join(ROOT, "bench", "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  const table = [
    "| figure | value | how it was measured |",
    "|---|---|---|",
    ...rows.map(([f, v, h]) => `| ${f} | ${v} | ${h} |`),
  ].join("\n");
  const readmePath = join(ROOT, "README.md");
  const readme = readFileSync(readmePath, "utf8");
  const marked = /<!-- bench:start -->[\s\S]*<!-- bench:end -->/;
  if (marked.test(readme)) {
    const stamp = `Measured on ${new Date().toISOString().slice(0, 10)} with Node ${process.version} on this project's 2-core machine.`;
    writeFileSync(
      readmePath,
      readme.replace(marked, `<!-- bench:start -->\n${stamp}\n\n${table}\n<!-- bench:end -->`),
    );
  }
  console.log("\nwrote bench/results.json and the README's table");
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
});
