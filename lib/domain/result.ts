/**
 * How code fails (README "How code fails", docs/style.md 4): an expected failure is a value,
 * `Result<T, E>`; a throw is for what no caller can handle (a bug, storage down).
 */

/** A value, or the expected failure that stopped it. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

/** One thing wrong with an input, naming the field (`data.channel`, `occurredAt`, `query.limit`, …). */
export interface Problem {
  path: string;
  message: string;
}

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}

export function isErr<T, E>(result: Result<T, E>): result is { ok: false; error: E } {
  return !result.ok;
}

/**
 * The value, where a failure would be a bug (a cursor the code itself just received, say):
 * thrown, with the failure's message.
 */
export function orThrow<T, E extends { message: string } | string>(result: Result<T, E>): T {
  if (result.ok) return result.value;
  throw new Error(typeof result.error === "string" ? result.error : result.error.message);
}
