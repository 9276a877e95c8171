/**
 * The child of the `base` section (bench/sections/base.ts): run inside an extracted tree of an
 * earlier commit, with this bench's files copied over its own, it measures that tree's consumer,
 * its billed request units and its cost exactly as the current run does, and writes the figures to
 * the file named by its argument. Not a section itself: `npm run bench` never runs it directly.
 */
import "./env";
import { writeFileSync } from "node:fs";
import { startDynamoDbLocal } from "../dev/local/dynamodb-local";
import { results } from "./common";
import { benchConsumer, benchSeedUnits } from "./sections/consumer";
import { benchCost } from "./sections/cost";

async function main() {
  const out = process.argv[2];
  if (!out) throw new Error("usage: tsx bench/base-run.ts <results.json>");
  const dynamo = await startDynamoDbLocal();
  try {
    await benchConsumer(dynamo);
    await benchSeedUnits(dynamo);
    benchCost();
  } finally {
    await dynamo.stop();
  }
  writeFileSync(out, JSON.stringify(results, null, 2));
}

main().catch((e) => {
  console.error(`base-run: ${(e as Error).message}`);
  process.exitCode = 1;
});
