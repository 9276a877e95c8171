/**
 * apply-events' SQS event source and memory, set from `npm run bench -- batching`
 * (bench/sections/batching.ts), which measures each batch size's handler time and CPU time per event
 * through the real handler against DynamoDB Local, one execution environment, and prices Lambda and
 * SQS per million events from them (Lambda's CPU share taken in proportion to memory, one vCPU at
 * 1,769 MB: that share is modelled, not measured here).
 *
 * Measured twice on 2026-12-05 (600 seed events each, while the machine's load average stood between
 * 15 and 30, so absolute times are high and move between runs). Per event, batches of 1, 10, 25 and
 * 100: first run 64.7, 32.3, 22.8, 25.8 ms (CPU 7.8, 4.3, 3.4, 3.5 ms); second run 32.0, 22.9, 42.0,
 * 47.1 ms (CPU 4.7, 2.9, 3.6, 3.8 ms). Lambda + SQS per million events at 256 / 512 / 1,024 MB,
 * batches of 10: $0.70 / $0.79 / $0.98, then $0.64 / $0.70 / $0.84; batches of 25: $0.58 / $0.65 /
 * $0.78, then $0.65 / $0.78 / $1.04.
 *
 * - memory 256 MB: the cheapest of the sizes priced in both runs at every batch size, since the
 *   handler mostly waits for DynamoDB (CPU is about an eighth of its time at batches of 10). Its
 *   memory footprint at 256 MB was not measured here.
 * - batch size 100, batching window 1 s: the handler applies a batch together
 *   (lib/app/apply-batch.ts), summing its counter writes, so the batch size now moves DynamoDB's
 *   bill, which the Lambda figures above do not show. `npm run bench -- seedUnits` (the seed
 *   quarter, 4 workers, billed write units per applied event, 2026-12-06): about 3.5 at batches of
 *   100, 3.80 at 50 (README "Measured"). SQS gives Lambda more than 10 messages only with a
 *   window of at least 1 s; the queue's visibility timeout adds the window
 *   (infra/stateful-stack.ts). An event waits up to that second longer before it is applied, well
 *   inside the near-due threshold of hours.
 * - 16 at most at once: unchanged (the bench's consumer section measures 4 and 16 workers).
 */
export const CONSUMER_TUNING = {
  batchSize: 100,
  maxBatchingWindowSeconds: 1,
  memoryMb: 256,
  maxConcurrency: 16,
} as const;
