import { Logger } from "@aws-lambda-powertools/logger";
import type { BatchGetItemCommandInput, TransactWriteItemsCommandInput } from "@aws-sdk/client-dynamodb";
import { atLeastOnce, deliver, sqsRecord } from "../../dev/local/delivery";
import { localDynamoClient, type RunningDynamo } from "../../dev/local/dynamodb-local";
import { LocalMetrics as Metrics } from "../../dev/local/metrics";
import { mulberry32 } from "../../dev/scenarios/rng";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import type { ConsumerDeps } from "../../functions/apply-events";
import { createTableInput } from "../../lib/adapters/dynamodb/table";
import { readKpiReport } from "../../lib/app/kpis";
import { computeReport } from "../../lib/domain/report";
import { billed, shapeOf, writeUnitsTotal } from "../billed";
import { freshTable, NOW, results, row, seedUnits, settings } from "../common";
import { jvmCompilerCpuReader, jvmCpuReader } from "../jvm";
import { drop, type Extra, extraCpu, READS, type ReadCommand, sendAll, type Write } from "../replay";

/** A write's conditions taken off: the floor writes what the consumer wrote, unchecked. */
function unconditional<T extends object>(request: T, tableName: string): T {
  const copy = structuredClone(request) as Record<string, unknown>;
  copy.TableName = tableName;
  delete copy.ConditionExpression;
  if (!("UpdateExpression" in copy)) {
    delete copy.ExpressionAttributeValues;
    delete copy.ExpressionAttributeNames;
  }
  return copy as T;
}

/** The consumer's writes that succeeded, made unconditional and pointed at another table. */
function rawCopies(writes: Write[], tableName: string): Write[] {
  return writes.map(({ command, input }) =>
    command === "PutItemCommand"
      ? { command, input: unconditional(input, tableName) }
      : {
          command,
          input: {
            TransactItems: (input as unknown as TransactWriteItemsCommandInput).TransactItems?.map(
              (item) => ({
                ...(item.Put && { Put: unconditional(item.Put, tableName) }),
                ...(item.Update && { Update: { ...structuredClone(item.Update), TableName: tableName } }),
              }),
            ),
          },
        },
  );
}

/**
 * Requests in flight the floor is replayed at, the fastest kept: the consumer's workers, and more,
 * since a consumer sends a batch's writes together (at the workers' count alone the floor was no
 * floor: ffeaa5f's consumer, batches of 10 with their dossiers at once, took its writes faster).
 */
const floorConcurrencies = (workers: number) => [...new Set([workers, 16, 64])];

/**
 * Seconds DynamoDB Local takes for `writes`, unconditional, into a fresh table, `inFlight` at a
 * time, and the CPU seconds it spends on them (where /proc tells).
 */
async function replayRaw(
  dynamo: RunningDynamo,
  writes: Write[],
  inFlight: number,
  cpu?: () => number,
): Promise<{ seconds: number; cpu?: number; nodeCpu: number }> {
  const table = await freshTable(dynamo);
  const queue = rawCopies(writes, table.tableName);
  const node0 = process.cpuUsage();
  const cpu0 = cpu?.();
  const t0 = performance.now();
  const refused = await sendAll(table.client, queue, inFlight);
  if (refused) throw new Error(`the floor's replay refused ${refused} writes`);
  const timed = {
    seconds: (performance.now() - t0) / 1000,
    cpu: cpu && cpu() - (cpu0 ?? 0),
    nodeCpu: cpuSeconds(process.cpuUsage(node0)),
  };
  await drop(table);
  return timed;
}

/**
 * The batch size apply-events is deployed with in the tree measured (infra/consumer-tuning.ts);
 * 10 in a tree older than that file (the base run's, bench/sections/base.ts), as it deployed.
 */
async function deployedBatchSize(): Promise<number> {
  const path = "../../infra/consumer-tuning";
  const tuning = (await import(path).catch(() => undefined)) as
    | { CONSUMER_TUNING: { batchSize: number } }
    | undefined;
  return tuning?.CONSUMER_TUNING.batchSize ?? 10;
}

/**
 * The seed's first events the consumer section delivers: several times what 16 workers hold at
 * once in batches of 100 (1,600 messages), so the run is a stream of batches and not one wave in
 * which every batch meets every other (1,500 were used before batches of 100).
 */
