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
import {
  documentClient,
  ensureTable,
  localDynamoClient,
  type RunningDynamo,
  startDynamoDbLocal,
} from "../dev/local/dynamodb-local";
import { mulberry32 } from "../dev/scenarios/rng";
import { SEED_PERIOD, seed2022Q3 } from "../dev/scenarios/seed-2022-q3";
import { DossierStore } from "../lib/adapters/dynamodb/repository";
import type { ApplyDeps } from "../lib/app/apply";
import { periodReport } from "../lib/app/kpi-report";
import { readKpiReport } from "../lib/app/kpis";
import { WorkingCalendar } from "../lib/domain/calendar/calendar";
import { catalogOf } from "../lib/domain/catalog";
import type { CountingSettings } from "../lib/domain/counting";
import type { DossierEvent } from "../lib/domain/events/schema";
import { computeReport } from "../lib/domain/report";
import { instant } from "../lib/domain/time";
import { parseUnitDirectory, UnitDirectory } from "../lib/domain/units";
import { atLeastOnce, deliver, sqsRecord } from "../tests/helpers/delivery";
import { meter } from "./capacity";
import { PRICES } from "./prices";

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

/** `npm run bench -- kpiReads http`: only those sections, and nothing written (a trial run). */
const only = process.argv.slice(2);

async function section(name: string, run: () => Promise<void>) {
  if (only.length > 0 && !only.includes(name)) return;
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

/** The sample directory: the consumer refuses units it does not have, and it holds the seed's. */
function seedUnits(): UnitDirectory {
  const file = parseUnitDirectory(
    JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")),
  );
  return new UnitDirectory(file.units, file.leadership, file.integrations);
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
    const units = meter(table.client);
    const deps: ApplyDeps = { store: table.store, settings, units: seedUnits(), now: () => NOW };
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
      writeUnitsPerEvent: Number((units.writeUnits / applied).toFixed(2)),
      readUnitsPerEvent: Number((units.readUnits / applied).toFixed(2)),
      itemsReadPerDelivery: Number((reads.itemsRead / records.length).toFixed(2)),
      refusedRequests: units.refused,
      invocations: outcome.invocations,
      handlerMsPerInvocation: Number((handlerMs / outcome.invocations).toFixed(1)),
      handlerMsPerEvent: Number((handlerMs / applied).toFixed(2)),
      redelivered: outcome.redelivered,
    };
    row(
      `Consumer, ${workers} worker${workers > 1 ? "s" : ""}`,
      `${Math.round(eventsPerSecond)} events/s; storage floor ${Math.round(floorPerSecond)} tx/s; ratio ${(eventsPerSecond / floorPerSecond).toFixed(2)}`,
      `${records.length} SQS messages (${applied} seed events, 5% duplicated, shuffled) through the apply-events handler in batches of 10 against DynamoDB Local; floor = the same ${transactions} transactions replayed raw, without conditions, at the same concurrency`,
    );
    if (workers === 1)
      // One execution environment at a time, as each Lambda one has its own CPU: the handler's
      // duration per event, which the cost per million events bills.
      results.lambdaApply = {
        invocations: outcome.invocations,
        applied,
        deliveries: records.length,
        handlerMsPerEvent: handlerMs / applied,
      };
  }
  results.consumer = consumer;
}

/**
 * The whole seed scenario (every event of the quarter, with its own repeats and late arrivals)
 * through the apply-events handler, metered: request units per applied event as DynamoDB bills
 * them, which the cost per million events uses.
 */
async function benchSeedUnits(dynamo: RunningDynamo) {
  const { createHandler } = await import("../functions/apply-events");
  const events = seed2022Q3();
  const table = await freshTable(dynamo);
  const units = meter(table.client);
  const deps: ApplyDeps = { store: table.store, settings, units: seedUnits(), now: () => NOW };
  const make = () =>
    createHandler(deps, new Logger({ logLevel: "SILENT" }), new Metrics({ namespace: "bench" })) as never;
  const records = events.map((e) => sqsRecord(e));
  await deliver(make, records, { workers: 16 });
  const report = await readKpiReport(table.store, SEED_PERIOD, { asOf: NOW });
  const check = computeReport(events, settings, { period: SEED_PERIOD, asOf: NOW });
  if (JSON.stringify(report.byUnit) !== JSON.stringify(check.byUnit))
    throw new Error("counters differ from the reference");
  const applied = new Set(events.map((e) => e.eventId)).size;
  const refused = Object.values(units.refused).reduce((a, b) => a + b, 0);
  results.units = {
    deliveries: records.length,
    applied,
    writeUnitsPerEvent: units.writeUnits / applied,
    readUnitsPerEvent: units.readUnits / applied,
    refused: units.refused,
  };
  row(
    "DynamoDB request units per applied event, seed scenario",
    `${(units.writeUnits / applied).toFixed(2)} write, ${(units.readUnits / applied).toFixed(2)} read`,
    `as DynamoDB bills them: the ConsumedCapacity DynamoDB Local returned for every request while the apply-events handler took all ${records.length.toLocaleString("en")} events of the seed quarter (${applied.toLocaleString("en")} distinct, the rest its own repeats; 16 workers, batches of 10), divided by the events applied; the counters then equal the reference; the ${refused} refused requests (repeats, version conflicts) are billed too but return no figure, so this is a lower bound`,
  );
}

