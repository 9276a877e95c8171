/**
 * A simulator of SQS delivering to Lambda (batches, concurrent execution environments, partial
 * batch failures delivered again), for the tests and the bench.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { envelope } from "../../lib/contracts/bus";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { type Rng, shuffled } from "../scenarios/rng";

let seq = 0;

/** An SQS record as the bus rule's queue delivers it: the EventBridge envelope as the body. */
export function sqsRecord(
  event: DossierEvent | Record<string, unknown> | string,
  source?: string,
): SQSRecord {
  seq++;
  const body = typeof event === "string" ? event : JSON.stringify(envelope(event, source));
  return {
    messageId: `m-${seq}`,
    receiptHandle: `r-${seq}`,
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "0",
      SenderId: "local",
      ApproximateFirstReceiveTimestamp: "0",
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:ap-southeast-1:000000000000:local",
    awsRegion: "ap-southeast-1",
  };
}

export { shuffled };

/** `events` shuffled, with a share of them delivered twice. */
export function atLeastOnce(
  rng: Rng,
  events: readonly DossierEvent[],
  duplicateShare: number,
): DossierEvent[] {
  const extra = events.filter(() => rng() < duplicateShare);
  return shuffled(rng, [...events, ...extra]);
}

type BatchHandler = (event: SQSEvent, context: never) => Promise<SQSBatchResponse | undefined>;

/**
 * Delivers records like SQS to Lambda: batches of `batchSize`, `workers` execution environments
 * at once (each with its own handler instance, as Lambda has), and every reported failure
 * delivered again (up to `maxReceives` times).
 */
export async function deliver(
  makeHandler: () => BatchHandler,
  records: SQSRecord[],
  options: { workers: number; batchSize?: number; maxReceives?: number },
): Promise<{ invocations: number; redelivered: number; failedForGood: SQSRecord[] }> {
  const queue = [...records];
  const receives = new Map<string, number>();
  const failedForGood: SQSRecord[] = [];
  let invocations = 0;
  let redelivered = 0;
  const context = {
    functionName: "apply-events",
    awsRequestId: "local",
    getRemainingTimeInMillis: () => 30_000,
  } as never;
  const worker = async () => {
    const handler = makeHandler();
    for (;;) {
      const batch = queue.splice(0, options.batchSize ?? 10);
      if (batch.length === 0) return;
      invocations++;
      const response = await handler({ Records: batch }, context);
      for (const failure of response?.batchItemFailures ?? []) {
        const record = batch.find((r) => r.messageId === failure.itemIdentifier);
        if (!record) continue;
        const n = (receives.get(record.messageId) ?? 1) + 1;
        receives.set(record.messageId, n);
        if (n > (options.maxReceives ?? 5)) failedForGood.push(record);
        else {
          redelivered++;
          queue.push(record);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers }, worker));
  return { invocations, redelivered, failedForGood };
}
