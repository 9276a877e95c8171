import { createHash } from "node:crypto";
import type { DossierEvent, PauseKind } from "../domain/events/schema";
import { instantOf } from "../domain/identity";
import type { UnitDirectory } from "../domain/units";

/**
 * What both of the portal's messages (./dvcqg.ts) say alike: the ids of the facts they record,
 * the statuses that pause the clock or ask to withdraw, and what the adapter may look up.
 */

/** What the adapter may look up beyond the body: the unit directory, for the level. */
export interface DvcqgContext {
  units?: UnitDirectory;
}

export const idOf = (dossier: string, fact: string) =>
  `dvcqg:${createHash("sha256").update(dossier).digest("hex").slice(0, 16)}:${fact}`;

/**
 * What statuses 5 and 6 mean (docs/dvcqg.md): 5 "Yêu cầu bổ sung giấy tờ" and 6 "Yêu cầu thực
 * hiện nghĩa vụ tài chính" pause the clock (docs/rules.md R3, R5).
 */
export const PAUSE_OF_STATUS: Record<number, PauseKind> = { 5: "supplement", 6: "financial_obligation" };

/**
 * Status 7 "Công dân yêu cầu rút hồ sơ" is the applicant's *request* to withdraw, not the end of
 * the dossier: the office still decides on it, and until it does the dossier is open and its
 * clock runs. So 7 makes no event; the dossier ends when a later snapshot says how (8 processing
 * stopped: withdrawn; 9 or 10: resolved), and the answer says so in a note.
 */
export const WITHDRAWAL_REQUESTED =
  "status 7 (the applicant asked to withdraw): a request, not a withdrawal; no event: the dossier stays open until a later status ends it (8 processing stopped: withdrawn; 9 or 10: resolved)";

/** A pause the portal shows (a supplement round, status 5 or 6) as a `supplement_requested` event. */
export function pause(id: string, at: string, stamp: string, kind: PauseKind) {
  return {
    // The kind is part of the fact: a supplement wait and a payment wait on one date are two facts.
    eventId: idOf(id, `${kind === "supplement" ? "supplement-requested" : `pause-${kind}`}:${stamp}`),
    type: "dossier.supplement_requested",
    occurredAt: at,
    dossierId: id,
    data: kind === "supplement" ? {} : { pauseKind: kind },
  };
}

/**
 * The receipt's fields a later snapshot may tell otherwise: the appointment (`NgayHenTra`, moved by
 * a supplement or a new appointment), the processing unit (`DonViXuLy`, after a transfer), the
 * level (the directory's, when it changed), the digitisation and the domain.
 */
const RECEIPT_MAY_CHANGE = new Set(["dueAt", "unitId", "level", "digitised", "domain"]);

/**
 * Whether a receipt the portal's adapter made is the stored one told again by a later snapshot
 * (the portal re-sends every dossier whole on every change): the event paths that changed, when
 * only {@link RECEIPT_MAY_CHANGE} did; `undefined` otherwise (another date, procedure or channel is a
 * conflict, quarantined). The first receipt stands: later appointments come from supplement rounds
 * (`NgayHenTraMoi`), transfers from progress items, so counting never takes a value from a
 * snapshot that cannot say when it changed.
 */
export function retoldReceipt(prior: DossierEvent, incoming: DossierEvent): string[] | undefined {
  if (prior.type !== "dossier.received" || incoming.type !== "dossier.received") return undefined;
  // Instants as instants, as the event's identity compares them.
  const at = instantOf;
  if (
    !/^dvcqg:[0-9a-f]{16}:received$/.test(incoming.eventId) ||
    at(prior.occurredAt) !== at(incoming.occurredAt)
  )
    return undefined;
  const a = prior.data as Record<string, unknown>;
  const b = incoming.data as Record<string, unknown>;
  const value = (d: Record<string, unknown>, k: string) => JSON.stringify(k === "dueAt" ? at(d[k]) : d[k]);
  const changed = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
    (k) => value(a, k) !== value(b, k),
  );
  return changed.length && changed.every((k) => RECEIPT_MAY_CHANGE.has(k))
    ? changed.sort().map((k) => `data.${k}`)
    : undefined;
}