/**
 * The sweep's reads with many open dossiers and few due: `open` dossier items whose next check is
 * far ahead (written directly, as the consumer would leave them) and 10 real dossiers crossing a
 * threshold now.
 */
async function benchSweep(dynamo: RunningDynamo) {
  const { BatchWriteCommand } = await import("@aws-sdk/lib-dynamodb");
  const { applyEvent } = await import("../lib/app/apply");
  const { runSweep } = await import("../lib/app/sweep");
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

/** The seed's events under other ids, so that several seeds can share one table. */
function relabelled(events: readonly DossierEvent[], prefix: string): DossierEvent[] {
  return events.map((e) => ({
    ...e,
    eventId: `${prefix}${e.eventId}`,
    dossierId: `${prefix}${e.dossierId}`,
  }));
}

/**
 * Items read to produce a quarter's KPIs at about 5k and 50k dossiers: the counters are one item
 * per unit and per domain, so the figure should not move with the number of dossiers. The table is
 * filled as the consumer leaves it (dossier items and the period's counter items, written in bulk
 * from the reference's counts, which is checked against the report read back).
 */
async function benchKpiReads(dynamo: RunningDynamo) {
  const { BatchWriteCommand } = await import("@aws-sdk/lib-dynamodb");
  const { groupByDossier, projectDossier } = await import("../lib/domain/projection");
  const { addContribution, contribution, emptyPeriodCounts } = await import("../lib/domain/report");
  const { periodBounds } = await import("../lib/domain/periods");
  const out: Record<string, unknown> = {};
  for (const replicas of [1, 10]) {
    const table = await freshTable(dynamo);
    const doc = documentClient(table.client);
    const events = Array.from({ length: replicas }, (_, i) =>
      relabelled(seed2022Q3({ seed: i + 1 }), `R${i + 1}-`),
    ).flat();
    const T = Math.min(NOW, periodBounds(SEED_PERIOD).end);
    const counts = emptyPeriodCounts();
    const items: Record<string, unknown>[] = [];
    for (const [dossierId, list] of groupByDossier(events)) {
      const state = projectDossier(dossierId, list, settings, T);
      const c = contribution(state, SEED_PERIOD, T);
      if (c) addContribution(counts, c);
      items.push({
        pk: `D#${dossierId}`,
        sk: "DOSSIER",
        dossierId,
        version: list.length,
        received: state.received,
      });
    }
    for (const [key, map] of [
      ["U#", counts.byUnit],
      ["M#", counts.byDomain],
    ] as const)
      for (const [name, c] of map) items.push({ pk: `K#${SEED_PERIOD.name}`, sk: `${key}${name}`, ...c });
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < items.length; i += 25) {
      const chunk = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      writes.push(doc.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: chunk } })));
      if (writes.length >= 16) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    const units = meter(table.client);
    const before = table.store.consumed.itemsRead;
    // What GET /kpis, GET /kpis/export and `report --api` read.
    const report = await periodReport(
      {
        store: table.store,
        calendar: settings.calendar,
        scheme: settings.scheme,
        units: new UnitDirectory([], []),
        now: () => NOW,
      },
      SEED_PERIOD,
    );
    const read = table.store.consumed.itemsRead - before;
    const check = computeReport(events, settings, { period: SEED_PERIOD, asOf: NOW });
    if (JSON.stringify(report.byUnit) !== JSON.stringify(check.byUnit))
      throw new Error("the counters written differ from the reference");
    const requests = Object.values(units.requests).reduce((a, b) => a + b, 0);
    const dossiers = groupByDossier(events).size;
    out[`dossiers${dossiers}`] = {
      dossiers,
      received: report.received.total,
      itemsRead: read,
      requests,
      readUnits: units.readUnits,
    };
    row(
      `Items read for a quarter's KPIs, ${dossiers.toLocaleString("en")} dossiers`,
      `${read} items, ${requests} requests, ${units.readUnits} read unit${units.readUnits === 1 ? "" : "s"}`,
      `the report GET /kpis and report --api serve (the period's counters, and the issued report if the period is closed; the KPI email reads the same plus the previous period's counters and the longest-overdue dossiers from the SLA index) on a table holding ${dossiers.toLocaleString("en")} dossier items (${replicas} seed quarter${replicas > 1 ? "s" : ""} under distinct ids, ${report.received.total.toLocaleString("en")} received) and the period's counters`,
    );
  }
  results.kpiReads = out;
}

