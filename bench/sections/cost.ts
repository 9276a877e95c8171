import { seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { results, row } from "../common";
import { PRICES } from "../prices";

/**
 * Cost per million events at the published on-demand prices, for the seed scenario: the path from
 * the bus on (EventBridge, its archive, SQS, the apply-events Lambda at the duration measured here,
 * DynamoDB), and what posting over HTTP in batches of 100 adds.
 */
export function benchCost() {
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
