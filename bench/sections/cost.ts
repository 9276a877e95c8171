import { seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { results, row } from "../common";
import { PRICES } from "../prices";

/** The write units per applied event the bench reported before the cost work (DynamoDB Local's count). */
export const WRITE_UNITS_BEFORE = 6.25;
/** The cost work's target, USD per million events. */
export const TARGET_PER_MILLION = 4.0;

interface Units {
  writeUnitsPerEvent: number;
  readUnitsPerEvent: number;
}
/** How apply-events runs: invocations and billed milliseconds per applied event, at a memory size. */
export interface LambdaFigures {
  invocationsPerEvent: number;
  deliveriesPerEvent: number;
  msPerEvent: number;
  memoryMb: number;
  batchSize: number;
  how: string;
}

/** The consumer's figures the cost uses: the tuning measured by `batching`, else `consumer`'s. */
function lambdaFigures(): LambdaFigures | undefined {
  const tuned = results.batching as { chosen?: LambdaFigures } | undefined;
  if (tuned?.chosen) return tuned.chosen;
  const l = results.lambdaApply as
    | { invocations: number; applied: number; deliveries: number; handlerMsPerEvent: number }
    | undefined;
  if (!l) return undefined;
  return {
    invocationsPerEvent: l.invocations / l.applied,
    deliveriesPerEvent: l.deliveries / l.applied,
    msPerEvent: l.handlerMsPerEvent,
    memoryMb: 512,
    batchSize: 10,
    how: `apply-events at 512 MB Arm for the handler time measured with one worker against DynamoDB Local (${l.handlerMsPerEvent.toFixed(1)} ms per event; slower than DynamoDB, so an upper bound), invocations per event as delivered in batches of 10`,
  };
}

/** USD per applied event, by service, from the units measured in this run. */
export function costPerEvent(units: Units, lambda: LambdaFigures) {
  const envelopeBytes =
    seed2022Q3()
      .slice(0, 2000)
      .reduce(
        (s, e) =>
          s + Buffer.byteLength(JSON.stringify({ detail: e, source: "x", "detail-type": e.type })) + 250,
        0,
      ) / 2000;
  return {
    eventBridge: PRICES.eventBridgeEvent,
    archive: (envelopeBytes / 1e9) * PRICES.eventBridgeArchiveGb,
    // EventBridge's send per delivery, then the poller's receive and delete per batch.
    sqs: (lambda.deliveriesPerEvent + 2 * lambda.invocationsPerEvent) * PRICES.sqsRequest,
    lambda:
      lambda.invocationsPerEvent * PRICES.lambdaRequest +
      (lambda.memoryMb / 1024) * (lambda.msPerEvent / 1000) * PRICES.lambdaArmGbSecond,
    dynamoDb:
      units.writeUnitsPerEvent * PRICES.dynamoWriteRequestUnit +
      units.readUnitsPerEvent * PRICES.dynamoReadRequestUnit,
  };
}

/**
 * Cost per million events at the published on-demand prices, for the seed scenario: the path from
 * the bus on (EventBridge, its archive, SQS, the apply-events Lambda, DynamoDB at the request units
 * billed item by item in this run), and what posting over HTTP in batches of 100 adds.
 */
export function benchCost() {
  const units = results.units as Units | undefined;
  const lambda = lambdaFigures();
  if (!units || !lambda)
    throw new Error("needs the seedUnits section's figures and the consumer's or batching's");
  const perEvent = costPerEvent(units, lambda);
  const total = Object.values(perEvent).reduce((a, b) => a + b, 0);
  const ingest = results.ingestHandler as { p50Ms?: number } | undefined;
  const httpPerEvent =
    typeof ingest?.p50Ms === "number"
      ? PRICES.httpApiRequest / 100 +
        PRICES.lambdaRequest / 100 +
        ((512 / 1024) * (ingest.p50Ms / 1000) * PRICES.lambdaArmGbSecond) / 100
      : undefined;
  const perMillion = (x: number) => x * 1e6;
  results.cost = {
    prices: PRICES,
    lambda,
    writeUnitsPerEvent: Number(units.writeUnitsPerEvent.toFixed(3)),
    writeUnitsPerEventBefore: WRITE_UNITS_BEFORE,
    readUnitsPerEvent: Number(units.readUnitsPerEvent.toFixed(3)),
    perMillionEvents: Object.fromEntries(
      Object.entries(perEvent).map(([k, v]) => [k, Number(perMillion(v).toFixed(3))]),
    ),
    totalPerMillionEvents: Number(perMillion(total).toFixed(2)),
    targetPerMillionEvents: TARGET_PER_MILLION,
    httpIngestionPerMillionEvents:
      httpPerEvent === undefined ? null : Number(perMillion(httpPerEvent).toFixed(2)),
  };
  const usd = (x: number) => `$${perMillion(x).toFixed(2)}`;
  row(
    "Cost per million events (bus → DynamoDB)",
    `${usd(total)} (target ≤ $${TARGET_PER_MILLION.toFixed(2)}): DynamoDB ${usd(perEvent.dynamoDb)} (${units.writeUnitsPerEvent.toFixed(2)} write units per event, ${WRITE_UNITS_BEFORE} before; ${units.readUnitsPerEvent.toFixed(2)} read), EventBridge ${usd(perEvent.eventBridge + perEvent.archive)}, SQS ${usd(perEvent.sqs)}, Lambda ${usd(perEvent.lambda)}`,
    `published on-demand prices for ${PRICES.region} (bench/prices.ts) × the units measured in this run: DynamoDB request units billed item by item (seedUnits above), 1 custom event + archive per event, SQS send per delivery + receive/delete per batch (${lambda.invocationsPerEvent.toFixed(3)} batches per event), ${lambda.how}`,
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
