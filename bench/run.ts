/**
 * `npm run bench`: every figure the README claims about speed and cost, measured here, each
 * printed with how it was measured. Writes bench/results.json and the README's table. Never
 * fails a CI run: a section that cannot run says why and the others go on.
 */
import "./env";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { TransactWriteItemsCommand, type TransactWriteItemsCommandInput } from "@aws-sdk/client-dynamodb";
import type { ApplyDeps } from "../lib/apply";
import { WorkingCalendar } from "../lib/calendar/calendar";
import { catalogOf } from "../lib/catalog";
import type { CountingSettings } from "../lib/counting";
import { readKpiReport } from "../lib/kpis";
import {
  documentClient,
  ensureTable,
  localDynamoClient,
  type RunningDynamo,
  startDynamoDbLocal,
} from "../lib/local/dynamodb-local";
import { computeReport } from "../lib/report";
import { mulberry32 } from "../lib/scenarios/rng";
import { SEED_PERIOD, seed2022Q3 } from "../lib/scenarios/seed-2022-q3";
import { DossierStore } from "../lib/store/repository";
import { instant } from "../lib/time";
import { atLeastOnce, deliver, sqsRecord } from "../tests/helpers/delivery";
import { billedTransactionWriteUnits } from "./units";

const ROOT = join(import.meta.dirname, "..");
const results: Record<string, unknown> = { measuredAt: new Date().toISOString(), node: process.version };
const rows: [string, string, string][] = [];
const NOW = instant("2026-11-30T09:00:00+07:00");
const settings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  catalog: catalogOf(),
  scheme: { kind: "explicit", windows: [SEED_PERIOD] },
};

function row(figure: string, value: string, how: string) {
  rows.push([figure, value, how]);
  console.log(`${figure}: ${value}\n    how: ${how}`);
}

async function section(name: string, run: () => Promise<void>) {
  try {
    await run();
  } catch (e) {
    console.log(`${name}: not measured (${(e as Error).message})`);
    results[name] = { error: (e as Error).message };
  }
}

let tableSeq = 0;
async function freshTable(dynamo: RunningDynamo) {
  const client = localDynamoClient(dynamo.endpoint);
  const tableName = `bench-${process.pid}-${++tableSeq}`;
  await ensureTable(client, tableName);
  return { client, tableName, store: new DossierStore(documentClient(client), tableName) };
}

async function benchReference() {
  const events = seed2022Q3();
  const t0 = performance.now();
  const runs = 3;
  for (let i = 0; i < runs; i++) computeReport(events, settings, { period: SEED_PERIOD, asOf: NOW });
  const perSecond = (events.length * runs) / ((performance.now() - t0) / 1000);
  results.reference = { events: events.length, eventsPerSecond: Math.round(perSecond) };
  row(
    "Reference report from events (in-process)",
    `${Math.round(perSecond).toLocaleString("en")} events/s`,
    `computeReport over the ${events.length.toLocaleString("en")} seed events, ${runs} runs, one core`,
  );
}

/** The captured transactions, made unconditional and pointed at another table: the storage floor. */
function rawCopies(
  captured: TransactWriteItemsCommandInput[],
  tableName: string,
): TransactWriteItemsCommandInput[] {
  return captured.map((tx) => ({
    TransactItems: tx.TransactItems?.map((item) => {
      const copy = structuredClone(item);
      if (copy.Put) {
        copy.Put.TableName = tableName;
        delete copy.Put.ConditionExpression;
        delete copy.Put.ExpressionAttributeValues;
        delete copy.Put.ExpressionAttributeNames;
      }
      if (copy.Update) copy.Update.TableName = tableName;
      return copy;
    }),
  }));
}

