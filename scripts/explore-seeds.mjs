/**
 * `npm run test:explore [-- SEED...]`: the property suites (every test file that imports
 * fast-check) run again under other seeds than `npm test`'s fixed one, to look for inputs the fixed
 * seed never draws. Without seeds, three drawn at random. Each seed is printed before its run, so a
 * failure names the `FC_SEED=<seed> npm test` that reproduces it. Exits non-zero when any run fails.
 * Not part of `npm test` (it would make its outcome depend on the draw); meant for a scheduled job
 * or for a change to a validated contract.
 */
import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dirname, "..");

/** Test files under tests/ that import fast-check. */
function propertyFiles(dir = join(root, "tests")) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return propertyFiles(path);
    return entry.name.endsWith(".test.ts") && /from "fast-check"/.test(readFileSync(path, "utf8"))
      ? [relative(root, path)]
      : [];
  });
}

const asked = process.argv.slice(2);
const bad = asked.find((s) => !/^-?\d+$/.test(s));
if (bad !== undefined) {
  console.error(`explore-seeds: expected integer seeds, got "${bad}"`);
  process.exit(2);
}
const seeds = asked.length ? asked : Array.from({ length: 3 }, () => String(randomInt(1, 2 ** 31 - 1)));
const files = propertyFiles();
const failed = [];
for (const seed of seeds) {
  console.log(`\nFC_SEED=${seed}: ${files.length} property files`);
  const run = spawnSync("npx", ["vitest", "run", ...files], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, FC_SEED: seed },
  });
  if (run.status !== 0) failed.push(seed);
}
if (failed.length) {
  console.error(`\nfailed under FC_SEED=${failed.join(", ")}: reproduce with FC_SEED=<seed> npm test`);
  process.exit(1);
}
console.log(`\nall property files passed under FC_SEED=${seeds.join(", ")}`);
