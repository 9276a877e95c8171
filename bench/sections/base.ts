import { execSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, results, row } from "../common";

/**
 * The design before the cost work: the commit its goals were measured against. `BENCH_BASE` names
 * another commit to compare with.
 */
export const BASE_COMMIT = process.env.BENCH_BASE ?? "ffeaa5f";

/** The bench files the child needs, copied over the extracted tree's own (the same measurement). */
const BENCH_FILES = [
  "env.ts",
  "common.ts",
  "prices.ts",
  "capacity.ts",
  "billed.ts",
  "unit-rules.ts",
  "jvm.ts",
  "replay.ts",
  "base-run.ts",
  "sections/consumer.ts",
  "sections/cost.ts",
];

function extract(commit: string): string {
  const dir = mkdtempSync(join(tmpdir(), `bench-base-${commit}-`));
  execSync(`git archive ${commit} | tar -x -C ${dir}`, { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  symlinkSync(realpathSync(join(ROOT, "node_modules")), join(dir, "node_modules"));
  for (const f of BENCH_FILES) cpSync(join(ROOT, "bench", f), join(dir, "bench", f));
  return dir;
}

/** Runs bench/base-run.ts in `dir`, its printed rows prefixed with the commit. */
function runChild(dir: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, "node_modules", ".bin", "tsx"), ["bench/base-run.ts", out], {
      cwd: dir,
      stdio: ["ignore", "pipe", "inherit"],
    });
    child.stdout.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n").filter(Boolean)) console.log(`  [${BASE_COMMIT}] ${line}`);
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`base-run exited ${code}`))));
  });
}

type Figures = {
  consumer?: Record<string, { ratioToFloor: number; eventsPerSecond: number }>;
  cost?: {
    totalPerMillionEvents: number;
    writeUnitsPerEvent: number;
    perMillionEvents: Record<string, number>;
  };
};

function summary(f: Figures): string {
  const ratio = (w: number) => f.consumer?.[`workers${w}`]?.ratioToFloor?.toFixed(2) ?? "?";
  const cost = f.cost;
  return `ratio to the floor ${ratio(4)} at 4 workers, ${ratio(16)} at 16; ${cost?.writeUnitsPerEvent.toFixed(2) ?? "?"} write units per event; $${cost?.totalPerMillionEvents.toFixed(2) ?? "?"} per million events`;
}

/**
 * The consumer, its billed request units and its cost for the commit the cost work was measured
 * against, in this same run: its tree extracted by `git archive` into a temporary folder (this
 * node_modules linked in), this bench's consumer and cost files copied over, run in a child process
 * with its own DynamoDB Local. Printed beside this tree's figures when they were measured too.
 */
export async function benchBase() {
  const dir = extract(BASE_COMMIT);
  const out = join(dir, "bench-results.json");
  const t0 = performance.now();
  try {
    await runChild(dir, out);
    const base = JSON.parse(readFileSync(out, "utf8")) as Figures;
    results.base = {
      commit: BASE_COMMIT,
      consumer: base.consumer,
      units: (base as Record<string, unknown>).units,
      cost: base.cost,
      seconds: Number(((performance.now() - t0) / 1000).toFixed(0)),
    };
    row(
      `Today's design (${BASE_COMMIT}), same run`,
      summary(base),
      `the consumer, seedUnits and cost measurements above, run on commit ${BASE_COMMIT} (git archive into a temporary folder, this bench's files copied over, a child process with its own DynamoDB Local) during this run`,
    );
    if (results.consumer && results.cost)
      row(
        "This tree, same run",
        summary({ consumer: results.consumer as Figures["consumer"], cost: results.cost as Figures["cost"] }),
        "the consumer, seedUnits and cost sections of this run",
      );
  } finally {
    // The link first, on its own: nothing of the shared node_modules is ever removed.
    unlinkSync(join(dir, "node_modules"));
    rmSync(dir, { recursive: true, force: true });
  }
}