const CONSUMER_EVENTS = 6000;

/**
 * The untimed passes that warm DynamoDB Local's JVM before the consumer is timed: one at 4 workers,
 * then more at 16 while the JIT's compiler threads take more than `compilingShare` of the JVM's CPU
 * in a pass, `maxPasses` in all. One pass was not enough: at 16 workers the compilers still took
 * 3.1–3.8 s of a timed pass's 12–14 s (2026-12-06, /proc), against 0.9–1.1 s in the floor's
 * replays after it; after two more passes, 0.9–1.1 s in the consumer's too. About a tenth stays
 * (new paths keep being compiled), hence the threshold.
 */
const WARM_UP = { compilingShare: 0.15, maxPasses: 5 };

/** Seconds of a `process.cpuUsage()` difference (user + system, in microseconds). */
const cpuSeconds = ({ user, system }: NodeJS.CpuUsage) => (user + system) / 1e6;

const round2 = (o: Record<string, number>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number(v.toFixed(2))]));

/** The consumer's throughput at 1, 4 and 16 workers, against the storage floor. */
export async function benchConsumer(dynamo: RunningDynamo) {
  const { createHandler } = await import("../../functions/apply-events");
  const events = seed2022Q3().slice(0, CONSUMER_EVENTS);
  const delivery = atLeastOnce(mulberry32(3), events, 0.05);
  const consumer: Record<string, unknown> = {};
  const batchSize = await deployedBatchSize();
  // `BENCH_WORKERS=16`: one concurrency only (a trial run). Untimed passes first warm DynamoDB
  // Local's JVM (see WARM_UP): before them, the first consumer timed paid the JIT's compiling, which
  // the floor, always timed after it, did not.
  const only = Number(process.env.BENCH_WORKERS) || undefined;
  // Each concurrency the bench reports is timed in `repeatsOf` paired runs (the consumer, then its
  // own writes replayed), and the run with the median ratio is reported: the floor keeps the
  // fastest of its replays, so one consumer run against it put the machine's noise on one side
  // only (ratios at 16 workers moved from 0.53 to 0.79 between runs on one evening).
  const repeats = Math.max(1, Math.floor(Number(process.env.BENCH_REPEATS) || 3));
  const repeatsOf = (workers: number) => (workers === 1 ? 1 : repeats);
  const passes = [
    { workers: 4, warmUp: true },
    ...(only ? [only] : [1, 4, 16]).flatMap((workers) =>
      Array.from({ length: repeatsOf(workers) }, () => ({ workers, warmUp: false })),
    ),
  ];
  const runs = new Map<number, { ratio: number; emit: (ratios: number[]) => void }[]>();
  const cpu = jvmCpuReader(dynamo.port);
  const compiling = jvmCompilerCpuReader(dynamo.port);
  let warmUps = 0;
  for (let pass = passes.shift(); pass; pass = passes.shift()) {
    const { workers, warmUp } = pass;
    const table = await freshTable(dynamo);
    const captured: Write[] = [];
    const refused: Record<string, number> = {};
    const extra: Extra = { refused: [], reads: [] };
    // Requests are kept while the consumer runs only (not the check of its counters after, nor
    // the replays below, which go through this client too).
    let capturing = true;
    // The requests are kept by reference (the SDK leaves a request's input as it was; the floor
    // copies the writes after the run), and nothing is asked of DynamoDB that the consumer does not ask:
    // request units come from the billed run (benchSeedUnits), so that what is timed is the consumer.
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName;
        const input = (args as unknown as { input: Record<string, unknown> }).input;
        if (capturing && command && command in READS) {
          const batch = (input as unknown as BatchGetItemCommandInput).RequestItems;
          const [request] = Object.values(batch ?? {});
          extra.reads.push({
            command: command as ReadCommand,
            input,
            versionsOnly: command === "BatchGetItemCommand" && request?.ProjectionExpression !== undefined,
          });
        }
        if (!capturing || (command !== "TransactWriteItemsCommand" && command !== "PutItemCommand"))
          return next(args);
        try {
          const out = await next(args);
          // Only what was written: a refused write is the consumer's cost, not the storage's.
          captured.push({ command, input });
          return out;
        } catch (e) {
          refused[command] = (refused[command] ?? 0) + 1;
          extra.refused.push({ command, input });
          throw e;
        }
      },
      { step: "build", name: "capture" },
    );
    const deps: ConsumerDeps = { ...table.store, settings, units: seedUnits(), now: () => NOW };
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
    const node0 = process.cpuUsage();
    const cpu0 = cpu?.();
    const compiling0 = compiling?.();
    const t0 = performance.now();
    const outcome = await deliver(make, records, { workers, batchSize });
    const seconds = (performance.now() - t0) / 1000;
    const consumerCpu = cpu && cpu() - (cpu0 ?? 0);
    // This process's CPU: the handlers' (and their SDK clients'), on the same two cores as the JVM.
    const consumerNodeCpu = cpuSeconds(process.cpuUsage(node0));
    const compilingCpu = compiling && compiling() - (compiling0 ?? 0);
    capturing = false;
    const report = await readKpiReport(table.store.counters, SEED_PERIOD, { asOf: NOW });
    const check = computeReport(events, settings, { period: SEED_PERIOD, asOf: NOW });
    if (JSON.stringify(report.byUnit) !== JSON.stringify(check.byUnit))
      throw new Error("counters differ from the reference");
    // The seed itself repeats some events (at-least-once delivery): count distinct events.
    const applied = new Set(events.map((e) => e.eventId)).size;
    if (warmUp) {
      await drop(table);
      warmUps++;
      // Another untimed pass, at the most workers timed, while the JIT still compiles much.
      const share = consumerCpu && compilingCpu !== undefined ? compilingCpu / consumerCpu : 0;
      if (share > WARM_UP.compilingShare && warmUps < WARM_UP.maxPasses)
        passes.unshift({ workers: only ?? 16, warmUp: true });
      continue;
    }

    const writes = captured.length;
    const transactions = captured.filter((w) => w.command === "TransactWriteItemsCommand").length;
    const replays = new Map<number, { seconds: number; cpu?: number; nodeCpu: number }>();
    for (const inFlight of floorConcurrencies(workers))
      replays.set(inFlight, await replayRaw(dynamo, captured, inFlight, cpu));
    const floors = new Map([...replays].map(([n, r]) => [n, r.seconds]));
    const [floorInFlight, floorSeconds] = [...floors].reduce((a, b) => (b[1] < a[1] ? b : a));
    const floorCpu = replays.get(floorInFlight)?.cpu;
    const floorNodeCpu = replays.get(floorInFlight)?.nodeCpu ?? 0;
    const extraCpus = cpu && workers === 16 ? await extraCpu(table.client, extra, cpu) : undefined;
    await drop(table);
    const eventsPerSecond = applied / seconds;
    // The floor: the same events' writes, as fast as the storage takes them alone. The ratio is the
    // time they take ÷ the time the consumer takes (1: the consumer adds nothing to its writes).
    const floorEventsPerSecond = applied / floorSeconds;
    const ratio = floorSeconds / seconds;
    const emit = (ratios: number[]) => {
      const runsText =
        ratios.length > 1
          ? `; the median of ${ratios.length} paired runs (ratios ${ratios.map((r) => r.toFixed(2)).join(", ")})`
          : "";
      consumer[`workers${workers}`] = {
        ratioToFloorRuns: ratios.map((r) => Number(r.toFixed(2))),
        deliveries: records.length,
        applied,
        batchSize,
        floorWrites: writes,
        floorTransactions: transactions,
        seconds: Number(seconds.toFixed(2)),
        floorSeconds: Number(floorSeconds.toFixed(2)),
        floorInFlight,
        floorSecondsByInFlight: Object.fromEntries([...floors].map(([n, t]) => [n, Number(t.toFixed(2))])),
        eventsPerSecond: Math.round(eventsPerSecond),
        floorEventsPerSecond: Math.round(floorEventsPerSecond),
        ratioToFloor: Number(ratio.toFixed(2)),
        refusedRequests: refused,
        invocations: outcome.invocations,
        handlerMsPerInvocation: Number((handlerMs / outcome.invocations).toFixed(1)),
        handlerMsPerEvent: Number((handlerMs / applied).toFixed(2)),
        redelivered: outcome.redelivered,
        warmUpPasses: warmUps,
        ...(compilingCpu !== undefined && { jvmCompilingCpuSeconds: Number(compilingCpu.toFixed(2)) }),
        ...(consumerCpu !== undefined &&
          floorCpu !== undefined &&
          extraCpus && {
            dynamoDbLocalCpuSeconds: round2({
              consumer: consumerCpu,
              floor: floorCpu,
              refusedWrites: extraCpus.refusedWrites,
              dossierReads: extraCpus.dossierReads,
              versionChecks: extraCpus.versionChecks,
            }),
            nodeCpuSeconds: round2({ consumer: consumerNodeCpu, floor: floorNodeCpu }),
            refusedWritesRefusedAgain: extraCpus.refusedAgain,
          }),
      };
      row(
        `Consumer, ${workers} worker${workers > 1 ? "s" : ""}`,
        `${Math.round(eventsPerSecond)} events/s; storage floor ${Math.round(floorEventsPerSecond)} events/s; ratio ${ratio.toFixed(2)}`,
        `${records.length} SQS messages (${applied} seed events, 5% duplicated, shuffled) through the apply-events handler in batches of ${batchSize} (as deployed) against DynamoDB Local; floor = the ${writes} writes the consumer made (${transactions} transactions, the rest single puts; refused ones left out) replayed raw, without conditions, into a fresh table at ${[...floors.keys()].join(", ")} requests in flight, the fastest kept (${floorInFlight}); ratio = floor time ÷ consumer time${runsText}; after ${warmUps} untimed pass${warmUps > 1 ? "es" : ""} warming DynamoDB Local's JVM (one at 4 workers, the others at 16, until its JIT compiling took at most ${WARM_UP.compilingShare * 100} % of its CPU in a pass, or ${WARM_UP.maxPasses} passes)${compilingCpu !== undefined && consumerCpu ? `; the JIT took ${compilingCpu.toFixed(1)} s of the JVM's ${consumerCpu.toFixed(1)} s of CPU in this pass` : ""}`,
      );
      if (workers === 16 && consumerCpu !== undefined && floorCpu !== undefined && extraCpus) {
        const { refusedWrites, dossierReads, versionChecks } = extraCpus;
        const rest = consumerCpu - floorCpu - refusedWrites - dossierReads - versionChecks;
        row(
          "Consumer, 16 workers: DynamoDB Local's CPU",
          `${consumerCpu.toFixed(1)} s for the consumer, ${floorCpu.toFixed(1)} s for its floor; of the difference, refused writes ${refusedWrites.toFixed(1)} s, dossier reads ${dossierReads.toFixed(1)} s, version checks ${versionChecks.toFixed(1)} s, the rest ${rest.toFixed(1)} s; the bench's Node process meanwhile ${consumerNodeCpu.toFixed(1)} s and ${floorNodeCpu.toFixed(1)} s`,
          `CPU time (user + system, /proc) of the DynamoDB Local process during the consumer's pass above (the median run) and during its floor's fastest replay; then each kind of request the consumer made beyond its successful writes sent again, 16 at a time, against the table it left (${extra.refused.length} refused writes, ${extraCpus.refusedAgain} of them refused again; ${extra.reads.filter((r) => !r.versionsOnly).length} reads of dossiers; ${extra.reads.filter((r) => r.versionsOnly).length} reads of versions only); DynamoDB Local works on about one core here, so its CPU time says what each kind costs it; the Node process (the handlers and their SDK clients, or the replay's sender) shares the machine's two cores with it, which on AWS it would not`,
        );
      }
      if (workers === 1)
        // One execution environment at a time, as each Lambda one has its own CPU: the handler's
        // duration per event, which the cost per million events bills.
        results.lambdaApply = {
          invocations: outcome.invocations,
          applied,
          deliveries: records.length,
          handlerMsPerEvent: handlerMs / applied,
        };
    };
    const done = [...(runs.get(workers) ?? []), { ratio, emit }];
    runs.set(workers, done);
    if (done.length < repeatsOf(workers)) continue;
    const sorted = [...done].sort((a, b) => a.ratio - b.ratio);
    sorted[Math.floor(sorted.length / 2)]?.emit(done.map((r) => r.ratio));
    runs.delete(workers);
  }
  results.consumer = consumer;
}

