import { Logger } from "@aws-lambda-powertools/logger";
import { deliver, sqsRecord } from "../../dev/local/delivery";
import type { RunningDynamo } from "../../dev/local/dynamodb-local";
import { LocalMetrics as Metrics } from "../../dev/local/metrics";
import { seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import type { ConsumerDeps } from "../../functions/apply-events";
import { meter } from "../capacity";
import { freshTable, NOW, results, row, seedUnits, settings } from "../common";
import { PRICES } from "../prices";
import type { LambdaFigures } from "./cost";

/** Batch sizes tried (SQS to Lambda allows 1–10 without a batching window, up to 10,000 with one). */
const SIZES = [1, 10, 25, 100];
/** Memory sizes priced. */
const MEMORIES = [256, 512, 1024];
/** Lambda gives a function one vCPU at 1,769 MB, CPU in proportion below (AWS Lambda "Configuring memory"). */
const FULL_VCPU_MB = 1769;
/** Events per trial: the seed's first, the same for every batch size. */
const EVENTS = 600;

interface Trial {
  batchSize: number;
  invocations: number;
  msPerInvocation: number;
  msPerEvent: number;
  cpuMsPerEvent: number;
  refusedPerEvent: number;
}

/** One batch size: the seed's first events through the handler, one execution environment. */
async function trial(dynamo: RunningDynamo, batchSize: number): Promise<Trial> {
  const { createHandler } = await import("../../functions/apply-events");
  const events = seed2022Q3().slice(0, EVENTS);
  const table = await freshTable(dynamo);
  const units = meter(table.client);
  const deps: ConsumerDeps = { ...table.store, settings, units: seedUnits(), now: () => NOW };
  let wallMs = 0;
  let cpuUs = 0;
  const make = () => {
    const h = createHandler(deps, new Logger({ logLevel: "SILENT" }), new Metrics({ namespace: "bench" }));
    return (async (event: never, context: never) => {
      const t = performance.now();
      const c = process.cpuUsage();
      const out = await h(event, context);
      const used = process.cpuUsage(c);
      cpuUs += used.user + used.system;
      wallMs += performance.now() - t;
      return out;
    }) as never;
  };
  const outcome = await deliver(
    make,
    events.map((e) => sqsRecord(e)),
    { workers: 1, batchSize },
  );
  const applied = new Set(events.map((e) => e.eventId)).size;
  const refused = Object.values(units.refused).reduce((a, b) => a + b, 0);
  return {
    batchSize,
    invocations: outcome.invocations,
    msPerInvocation: Number((wallMs / outcome.invocations).toFixed(1)),
    msPerEvent: Number((wallMs / applied).toFixed(2)),
    cpuMsPerEvent: Number((cpuUs / 1000 / applied).toFixed(2)),
    refusedPerEvent: Number((refused / applied).toFixed(3)),
  };
}

/**
 * Billed milliseconds per event at `memoryMb`: the time spent waiting (for DynamoDB) as measured,
 * the CPU time stretched by the share of a vCPU Lambda gives that memory. This machine's core is
 * taken as one Lambda vCPU; that is the model's assumption, not a measurement.
 */
export function modelledMs(t: Pick<Trial, "msPerEvent" | "cpuMsPerEvent">, memoryMb: number): number {
  const wait = Math.max(0, t.msPerEvent - t.cpuMsPerEvent);
  return wait + t.cpuMsPerEvent * Math.max(1, FULL_VCPU_MB / memoryMb);
}

/** Lambda and SQS USD per event for a trial at a memory size. */
function lambdaAndSqs(t: Trial, memoryMb: number, applied: number) {
  const invocationsPerEvent = t.invocations / applied;
  return {
    lambda:
      invocationsPerEvent * PRICES.lambdaRequest +
      (memoryMb / 1024) * (modelledMs(t, memoryMb) / 1000) * PRICES.lambdaArmGbSecond,
    sqs: (1 + 2 * invocationsPerEvent) * PRICES.sqsRequest,
  };
}

/**
 * SQS batch size, batching window and Lambda memory for apply-events, as far as they can be
 * measured here: each batch size's invocations, handler time per invocation and per event and CPU
 * time per event (one execution environment, against DynamoDB Local), and what each choice costs per million events in Lambda and SQS. Then the
 * tuning infra/consumer-tuning.ts deploys, priced from these figures for the cost section.
 */
export async function benchBatching(dynamo: RunningDynamo) {
  const { CONSUMER_TUNING } = await import("../../infra/consumer-tuning");
  const applied = new Set(
    seed2022Q3()
      .slice(0, EVENTS)
      .map((e) => e.eventId),
  ).size;
  const trials: Trial[] = [];
  for (const size of SIZES) trials.push(await trial(dynamo, size));
  const usd = (x: number) => `$${(x * 1e6).toFixed(3)}`;
  const priced = trials.map((t) => ({
    ...t,
    perMillion: Object.fromEntries(
      MEMORIES.map((m) => {
        const c = lambdaAndSqs(t, m, applied);
        return [
          `${m}MB`,
          { lambda: Number((c.lambda * 1e6).toFixed(3)), sqs: Number((c.sqs * 1e6).toFixed(3)) },
        ];
      }),
    ),
  }));
  for (const t of trials) {
    const at = MEMORIES.map((m) => {
      const c = lambdaAndSqs(t, m, applied);
      return `${m} MB ${usd(c.lambda + c.sqs)}`;
    }).join(", ");
    row(
      `apply-events, batches of ${t.batchSize}`,
      `${t.msPerInvocation} ms per invocation, ${t.msPerEvent} ms and ${t.cpuMsPerEvent} ms CPU per event, ${t.refusedPerEvent} refused requests per event; Lambda + SQS per million events: ${at}`,
      `the seed's first ${EVENTS.toLocaleString("en")} events (${applied} distinct) through the handler in batches of ${t.batchSize}, one execution environment, against DynamoDB Local (${t.invocations} invocations); Lambda billed for the time waited as measured plus the CPU time stretched by the vCPU share of the memory (1 vCPU at ${FULL_VCPU_MB} MB; this machine's core taken as one), SQS 1 send per event + receive and delete per batch`,
    );
  }
  const chosen = trials.find((t) => t.batchSize === CONSUMER_TUNING.batchSize);
  const cheapest = MEMORIES.reduce((best, m) =>
    chosen && lambdaAndSqs(chosen, m, applied).lambda < lambdaAndSqs(chosen, best, applied).lambda ? m : best,
  );
  const figures: LambdaFigures | undefined = chosen && {
    invocationsPerEvent: chosen.invocations / applied,
    deliveriesPerEvent: 1,
    msPerEvent: modelledMs(chosen, CONSUMER_TUNING.memoryMb),
    memoryMb: CONSUMER_TUNING.memoryMb,
    batchSize: CONSUMER_TUNING.batchSize,
    how: `apply-events as deployed (infra/consumer-tuning.ts: batches of ${CONSUMER_TUNING.batchSize}, ${CONSUMER_TUNING.memoryMb} MB Arm), billed ${modelledMs(chosen, CONSUMER_TUNING.memoryMb).toFixed(1)} ms per event: the batching section's time waited plus CPU time at that memory's vCPU share (against DynamoDB Local, slower than DynamoDB, so an upper bound)`,
  };
  results.batching = {
    events: EVENTS,
    applied,
    trials: priced,
    tuning: CONSUMER_TUNING,
    cheapestMemoryMb: cheapest,
    chosen: figures,
  };
  row(
    "apply-events tuning (infra/consumer-tuning.ts)",
    `batches of ${CONSUMER_TUNING.batchSize}, window ${CONSUMER_TUNING.maxBatchingWindowSeconds} s, ${CONSUMER_TUNING.memoryMb} MB (cheapest of ${MEMORIES.join(", ")} MB by the figures above: ${cheapest} MB)`,
    "the setting deployed, beside the cheapest memory size this run measured for its batch size",
  );
}
