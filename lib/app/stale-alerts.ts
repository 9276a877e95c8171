import type { AlertKind } from "../domain/alerts";
import type { DossierRecord } from "../domain/records";
import type { DigestQueue, DossierLog } from "./ports";

/**
 * The clock stages that speak of an open dossier (near due, an apology coming due, overdue,
 * escalated, past its appointment, quiet): once the dossier closed, such an alert still pending
 * says something no longer true, so it is not sent, and its history entry says so (`droppedAt`).
 * A closed dossier raises no clock stage again, so nothing it should hear of is lost. A missed
 * apology stays: the breach was committed. Alerts wait only between a sweep and the send right
 * after it, or longer after a failed send (docs/rules.md R4). An alert of a dossier moved to
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

/** Dossiers read per sweep for this, at most (a long SES outage leaves thousands; the rest wait). */
export const STALE_CHECK_MAX_DOSSIERS = 500;

export interface StaleAlertDeps {
  alerts: Pick<DigestQueue, "pending" | "dropPending">;
  /** A dossier as it stands (one point read of its item). */
  dossiers: Pick<DossierLog, "getWithLog">;
  now: () => number;
}

/** Drops the pending clock alerts whose dossier closed since they were raised; how many it dropped. */
export async function dropStaleAlerts(deps: StaleAlertDeps): Promise<number> {
  const clock = (await deps.alerts.pending()).filter((a) => MOOT_ONCE_CLOSED.has(a.kind));
  if (clock.length === 0) return 0;
  const ids = [...new Set(clock.map((a) => a.dossier.dossierId))].slice(0, STALE_CHECK_MAX_DOSSIERS);
  const state = new Map<string, DossierRecord | undefined>();
  const queue = [...ids];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift())
        state.set(id, (await deps.dossiers.getWithLog(id)).dossier);
    }),
  );
  const stale = clock.filter((a) => {
    const id = a.dossier.dossierId;
    return state.has(id) && state.get(id)?.closedAt !== undefined;
  });
  if (stale.length) await deps.alerts.dropPending(stale, deps.now());
  return stale.length;
}
