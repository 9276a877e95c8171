import type { AlertTrigger } from "./alerts";
import { type ApplyDeps, sweepDossier } from "./apply";

/**
 * One run of the deadline sweep: every dossier whose next check is due, found through the sparse
 * index (never a scan), recounted and checked for alerts. Cost grows with the dossiers due, not
 * with the dossiers open.
 */
export interface SweepResult {
  checked: number;
  updated: number;
  raised: number;
  byKind: Partial<Record<AlertTrigger["kind"], number>>;
  /** Index items read to find what was due. */
  indexItemsRead: number;
}

export async function runSweep(
  deps: ApplyDeps,
  options: { concurrency?: number; maxDossiers?: number } = {},
): Promise<SweepResult> {
  const now = deps.now();
  const due = await deps.store.dueForCheck(now, options.maxDossiers ?? 5000);
  const result: SweepResult = { checked: 0, updated: 0, raised: 0, byKind: {}, indexItemsRead: due.length };
  const queue = [...due];
  await Promise.all(
    Array.from({ length: options.concurrency ?? 8 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const outcome = await sweepDossier(deps, next.dossierId);
        result.checked++;
        if (outcome.status === "updated") result.updated++;
        for (const r of outcome.raised) {
          result.raised++;
          result.byKind[r.kind] = (result.byKind[r.kind] ?? 0) + 1;
        }
      }
    }),
  );
  return result;
}
