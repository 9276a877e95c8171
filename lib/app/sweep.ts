import type { AlertTrigger } from "../domain/alerts";
import { planDossier } from "../domain/plan";
import { type DossierRecord, recordOf } from "../domain/records";
import { type ApplyDeps, backoff, NO_UNITS } from "./apply";
import type { DossierLog, DueChecks } from "./ports";

/**
 * What checking one dossier takes: its log, read and committed, and the counting settings and
 * directory the consumer applies events with.
 */
export type CheckDeps = Pick<ApplyDeps, "settings" | "now" | "units" | "maxAttempts"> & {
  dossiers: DossierLog;
};

/** What a run of the sweep takes: checking a dossier, and the due-check queue. */
export type SweepDeps = CheckDeps & { dossiers: DueChecks };

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
  /**
   * Dossiers due but left unchecked, the run's time nearly spent: still due in the index, so the
   * next run takes them first (earliest due first).
   */
  left?: number;
}

/**
 * The time a run keeps in hand: it takes no more dossiers with less left, so that what follows the
 * checks (dropping stale alerts, telling send-alerts) is done and the run is never killed part way.
 */
export const SWEEP_RESERVE_MS = 60_000;

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

/**
 * The most dossiers one run takes from each shard of the sweep index, earliest due first: the
 * limit is per shard (lib/adapters/dynamodb/dossiers.ts `dueForCheck`), so a run checks at most
 * SWEEP_SHARDS × 5,000 = 20,000 dossiers (docs/province.md "The sweep at a quarter's start"); what
 * is left is due at the next run.
 */
export const SWEEP_MAX_PER_SHARD = 5000;

export async function runSweep(
  deps: SweepDeps,
  options: {
    concurrency?: number;
    /** Dossiers taken from each shard of the index (default {@link SWEEP_MAX_PER_SHARD}). */
    maxDossiers?: number;
    onFailure?: (f: SweepFailure) => void;
    /** The invocation's time left (Lambda's context), if the run has a bound. */
    timeLeft?: () => number;
  } = {},
): Promise<SweepResult> {
  const now = deps.now();
  const due = await deps.dossiers.dueForCheck(now, options.maxDossiers ?? SWEEP_MAX_PER_SHARD);
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
        postponed = await deps.dossiers.postponeCheck(dossierId, nextCheckAt, now + SWEEP_RETRY_DELAY_MS);
      } catch (e) {
        postponeError = e; // reported with the check's own error; the next run tries again
      }
      options.onFailure?.({ dossierId, error, postponed, postponeError });
    }
  };
  const spent = () => options.timeLeft !== undefined && options.timeLeft() < SWEEP_RESERVE_MS;
  await Promise.all(
    Array.from({ length: options.concurrency ?? 8 }, async () => {
      while (queue.length > 0 && !spent()) await check(queue.shift() as (typeof due)[number]);
    }),
  );
  if (queue.length > 0) result.left = queue.length;
  return result;
}

export type SweepOutcome =
  | { status: "updated" | "unchanged" | "missing"; raised: AlertTrigger[] }
  /** `refuse` said why this dossier must not be written (./recount.ts). */
  | { status: "refused"; raised: AlertTrigger[]; reason: string };

/**
 * The time-driven half (the deadline sweep, for one dossier): recount it at `now` (its due
 * instant passed, or a new period began and it is carried over) and raise the alerts whose
 * thresholds it crossed, in one transaction conditional on the version read, so two overlapping
 * sweeps record each transition once.
 */
export async function sweepDossier(
  deps: CheckDeps,
  dossierId: string,
  /** Why the dossier as read must not be written, if it must not (a recount's check). */
  refuse?: (dossier: DossierRecord) => string | undefined,
): Promise<SweepOutcome> {
  const { dossiers, settings } = deps;
  const maxAttempts = deps.maxAttempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    const { dossier, log } = await dossiers.getWithLog(dossierId);
    if (!dossier) return { status: "missing", raised: [] };
    const reason = refuse?.(dossier);
    if (reason) return { status: "refused", raised: [], reason };
    const now = deps.now();
    const plan = planDossier(dossierId, log, dossier, now, settings, deps.units ?? NO_UNITS, {
      raiseAlerts: true,
    });
    if (
      plan.deltas.length === 0 &&
      plan.raise.length === 0 &&
      plan.nextCheckAt === dossier.nextCheckAt &&
      plan.sla === dossier.sla &&
      // A record written before it kept whether the clock is stopped gets it (`recount`).
      (plan.state.clockStopped || undefined) === dossier.clockStopped
    ) {
      return { status: "unchanged", raised: [] };
    }
    const record = recordOf(plan, dossier.version + 1, log.length);
    const committed = await dossiers.commit({
      log,
      previousVersion: dossier.version,
      record,
      deltas: plan.deltas,
      alerts: plan.raise.map((trigger) => ({ trigger, raisedAt: now })),
    });
    if (committed.ok) return { status: "updated", raised: plan.raise };
    if (committed.error.kind !== "version_conflict" || attempt >= maxAttempts)
      throw new Error(committed.error.message);
    await backoff(attempt);
  }
}
