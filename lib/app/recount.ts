import { type PeriodScheme, periodByName } from "../domain/periods";
import type { DossierRecord } from "../domain/records";
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
 * Settings other than those the table was counted under stop it before it writes
 * ({@link schemeMismatch}).
 */

export interface RecountResult {
  dossiers: number;
  /** Dossiers whose counters, SLA state, next check or alerts changed. */
  updated: number;
  /** Dossiers that could not be recounted, with the reason (no event bodies); the others went on. */
  failed: { dossierId: string; reason: string }[];
}

/**
 * The settings are not those the table was counted under (a recount under them would take back
 * every count and put it elsewhere): the run stops before that dossier is written, and says why.
 */
export class RecountRefused extends Error {}

/**
 * Why this scheme cannot be the one `dossier` was counted under, if it cannot: a period it was
 * counted in that the scheme does not have, or has with other dates (another PERIOD_SCHEME).
 */
export function schemeMismatch(dossier: DossierRecord, scheme: PeriodScheme): string | undefined {
  for (const [name, entry] of Object.entries(dossier.counted ?? {})) {
    const period = periodByName(scheme, name);
    if (!period || period.from !== entry.from || period.to !== entry.to)
      return `dossier ${dossier.dossierId} was counted in period ${name} (${entry.from}..${entry.to}), which these settings ${period ? `date ${period.from}..${period.to}` : "do not have"}: run recount with the deployment's PERIOD_SCHEME`;
  }
  return undefined;
}

type RecountDeps = CheckDeps & { dossiers: CheckDeps["dossiers"] & DossierIds };

/** Dossiers the check before a recount reads, at most, to find one that was counted. */
const SCHEME_CHECK_MAX_READS = 1000;

/**
 * The check before anything is written: the first dossier found with counts must have been
 * counted under this scheme (every dossier of a table shares it); none found, nothing to take back.
 */
async function checkScheme(deps: RecountDeps): Promise<void> {
  let reads = 0;
  for await (const page of deps.dossiers.allDossierIds()) {
    for (const id of page) {
      const { dossier } = await deps.dossiers.getWithLog(id);
      if (dossier && Object.keys(dossier.counted ?? {}).length > 0) {
        const mismatch = schemeMismatch(dossier, deps.settings.scheme);
        if (mismatch) throw new RecountRefused(`${mismatch}; nothing was written`);
        return;
      }
      if (++reads >= SCHEME_CHECK_MAX_READS) return;
    }
  }
}

export async function recountAll(
  deps: RecountDeps,
  options: { concurrency?: number; onProgress?: (done: number) => void } = {},
): Promise<RecountResult> {
  await checkScheme(deps);
  const result: RecountResult = { dossiers: 0, updated: 0, failed: [] };
  let refused: string | undefined;
  const recount = async (dossierId: string) => {
    try {
      // Each dossier checked again, as read, before it is written (a table counted under two schemes).
      const outcome = await sweepDossier(deps, dossierId, (d) => schemeMismatch(d, deps.settings.scheme));
      if (outcome.status === "refused") {
        refused ??= outcome.reason;
        return;
      }
      if (outcome.status === "updated") result.updated++;
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
        for (let id = queue.shift(); id !== undefined && !refused; id = queue.shift()) await recount(id);
      }),
    );
    if (refused)
      throw new RecountRefused(`${refused}; ${result.dossiers} dossiers recounted before it stopped`);
    options.onProgress?.(result.dossiers);
  }
  return result;
}
