const MAX_BACKOFF_MS = 2_000;

/**
 * Waits before sending DynamoDB again what it left unprocessed or refused for a conflict: full
 * jitter over a window that doubles with each attempt (up to 2 s), so writers throttled together
 * do not come back together.
 */
export const backoff = (attempt: number) =>
  new Promise((r) => setTimeout(r, Math.random() * Math.min(MAX_BACKOFF_MS, 20 * 2 ** attempt)));