/** The load test's stated rate: requests per second, for this many seconds. */
const LOAD = { rate: 40, seconds: 15 };

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * The ingest-api handler alone: batches of 100 events through the same code as POST /events
 * (authentication, rate count, validation, the duplicate lookup) against DynamoDB Local, publishing
 * to a bus that only counts. Its duration is what an ingest-api invocation is billed for.
 */
async function benchIngestHandler(dynamo: RunningDynamo) {
  const { handleIngest } = await import("../lib/http/ingest-api");
  const { createApiKey } = await import("../lib/http/auth");
  const table = await freshTable(dynamo);
  const key = await createApiKey(table.store, {
    name: "bench",
    role: "integration",
    source: "bench",
    ratePerSecond: 1_000_000,
  });
  const events = relabelled(seed2022Q3({ seed: 33 }), "I-").slice(0, 3000);
  const last = Math.max(...events.map((e) => instant(e.occurredAt)));
  let published = 0;
  const deps = {
    store: table.store,
    publish: async (entries: unknown[]) => {
      published += entries.length;
      return { failed: [] };
    },
    now: () => last + 3_600_000,
  };
  const ms: number[] = [];
  for (let i = 0; i < events.length; i += 100) {
    const body = JSON.stringify({ events: events.slice(i, i + 100) });
    const t = performance.now();
    const res = await handleIngest(deps, {
      version: "2.0",
      rawPath: "/events",
      headers: { authorization: `Bearer ${key}` },
      body,
      isBase64Encoded: false,
      requestContext: { http: { method: "POST" } },
    } as never);
    ms.push(performance.now() - t);
    if (res.statusCode !== 200) throw new Error(`ingest answered ${res.statusCode}`);
  }
  // The seed repeats some events (at-least-once delivery): a repeat in the same batch is answered
  // duplicate; one in a later batch is published again, as nothing applies them here (the
  // consumer would have stored the first), and the consumer drops it.
  const distinct = new Set(events.map((e) => `${e.dossierId}\u0000${e.eventId}`)).size;
  if (published < distinct || published > events.length)
    throw new Error(`${published} published for ${distinct} distinct events`);
  ms.sort((a, b) => a - b);
  results.ingestHandler = {
    batches: ms.length,
    batchSize: 100,
    p50Ms: percentile(ms, 50),
    p99Ms: percentile(ms, 99),
  };
  row(
    "ingest-api handler, batch of 100 events",
    `p50 ${percentile(ms, 50).toFixed(0)} ms, p99 ${percentile(ms, 99).toFixed(0)} ms`,
    `${ms.length} batches of the seed's events through handleIngest (key check, rate count, validation, duplicate lookup) against DynamoDB Local, in-process, the bus only counting`,
  );
}

/**
 * The local stack as `npm start` runs it (one process: API, bus, queue, consumer), over HTTP on
 * loopback. Throughput: events posted in batches of 100 by 4 clients, then until the queue is
 * drained. Load: single-event POSTs at a fixed rate, latency percentiles and errors.
 */
