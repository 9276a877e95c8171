import { errorText } from "../domain/text";
import type { DossierIds } from "./ports";
import { type CheckDeps, sweepDossier } from "./sweep";

/**
 * Every dossier of the table counted again under the code and settings deployed now: what an
 * operator runs after a change to how something is counted (docs/cli.md `recount`). Each dossier
 * goes through the sweep's own recount (./sweep.ts `sweepDossier`): its contributions computed
 * again from its stored log and only the difference added to the counters, in one transaction
 * conditional on the version read, so a recount run twice, or beside the consumer and the sweep,
 * changes nothing twice. A dossier a recount finds past a threshold has its alert raised, as the
 * sweep would. Events sent again change nothing (they are duplicates), so they cannot do this.
 */

export interface RecountResult {
  dossiers: number;
  /** Dossiers whose counters, SLA state, next check or alerts changed. */
  updated: number;
  /** Dossiers that could not be recounted, with the reason (no event bodies); the others went on. */
  failed: { dossierId: string; reason: string }[];
}

export async function recountAll(
  deps: CheckDeps & { dossiers: CheckDeps["dossiers"] & DossierIds },
  options: { concurrency?: number; onProgress?: (done: number) => void } = {},
): Promise<RecountResult> {
  const result: RecountResult = { dossiers: 0, updated: 0, failed: [] };
  const recount = async (dossierId: string) => {
    try {
      if ((await sweepDossier(deps, dossierId)).status === "updated") result.updated++;
    } catch (e) {
      // One dossier never stops the others: reported, and the run goes on.
      result.failed.push({ dossierId, reason: errorText(e) });
    }
    result.dossiers++;
  };
  for await (const page of deps.dossiers.allDossierIds()) {
    const queue = [...page];
    await Promise.all(
      Array.from({ length: options.concurrency ?? 8 }, async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) await recount(id);
      }),
    );
    options.onProgress?.(result.dossiers);
  }
  return result;
}
