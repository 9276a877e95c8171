/**
 * Writes a synthetic province's unit directory with its agency tree (lib/domain/agencies.ts) to
 * events/units/province-sample.json: one province, its departments, its districts and their
 * communes until 2025-06-30, and from 2025-07-01 the new communes the old ones merged into (each
 * old commune naming its successor), about 2,000 units in all. Deterministic: the same seed gives
 * the same file, byte for byte (a test holds the committed file to it).
 *
 *   npx tsx scripts/generate-province.ts [--seed N] [--communes N] [--out FILE]
 *
 * Every name is made up; every address is on example.org.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { generateProvince } from "./province-directory";

const { values } = parseArgs({
  options: {
    seed: { type: "string", default: "23" },
    communes: { type: "string", default: "150" },
    out: { type: "string" },
  },
});
const out =
  values.out ??
  join(dirname(fileURLToPath(import.meta.url)), "..", "events", "units", "province-sample.json");
const directory = generateProvince({ seed: Number(values.seed), communes: Number(values.communes) });
writeFileSync(out, `${JSON.stringify(directory, null, 2)}\n`);
const agencies = directory.agencies.length;
console.log(`wrote ${out}: ${agencies} agencies, ${directory.units.length} units`);