async function benchHttp(dynamo: RunningDynamo) {
  const { DemoClock, startLocalStack } = await import("../dev/local/stack");
  const { parseUnitDirectory } = await import("../lib/domain/units");
  const directory = parseUnitDirectory(
    JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")),
  );
  const events = relabelled(seed2022Q3({ seed: 31 }), "H-").slice(0, 3000);
  const load = relabelled(seed2022Q3({ seed: 32 }), "L-").slice(0, LOAD.rate * LOAD.seconds);
  // The API refuses events from more than 5 minutes ahead of its clock: start it after the last one.
  const last = Math.max(...[...events, ...load].map((e) => instant(e.occurredAt)));
  const clock = new DemoClock(last + 3_600_000, 1);
  const stack = await startLocalStack({
    env: { PERIOD_SCHEME: JSON.stringify(settings.scheme) },
    clock,
    directory,
    senderAddress: "bench@ubnd.example.org",
    dynamoEndpoint: dynamo.endpoint,
    tableName: `bench-http-${process.pid}`,
    seed: true,
    replaySeed: false,
  });
  try {
    const key = stack.keys?.integration as string;
    const failures: string[] = [];
    const post = async (body: string) => {
      const t = performance.now();
      try {
        const res = await fetch(`${stack.urls.api}/events`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
          body,
        });
        const text = await res.text();
        if (res.status !== 200) failures.push(`${res.status} ${text.slice(0, 300)}`);
        return { status: res.status, ms: performance.now() - t };
      } catch (e) {
        failures.push(`no answer: ${(e as Error).message}`);
        return { status: 0, ms: performance.now() - t };
      }
    };

    // Throughput.
    const batches: string[] = [];
    for (let i = 0; i < events.length; i += 100)
      batches.push(JSON.stringify({ events: events.slice(i, i + 100) }));
    const batchMs: number[] = [];
    let failed = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let b = batches.shift(); b; b = batches.shift()) {
          const r = await post(b);
          batchMs.push(r.ms);
          if (r.status !== 200) failed++;
        }
      }),
    );
    const acceptedSeconds = (performance.now() - t0) / 1000;
    await stack.drain();
    const appliedSeconds = (performance.now() - t0) / 1000;
    const report = await readKpiReport(stack.store, SEED_PERIOD, { asOf: clock.now() });
    const check = computeReport(events, settings, { period: SEED_PERIOD, asOf: clock.now() });
    if (JSON.stringify(report.byUnit) !== JSON.stringify(check.byUnit))
      throw new Error("counters after HTTP ingestion differ from the reference");
    batchMs.sort((a, b) => a - b);
    for (const f of new Set(failures)) console.log(`  failed request: ${f}`);
    results.http = {
      events: events.length,
      batchSize: 100,
      clients: 4,
      failedRequests: failed,
      acceptedEventsPerSecond: Math.round(events.length / acceptedSeconds),
      appliedEventsPerSecond: Math.round(events.length / appliedSeconds),
      batchLatencyMs: { p50: percentile(batchMs, 50), p99: percentile(batchMs, 99) },
    };
    row(
      "HTTP ingestion, local stack",
      `${Math.round(events.length / acceptedSeconds)} events/s accepted; ${Math.round(events.length / appliedSeconds)} events/s applied end to end`,
      `${events.length.toLocaleString("en")} seed events POSTed to /events in batches of 100 by 4 clients on loopback (${failed} failed); applied = until the local queue drained and the counters equal the reference; one Node process runs API, bus and consumer (4 workers), DynamoDB Local beside it`,
    );

    // Load at a stated rate.
    const { rate, seconds } = LOAD;
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    const started = performance.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < load.length; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inflight.push(
        post(JSON.stringify(load[i])).then((r) => {
          latencies.push(r.ms);
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        }),
      );
    }
    await Promise.all(inflight);
    const offeredSeconds = (performance.now() - started) / 1000;
    await stack.drain();
    latencies.sort((a, b) => a - b);
    const errors = load.length - (statuses["200"] ?? 0);
    const pct = {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? 0,
    };
    results.load = { rate, seconds, requests: load.length, offeredSeconds, statuses, errors, latencyMs: pct };
    const f = (n: number) => n.toFixed(0);
    row(
      `Load test, ${rate} requests/s for ${seconds} s`,
      `p50 ${f(pct.p50)} ms, p90 ${f(pct.p90)} ms, p99 ${f(pct.p99)} ms, max ${f(pct.max)} ms; ${errors} errors in ${load.length} requests`,
      `open loop on loopback: one event per POST /events at a fixed ${rate}/s (under the demo key's 50/s limit) while the consumer applies them; latency = request sent to answer read; errors = any answer but 200 (${Object.entries(
        statuses,
      )
        .map(([k, v]) => `${k === "0" ? "no answer" : k}: ${v}`)
        .join(", ")})`,
    );
  } finally {
    await stack.stop();
  }
}

/**
 * Cost per million events at the published on-demand prices, for the seed scenario: the path from
 * the bus on (EventBridge, its archive, SQS, the apply-events Lambda at the duration measured here,
 * DynamoDB), and what posting over HTTP in batches of 100 adds.
 */