async function benchConsumer(dynamo: RunningDynamo) {
  const { createHandler } = await import("../functions/apply-events");
  const events = seed2022Q3().slice(0, 1500);
  const delivery = atLeastOnce(mulberry32(3), events, 0.05);
  const consumer: Record<string, unknown> = {};
  for (const workers of [1, 4, 16]) {
    const table = await freshTable(dynamo);
    const captured: TransactWriteItemsCommandInput[] = [];
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "TransactWriteItemsCommand") {
          captured.push(structuredClone((args as { input: TransactWriteItemsCommandInput }).input));
        }
        return next(args);
      },
      { step: "build", name: "capture" },
    );
    const deps: ApplyDeps = { store: table.store, settings, now: () => NOW };
    const records = delivery.map((e) => sqsRecord(e));
    let handlerMs = 0;
    const make = () => {
      const h = createHandler(deps, new Logger({ logLevel: "SILENT" }), new Metrics({ namespace: "bench" }));
      return (async (event: never, context: never) => {
        const t = performance.now();
        const out = await h(event, context);
        handlerMs += performance.now() - t;
        return out;
      }) as never;
    };
    const t0 = performance.now();
    const outcome = await deliver(make, records, { workers });
    const seconds = (performance.now() - t0) / 1000;
    const report = await readKpiReport(table.store, SEED_PERIOD, { asOf: NOW });
    const check = computeReport(events, settings, { period: SEED_PERIOD, asOf: NOW });
    if (JSON.stringify(report.byUnit) !== JSON.stringify(check.byUnit))
      throw new Error("counters differ from the reference");
    // The seed itself repeats some events (at-least-once delivery): count distinct events.
    const applied = new Set(events.map((e) => e.eventId)).size;
    const wcu = captured.reduce((s, tx) => s + billedTransactionWriteUnits(tx), 0);
    const reads = table.store.consumed;

    const floorTable = await freshTable(dynamo);
    const queue = rawCopies(captured, floorTable.tableName);
    const transactions = queue.length;
    const f0 = performance.now();
    await Promise.all(
      Array.from({ length: workers }, async () => {
        for (let tx = queue.shift(); tx; tx = queue.shift())
          await floorTable.client.send(new TransactWriteItemsCommand(tx));
      }),
    );
    const floorSeconds = (performance.now() - f0) / 1000;
    const eventsPerSecond = applied / seconds;
    const floorPerSecond = transactions / floorSeconds;
    consumer[`workers${workers}`] = {
      deliveries: records.length,
      applied,
      transactionsAttempted: transactions,
      seconds: Number(seconds.toFixed(2)),
      eventsPerSecond: Math.round(eventsPerSecond),
      floorTransactionsPerSecond: Math.round(floorPerSecond),
      ratioToFloor: Number((eventsPerSecond / floorPerSecond).toFixed(2)),
      writeUnitsPerAttempt: Number((wcu / transactions).toFixed(2)),
      readRequestsPerDelivery: Number((reads.itemsRead / records.length).toFixed(2)),
      handlerMsPerMessage: Number((handlerMs / records.length).toFixed(2)),
      redelivered: outcome.redelivered,
    };
    row(
      `Consumer, ${workers} worker${workers > 1 ? "s" : ""}`,
      `${Math.round(eventsPerSecond)} events/s; storage floor ${Math.round(floorPerSecond)} tx/s; ratio ${(eventsPerSecond / floorPerSecond).toFixed(2)}`,
      `${records.length} SQS messages (${applied} seed events, 5% duplicated, shuffled) through the apply-events handler in batches of 10 against DynamoDB Local; floor = the same ${transactions} transactions replayed raw, without conditions, at the same concurrency`,
    );
    if (workers === 4) {
      results.units = { writeUnitsPerTransaction: wcu / transactions, writeUnitsPerEvent: wcu / applied };
      row(
        "DynamoDB write units per applied event",
        `${(wcu / applied).toFixed(2)} (${(wcu / transactions).toFixed(2)} per transaction sent)`,
        "billed as DynamoDB does: 2 units per transactional item per started KB, over every TransactWriteItems sent at 4 workers (event record + dossier + counter items; retries after a version conflict included)",
      );
    }
  }
  results.consumer = consumer;
}

/**
 * The sweep's reads with many open dossiers and few due: `open` dossier items whose next check is
 * far ahead (written directly, as the consumer would leave them) and 10 real dossiers crossing a
 * threshold now.
 */
