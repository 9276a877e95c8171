import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./fixtures";

/**
 * Runs a killable helper (./killable-consumer.ts, ./killable-import.ts) in a child process that
 * stops for good where `PAUSE` says (./pause-point.ts) and prints `paused`; only then is it killed
 * with SIGKILL: the point of the kill is an event the test controls, not a moment it guesses.
 * Answers whether it was killed or finished (`done`), and how many times it printed each line.
 */
export function killAtPause(
  helper: "killable-consumer.ts" | "killable-import.ts",
  env: { DYNAMO_ENDPOINT: string; TABLE_NAME: string; PAUSE: string },
  stdin?: string,
): Promise<{ killed: boolean; finished: boolean; lines: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "tests", "helpers", helper)], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "inherit"],
    });
    const lines: Record<string, number> = {};
    let killed = false;
    let finished = false;
    let rest = "";
    child.stdout.on("data", (d: Buffer) => {
      const read = (rest + d.toString()).split("\n");
      rest = read.pop() ?? "";
      for (const line of read) {
        lines[line] = (lines[line] ?? 0) + 1;
        if (line === "done") finished = true;
        if (line === "paused" && !killed) {
          killed = true;
          child.kill("SIGKILL");
        }
      }
    });
    child.on("error", reject);
    child.on("exit", () => resolve({ killed, finished, lines }));
    child.stdin.end(stdin ?? "");
  });
}
