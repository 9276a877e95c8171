import type { AlertKind } from "../domain/alerts";
import type { DossierRecord, PendingAlert } from "../domain/records";
import type { DigestQueue, DossierLog } from "./ports";

/**
 * The clock stages that speak of an open dossier at its unit (near due, an apology coming due,
 * overdue, escalated, past its appointment, quiet): once the dossier closed, or moved to another
 * unit, such an alert still pending says something no longer true, so it is not sent. The new unit
 * gets its own at the next sweep (one per threshold and unit). A missed apology stays: the breach
 * was committed, closed or not. Alerts wait only between a sweep and the send right after it, or
 * longer after a failed send (docs/rules.md R4).
 */
const MOOT_ONCE_CLOSED_OR_MOVED: ReadonlySet<AlertKind> = new Set([
  "near_due",
  "apology_due",
  "overdue",
  "escalation",
  "past_appointment",
  "possibly_closed",
]);

export interface StaleAlertDeps {
  alerts: Pick<DigestQueue, "pending" | "dropPending">;
  /** A dossier as it stands (one point read of its item). */
  dossiers: Pick<DossierLog, "getWithLog">;
}

/** Drops the pending clock alerts whose dossier closed or moved since; how many it dropped. */
export async function dropStaleAlerts(deps: StaleAlertDeps): Promise<number> {
  const clock = (await deps.alerts.pending()).filter((a) => MOOT_ONCE_CLOSED_OR_MOVED.has(a.kind));
  if (clock.length === 0) return 0;
  const now = new Map<string, DossierRecord | undefined>();
  for (const id of new Set(clock.map((a) => a.dossier.dossierId)))
    now.set(id, (await deps.dossiers.getWithLog(id)).dossier);
  const stale = clock.filter((a: PendingAlert) => {
    const dossier = now.get(a.dossier.dossierId);
    return !dossier || dossier.closedAt !== undefined || dossier.unitId !== a.unitId;
  });
  if (stale.length) await deps.alerts.dropPending(stale);
  return stale.length;
}