function benchCost() {
  const units = results.units as { writeUnitsPerEvent: number; readUnitsPerEvent: number } | undefined;
  const lambda = results.lambdaApply as
    | { invocations: number; applied: number; deliveries: number; handlerMsPerEvent: number }
    | undefined;
  if (!units || !lambda) throw new Error("needs the consumer and seedUnits sections' figures");
  const memoryGb = 512 / 1024;
  const envelopeBytes =
    seed2022Q3()
      .slice(0, 2000)
      .reduce(
        (s, e) =>
          s + Buffer.byteLength(JSON.stringify({ detail: e, source: "x", "detail-type": e.type })) + 250,
        0,
      ) / 2000;
  const perEvent = {
    eventBridge: PRICES.eventBridgeEvent,
    archive: (envelopeBytes / 1e9) * PRICES.eventBridgeArchiveGb,
    // EventBridge's send, then the poller's receive and delete per batch of 10; redeliveries add.
    sqs: (lambda.deliveries / lambda.applied + (2 * lambda.invocations) / lambda.applied) * PRICES.sqsRequest,
    lambda:
      (lambda.invocations / lambda.applied) * PRICES.lambdaRequest +
      memoryGb * (lambda.handlerMsPerEvent / 1000) * PRICES.lambdaArmGbSecond,
    dynamoDb:
      units.writeUnitsPerEvent * PRICES.dynamoWriteRequestUnit +
      units.readUnitsPerEvent * PRICES.dynamoReadRequestUnit,
  };
  const total = Object.values(perEvent).reduce((a, b) => a + b, 0);
  const ingest = results.ingestHandler as { p50Ms?: number } | undefined;
  const httpPerEvent =
    typeof ingest?.p50Ms === "number"
      ? PRICES.httpApiRequest / 100 +
        PRICES.lambdaRequest / 100 +
        (memoryGb * (ingest.p50Ms / 1000) * PRICES.lambdaArmGbSecond) / 100
      : undefined;
  const perMillion = (x: number) => x * 1e6;
  results.cost = {
    prices: PRICES,
    perMillionEvents: Object.fromEntries(
      Object.entries(perEvent).map(([k, v]) => [k, Number(perMillion(v).toFixed(3))]),
    ),
    totalPerMillionEvents: Number(perMillion(total).toFixed(2)),
    httpIngestionPerMillionEvents:
      httpPerEvent === undefined ? null : Number(perMillion(httpPerEvent).toFixed(2)),
  };
  const usd = (x: number) => `$${perMillion(x).toFixed(2)}`;
  row(
    "Cost per million events (bus → DynamoDB)",
    `${usd(total)}: DynamoDB ${usd(perEvent.dynamoDb)}, EventBridge ${usd(perEvent.eventBridge + perEvent.archive)}, SQS ${usd(perEvent.sqs)}, Lambda ${usd(perEvent.lambda)}`,
    `published on-demand prices for ${PRICES.region} (bench/prices.ts) × the units measured above: request units per event, 1 custom event + archive per event, SQS send + receive/delete per batch, apply-events at 512 MB Arm for the handler time measured with one worker against DynamoDB Local (${lambda.handlerMsPerEvent.toFixed(1)} ms per event; slower than DynamoDB, so an upper bound), invocations per event as delivered in batches of 10`,
  );
  const quarter = seed2022Q3().length;
  row(
    "Cost of the seed quarter's events",
    `$${(quarter * total).toFixed(2)}`,
    `the ${quarter.toLocaleString("en")} events of the seed quarter (one district office, 5,520 dossiers received) at the cost per event above; schedules, emails, storage and the free tiers left out`,
  );
  if (httpPerEvent !== undefined)
    row(
      "Cost per million events posted over HTTP (added)",
      usd(httpPerEvent),
      "HTTP API request + ingest-api invocation per batch of 100 events, billed for the handler's median duration measured above (against DynamoDB Local)",
    );
}

async function main() {
  await section("reference", benchReference);
  await section("bundles", benchBundles);
  let dynamo: RunningDynamo | undefined;
  try {
    dynamo = await startDynamoDbLocal();
  } catch (e) {
    console.log(`DynamoDB Local: not started (${(e as Error).message}); its sections are not measured`);
    results.dynamodb = { error: (e as Error).message };
  }
  if (dynamo) {
    const running = dynamo;
    await section("consumer", () => benchConsumer(running));
    await section("seedUnits", () => benchSeedUnits(running));
    await section("sweep", () => benchSweep(running));
    await section("kpiReads", () => benchKpiReads(running));
    await section("ingestHandler", () => benchIngestHandler(running));
    await section("http", () => benchHttp(running));
    await running.stop();
  }
  await section("cost", async () => benchCost());
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