async function benchSweep(dynamo: RunningDynamo) {
  const { BatchWriteCommand } = await import("@aws-sdk/lib-dynamodb");
  const { applyEvent } = await import("../lib/apply");
  const { runSweep } = await import("../lib/sweep");
  const out: Record<string, unknown> = {};
  for (const open of [1_000, 10_000, 100_000]) {
    const table = await freshTable(dynamo);
    const doc = documentClient(table.client);
    const far = instant("2030-01-01T00:00:00+07:00");
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < open; i += 25) {
      const items = Array.from({ length: Math.min(25, open - i) }, (_, j) => ({
        PutRequest: {
          Item: {
            pk: `D#OPEN-${i + j}`,
            sk: "DOSSIER",
            dossierId: `OPEN-${i + j}`,
            version: 1,
            received: true,
            gsi1pk: `CHECK#${(i + j) % 4}`,
            nextCheckAt: far + i + j,
          },
        },
      }));
      writes.push(doc.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: items } })));
      if (writes.length >= 16) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    let clock = instant("2022-07-04T09:00:00+07:00");
    const deps: ApplyDeps = { store: table.store, settings, now: () => clock };
    for (let i = 0; i < 10; i++) {
      await applyEvent(deps, {
        eventId: `due-${i}`,
        type: "dossier.received",
        occurredAt: "2022-07-04T08:00:00+07:00",
        dossierId: `DUE-${i}`,
        data: { unitId: "phong-tnmt", procedureCode: "1.001990", channel: "direct", processingDays: 2 },
      });
    }
    clock = instant("2022-07-06T16:00:00+07:00");
    const before = table.store.consumed.itemsRead;
    const result = await runSweep(deps);
    const read = table.store.consumed.itemsRead - before;
    out[`open${open}`] = { itemsRead: read, transitions: result.raised, indexItems: result.indexItemsRead };
    row(
      `Sweep reads, ${open.toLocaleString("en")} open dossiers`,
      `${read} items read for ${result.raised} transitions of ${result.checked} dossiers`,
      `${open.toLocaleString("en")} open dossiers with a next check in 2030 plus 10 crossing their near-due threshold now; items returned by the sparse-index queries and the dossier reads of one sweep run`,
    );
  }
  results.sweep = out;
}

/** Each function bundled as the CDK stack bundles it, its size, and the time to import it cold. */
async function benchBundles() {
  const { build } = await import("esbuild");
  const { execFileSync } = await import("node:child_process");
  const { mkdirSync, readdirSync, statSync } = await import("node:fs");
  const outDir = join(ROOT, "cdk.out", "bench-bundles");
  mkdirSync(outDir, { recursive: true });
  const out: Record<string, unknown> = {};
  for (const file of readdirSync(join(ROOT, "functions"))
    .filter((f) => f.endsWith(".ts"))
    .sort()) {
    const name = file.replace(/\.ts$/, "");
    const outfile = join(outDir, `${name}.mjs`);
    await build({
      entryPoints: [join(ROOT, "functions", file)],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      minify: true,
      external: ["@aws-sdk/*"],
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
      outfile,
      logLevel: "silent",
    });
    const bytes = statSync(outfile).size;
    const env = {
      ...process.env,
      TABLE_NAME: "bench",
      EVENT_BUS_NAME: "bench",
      SENDER_ADDRESS: "a@example.org",
      AWS_REGION: "ap-southeast-1",
    };
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const script = `const t=performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now()-t)`;
      times.push(
        Number(
          execFileSync(process.execPath, ["--input-type=module", "-e", script], { env, cwd: ROOT })
            .toString()
            .trim(),
        ),
      );
    }
    times.sort((a, b) => a - b);
    const median = times[2] as number;
    out[name] = { bytes, coldImportMs: Number(median.toFixed(1)) };
    row(
      `Bundle: ${name}`,
      `${(bytes / 1024).toFixed(0)} KB minified; cold import ${median.toFixed(0)} ms${bytes > 400 * 1024 ? " (over the 400 KB budget)" : ""}`,
      "esbuild with the stack's options (ESM, node22, minified, AWS SDK external); import time of the bundle in a fresh Node process, median of 5, SDK from node_modules",
    );
  }
  results.bundles = out;
}

async function main() {
  await section("reference", benchReference);
  await section("bundles", benchBundles);
  let dynamo: RunningDynamo | undefined;
  await section("dynamodb", async () => {
    dynamo = await startDynamoDbLocal();
  });
  if (dynamo) {
    const running = dynamo;
    await section("consumer", () => benchConsumer(running));
    await section("sweep", () => benchSweep(running));
    await running.stop();
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
