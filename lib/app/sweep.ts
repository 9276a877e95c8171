import type { AlertTrigger } from "../domain/alerts";
import { type ApplyDeps, sweepDossier } from "./apply";

/**
 * One run of the deadline sweep: every dossier whose next check is due, found through the sparse
 * index (never a scan), recounted and checked for alerts. Cost grows with the dossiers due, not
 * with the dossiers open. One dossier never stops the others (README "Semantics worth knowing"): a
 * dossier that cannot be checked is reported, moved later in the index, and the run goes on.
 */
export interface SweepResult {
  checked: number;
  updated: number;
  raised: number;
  byKind: Partial<Record<AlertTrigger["kind"], number>>;
  /** Index items read to find what was due. */
  indexItemsRead: number;
  /** Dossiers that could not be checked (each reported through `onFailure`). */
  failed: number;
}

/**
 * How much later a dossier that could not be checked is looked at again: long enough that a
 * dossier failing for good cannot keep the head of the index run after run, short enough that a
 * passing fault delays its alerts by one or two runs of the sweep (every 15 minutes).
 */
export const SWEEP_RETRY_DELAY_MS = 30 * 60_000;

/** A dossier the sweep could not check, for the caller to log and count (no event bodies). */
export interface SweepFailure {
  dossierId: string;
  error: unknown;
  /** Whether its next check was moved later (false: it changed meanwhile, or the move failed too). */
  postponed: boolean;
  /** Why moving it failed, when it did. */
  postponeError?: unknown;
}

export async function runSweep(
  deps: ApplyDeps,
  options: { concurrency?: number; maxDossiers?: number; onFailure?: (f: SweepFailure) => void } = {},
): Promise<SweepResult> {
  const now = deps.now();
  const due = await deps.store.dueForCheck(now, options.maxDossiers ?? 5000);
  const result: SweepResult = {
    checked: 0,
    updated: 0,
    raised: 0,
    byKind: {},
    indexItemsRead: due.length,
    failed: 0,
  };
  const queue = [...due];
  const check = async ({ dossierId, nextCheckAt }: (typeof due)[number]) => {
    try {
      const outcome = await sweepDossier(deps, dossierId);
      result.checked++;
      if (outcome.status === "updated") result.updated++;
      for (const r of outcome.raised) {
        result.raised++;
        result.byKind[r.kind] = (result.byKind[r.kind] ?? 0) + 1;
      }
    } catch (error) {
      result.failed++;
      let postponed = false;
      let postponeError: unknown;
      try {
        postponed = await deps.store.postponeCheck(dossierId, nextCheckAt, now + SWEEP_RETRY_DELAY_MS);
      } catch (e) {
        postponeError = e; // reported with the check's own error; the next run tries again
      }
      options.onFailure?.({ dossierId, error, postponed, postponeError });
    }
  };
  await Promise.all(
    Array.from({ length: options.concurrency ?? 8 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await check(next);
    }),
  );
  return result;
}
