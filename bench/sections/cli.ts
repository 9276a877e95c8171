import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, results, row } from "../common";

/**
 * The command line as a user starts it: the built CLI (scripts/build.mjs) in a fresh Node process,
 * timed from spawn to exit, median of 5. The targets: `--help` ≤ 0.3 s, `report --events` on the
 * seed quarter's events ≤ 1 s.
 */
const BIN = join(ROOT, "bin", "dossier-monitor.mjs");
const RUNS = 5;

function built(): void {
  if (!existsSync(join(ROOT, "dist", "cli.mjs")))
    execFileSync(process.execPath, [join(ROOT, "scripts", "build.mjs")], { cwd: ROOT });
}

/** Seconds a whole `dossier-monitor ARGS` process takes: each of {@link RUNS} runs, sorted. */
function timed(args: string[]): number[] {
  const seconds: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    execFileSync(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
    seconds.push((performance.now() - t) / 1000);
  }
  return seconds.sort((a, b) => a - b);
}

const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)] as number;
const runs = (sorted: number[]) => sorted.map((s) => s.toFixed(2)).join(", ");

export async function benchCliHelp() {
  built();
  const seconds = timed(["--help"]);
  results.cliHelp = { medianSeconds: Number(median(seconds).toFixed(3)), runs: seconds };
  row(
    "CLI start: dossier-monitor --help",
    `${median(seconds).toFixed(2)} s (target ≤ 0.3 s)`,
    `the built CLI in a fresh Node process, spawn to exit, median of ${RUNS} (${runs(seconds)} s)`,
  );
}

export async function benchCliReport() {
  built();
  const dir = mkdtempSync(join(tmpdir(), "bench-cli-"));
  try {
    const file = join(dir, "q3.ndjson");
    execFileSync(process.execPath, [BIN, "simulate", "--scenario", "seed-2022-q3", "--out", file], {
      cwd: ROOT,
    });
    const events = readFileSync(file, "utf8").split("\n").filter(Boolean).length;
    const seconds = timed(["report", "--events", file, "--period", "2022-Q3", "--as-of", "2022-10-01"]);
    results.cliReport = { events, medianSeconds: Number(median(seconds).toFixed(3)), runs: seconds };
    row(
      "CLI report on the seed set: report --events",
      `${median(seconds).toFixed(2)} s (target ≤ 1 s)`,
      `dossier-monitor report --events on the seed quarter (simulate --scenario seed-2022-q3, ${events.toLocaleString("en")} events) --period 2022-Q3, JSON, in a fresh Node process, spawn to exit, median of ${RUNS} (${runs(seconds)} s)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
