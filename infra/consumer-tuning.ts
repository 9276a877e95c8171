/**
 * apply-events' SQS event source and memory. Placeholder values: set from the bench below.
 */
export const CONSUMER_TUNING = {
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  memoryMb: 512,
  maxConcurrency: 16,
} as const;