/**
 * Execution environments at once for the billed run. Sixteen (the consumer's maximum concurrency)
 * with the billing's side reads queue requests long enough here to pass the handler's 30-second
 * budget; the units hardly depend on it (only the share of refused transactions does).
 */
const SEED_WORKERS = 4;

/**
 * The whole seed scenario, or its first `BENCH_SEED_EVENTS` events for a shorter run (every event of the quarter, with its own repeats and late arrivals)
 * through the apply-events handler, billed item by item (bench/billed.ts): request units per
 * applied event as DynamoDB bills them, which the cost per million events uses. Not a speed figure:
 * the billing reads every written item's size on the side.
 */
export async function benchSeedUnits(
  dynamo: RunningDynamo,
  options: { workers?: number; limit?: number; batchSize?: number } = {},
) {
  const { createHandler } = await import("../../functions/apply-events");
  const workers = options.workers ?? SEED_WORKERS;
  const batchSize = options.batchSize ?? (Number(process.env.BENCH_BATCH) || (await deployedBatchSize()));
  const limit = options.limit ?? (Number(process.env.BENCH_SEED_EVENTS) || undefined);
  const events = seed2022Q3().slice(0, limit);
  const table = await freshTable(dynamo);
  const bill = billed(
    table.client,
    shapeOf(createTableInput(table.tableName)),
    localDynamoClient(dynamo.endpoint),
  );
  const deps: ConsumerDeps = { ...table.store, settings, units: seedUnits(), now: () => NOW };
  const make = () =>
    createHandler(deps, new Logger({ logLevel: "SILENT" }), new Metrics({ namespace: "bench" })) as never;
  const records = events.map((e) => sqsRecord(e));
  const t0 = performance.now();
  await deliver(make, records, { workers, batchSize });
  const seconds = (performance.now() - t0) / 1000;
  const report = await readKpiReport(table.store.counters, SEED_PERIOD, { asOf: NOW });
  const check = computeReport(events, settings, { period: SEED_PERIOD, asOf: NOW });
  if (JSON.stringify(report.byUnit) !== JSON.stringify(check.byUnit))
    throw new Error("counters differ from the reference");
  const applied = new Set(events.map((e) => e.eventId)).size;
  const per = (x: number) => Number((x / applied).toFixed(3));
  const refused = Object.values(bill.refused).reduce((a, b) => a + b, 0);
  results.units = {
    deliveries: records.length,
    applied,
    writeUnitsPerEvent: writeUnitsTotal(bill) / applied,
    readUnitsPerEvent: bill.readUnits / applied,
    breakdownPerEvent: {
      tableWrite: per(bill.tableWriteUnits - bill.refusedWriteUnits),
      refusedWrite: per(bill.refusedWriteUnits),
      indexWrite: Object.fromEntries(Object.entries(bill.indexWriteUnits).map(([k, v]) => [k, per(v)])),
      localReportedWrite: per(bill.localReportedWriteUnits),
    },
    requestsPerEvent: Object.fromEntries(Object.entries(bill.requests).map(([k, v]) => [k, per(v)])),
    refused: bill.refused,
    batchSize,
    seconds: Number(seconds.toFixed(1)),
  };
  const b = results.units as { breakdownPerEvent: { indexWrite: Record<string, number> } };
  const index = Object.entries(b.breakdownPerEvent.indexWrite)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(", ");
  row(
    "DynamoDB request units per applied event, seed scenario",
    `${(writeUnitsTotal(bill) / applied).toFixed(2)} write (6.25 before the cost work, as DynamoDB Local reported them), ${(bill.readUnits / applied).toFixed(2)} read`,
    `billed item by item from the items' sizes (bench/billed.ts: 1 KB per write unit, ×2 in a transaction, 4 KB per read unit, index writes, refused requests billed) while the apply-events handler took ${limit ? "the first" : "all"} ${records.length.toLocaleString("en")} events of the seed quarter (${applied.toLocaleString("en")} distinct, the rest its own repeats; ${workers} workers, batches of ${batchSize} as deployed), divided by the events applied; per event: table ${per(bill.tableWriteUnits - bill.refusedWriteUnits).toFixed(2)}, refused requests ${per(bill.refusedWriteUnits).toFixed(2)} (${refused} requests), indexes ${index}; DynamoDB Local reported ${per(bill.localReportedWriteUnits).toFixed(2)} write units for the same requests; the counters then equal the reference`,
  );
}
