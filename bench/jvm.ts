/**
 * DynamoDB Local's CPU time, read from Linux's /proc: the consumer section splits what the emulator
 * spends on the consumer's requests beyond its floor (README "Measured"). DynamoDB Local works on
 * about one core here, so its CPU time, not the wall clock, says which requests cost it what.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux, whatever the kernel's HZ). */
const TICKS_PER_SECOND = 100;

/**
 * A reader of the CPU seconds (user + system) the DynamoDB Local process listening on `port` has
 * used so far, or `undefined` where there is no /proc or no such process.
 */
export function jvmCpuReader(port: number): (() => number) | undefined {
  const pid = dynamoDbLocalPid(port);
  if (!pid) return undefined;
  const path = `/proc/${pid}/stat`;
  return () => cpuSecondsOf(readFileSync(path, "utf8"));
}

/** The id of the DynamoDB Local process listening on `port`, where /proc tells. */
function dynamoDbLocalPid(port: number): string | undefined {
  try {
    return readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .find((p) => {
        try {
          const args = readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0");
          return args.some((a) => a.includes("DynamoDBLocal")) && args.includes(String(port));
        } catch {
          return false;
        }
      });
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) of a /proc `stat` line, of a process or one of its threads. */
function cpuSecondsOf(line: string): number {
  // Fields after the command name (which may hold spaces, inside parentheses): utime is the
  // 14th field of the line, stime the 15th.
  const fields = line.slice(line.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * A reader of the CPU seconds the JVM listening on `port` has spent compiling so far: its JIT
 * compiler threads (HotSpot names them `C1 CompilerThread<n>` and `C2 CompilerThread<n>`, which
 * Linux cuts to 15 characters). A pass timed while the JVM still compiles the code its requests
 * run pays for the compiling, on a core the requests need (README "Measured").
 */
export function jvmCompilerCpuReader(port: number): (() => number) | undefined {
  const pid = dynamoDbLocalPid(port);
  if (!pid) return undefined;
  return () => {
    let seconds = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const line = readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8");
        if (/^\d+ \(C[12] CompilerThre/.test(line)) seconds += cpuSecondsOf(line);
      } catch {
        // A thread that ended between the listing and the read.
      }
    }
    return seconds;
  };
}

/** The CPU seconds `cpu` counts while `work` runs. */
export async function cpuWhile(cpu: () => number, work: () => Promise<unknown>): Promise<number> {
  const before = cpu();
  await work();
  return cpu() - before;
}
