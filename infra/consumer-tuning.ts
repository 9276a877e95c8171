/**
 * apply-events' SQS event source and memory, set from `npm run bench -- batching`
 * (bench/sections/batching.ts), which measures each batch size's handler time and CPU time per event
 * through the real handler against DynamoDB Local, one execution environment, and prices Lambda and
 * SQS per million events from them (Lambda's CPU share taken in proportion to memory, one vCPU at
 * 1,769 MB: that share is modelled, not measured here).
 *
 * Measured on 2026-12-05 (600 seed events, machine load average near 30, so absolute times are
 * high): batches of 1, 10, 25 and 100 took 64.7, 32.3, 22.8 and 25.8 ms per event, of which 7.8, 4.3,
 * 3.4 and 3.5 ms CPU; Lambda + SQS per million events at 256 / 512 / 1,024 MB: batches of 10 $0.70 /
 * $0.79 / $0.98, batches of 25 $0.58 / $0.65 / $0.78, batches of 100 $0.56 / $0.64 / $0.79.
 *
 * - memory 256 MB: the cheapest of the sizes priced at every batch size, since the handler mostly
 *   waits for DynamoDB (its CPU time is an eighth of its time at batches of 10). Its memory footprint
 *   at 256 MB was not measured here; the bench's `bundles` section measures the bundle's cold import.
 * - batch size 10, no batching window: batches of 25 would save about $0.11 per million events more,
 *   but SQS gives Lambda more than 10 messages only with a batching window of at least 1 s, and the
 *   queue's visibility timeout (180 s, six times the 30-second timeout: infra/stateful-stack.ts) would
 *   then have to grow by the window; not done here.
 * - 16 at most at once: unchanged (the bench's consumer section measures 4 and 16 workers).
 */
export const CONSUMER_TUNING = {
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  memoryMb: 256,
  maxConcurrency: 16,
} as const;
