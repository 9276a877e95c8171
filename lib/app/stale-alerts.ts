import { SWEEP_INTERVAL_MS } from "../contracts/schedules";
import type { AlertKind } from "../domain/alerts";
import type { DossierRecord } from "../domain/records";
import type { DigestQueue, DossierLog } from "./ports";

/**
 * The clock stages that speak of an open dossier (near due, an apology coming due, overdue,
 * escalated, past its appointment, quiet): once the dossier closed, such an alert still pending
 * says something no longer true, so it is not sent, and its history entry says so (`droppedAt`).
 * A closed dossier raises no clock stage again, so nothing it should hear of is lost. A missed
 * apology stays: the breach was committed. Alerts wait between a sweep and the send right after it,
 * while the office is closed (digests go in office hours only: an integration's nightly sync closes
 * a dossier meanwhile), or longer after a failed send (docs/rules.md R4). An alert of a dossier moved to
 * another unit is not dropped: the marks that keep each unit from being told twice would keep
 * the new unit's escalation or desk copy from going out in its place.
 */
const MOOT_ONCE_CLOSED: ReadonlySet<AlertKind> = new Set([
  "near_due",
  "apology_due",
  "overdue",
  "escalation",
  "past_appointment",
  "possibly_closed",
]);

/**
 * Dossiers read per sweep for this, at most. A province's evening holds thousands (11,167 near-due
 * alerts at one 17:00 in the bench's province); when more wait, each sweep reads the next ones in
 * turn ({@link dossiersInTurn}), so a night's sweeps read every one many times before the morning's
 * digests.
 */
export const STALE_CHECK_MAX_DOSSIERS = 2_000;

/** Reads in flight while checking. */
const STALE_CHECK_READERS = 16;

/** The sweep's period: the turn advances once a sweep. */
const TURN_MS = SWEEP_INTERVAL_MS;

/**
 * The dossiers a sweep at `now` checks: all when they are few, else {@link STALE_CHECK_MAX_DOSSIERS}
 * of them (sorted), starting where the turn of the quarter hour `now` falls in puts it, wrapping.
 */
export function dossiersInTurn(ids: readonly string[], now: number): string[] {
  const sorted = [...new Set(ids)].sort();
  if (sorted.length <= STALE_CHECK_MAX_DOSSIERS) return sorted;
  const start = (Math.floor(now / TURN_MS) * STALE_CHECK_MAX_DOSSIERS) % sorted.length;
  return [...sorted.slice(start), ...sorted.slice(0, start)].slice(0, STALE_CHECK_MAX_DOSSIERS);
}

export interface StaleAlertDeps {
  alerts: Pick<DigestQueue, "pending" | "dropPending">;
  /** A dossier as it stands (one point read of its item). */
  dossiers: Pick<DossierLog, "getWithLog">;
  now: () => number;
}

/**
 * Drops the pending clock alerts whose dossier closed since they were raised: how many it dropped,
 * and how many alerts of any kind are left pending (the sweep tells send-alerts only if some are,
 * without reading them again).
 */
export async function dropStaleAlerts(deps: StaleAlertDeps): Promise<{ dropped: number; left: number }> {
  const pending = await deps.alerts.pending();
  const clock = pending.filter((a) => MOOT_ONCE_CLOSED.has(a.kind));
  if (clock.length === 0) return { dropped: 0, left: pending.length };
  const queue = dossiersInTurn(
    clock.map((a) => a.dossier.dossierId),
    deps.now(),
  );
  const state = new Map<string, DossierRecord | undefined>();
  await Promise.all(
    Array.from({ length: STALE_CHECK_READERS }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift())
        state.set(id, (await deps.dossiers.getWithLog(id)).dossier);
    }),
  );
  const stale = clock.filter((a) => {
    const id = a.dossier.dossierId;
    return state.has(id) && state.get(id)?.closedAt !== undefined;
  });
  if (stale.length) await deps.alerts.dropPending(stale, deps.now());
  return { dropped: stale.length, left: pending.length - stale.length };
}
