const MAX_BACKOFF_MS = 2_000;

/**
 * Waits before sending DynamoDB again what it left unprocessed or refused for a conflict: full
 * jitter over a window that doubles with each attempt (up to 2 s), so writers throttled together
 * do not come back together.
 */
export const backoff = (attempt: number) =>
  new Promise((r) => setTimeout(r, Math.random() * Math.min(MAX_BACKOFF_MS, 20 * 2 ** attempt)));

/**
 * How a batch request's unprocessed part (BatchGetItem's `UnprocessedKeys`, BatchWriteItem's
 * `UnprocessedItems`: DynamoDB throttled them) is sent again: at most `attempts` requests in all,
 * `pause(attempt)` before each one after the first.
 */
export interface UnprocessedRetry {
  attempts: number;
  pause: (attempt: number) => Promise<unknown>;
}

/**
 * Eight requests: the pauses between them add up to about 2.3 s on average and 4.5 s at most for
 * one batch request, so that the two one after another that ingest-api may make fit its 15 s with
 * room to spare; a table throttled for longer fails the invocation (its message, schedule or
 * command is tried again) instead of running until the timeout cuts it off mid-write.
 */
export const UNPROCESSED_RETRY: UnprocessedRetry = { attempts: 8, pause: backoff };

/** DynamoDB still left part of a batch request unprocessed after the retry's last attempt. */
export class UnprocessedError extends Error {
  override name = "UnprocessedError";
}

/**
 * Sends `request`, then again what each answer leaves unprocessed (`send` answers it, or
 * `undefined` when nothing is left), as `retry` says; throws {@link UnprocessedError} naming
 * `what` and how many are left when the attempts run out.
 */
export async function untilProcessed<R>(
  request: R,
  send: (request: R) => Promise<R | undefined>,
  retry: UnprocessedRetry,
  what: (left: R) => string,
): Promise<void> {
  let left: R | undefined = request;
  for (let attempt = 0; left !== undefined; attempt++) {
    if (attempt >= retry.attempts)
      throw new UnprocessedError(`DynamoDB left ${what(left)} unprocessed after ${retry.attempts} requests`);
    if (attempt) await retry.pause(attempt);
    left = await send(left);
  }
}
