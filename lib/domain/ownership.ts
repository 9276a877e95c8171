import type { DossierEvent } from "./events/schema";
import type { UnitDirectory } from "./units";

/**
 * Who may write what (README "Trust boundaries"), decided by the consumer before an
 * event enters a dossier's log:
 * - a dossier belongs to the source whose `received` created it; another source's events are
 *   refused unless the directory grants it the dossier's unit or a prefix of its id;
 * - a dossier id under a granted prefix may only be created by integrations granted that prefix
 *   (no pre-claiming of predictable ids), and takes no events before its receipt from a source
 *   that no grant could ever admit;
 * - an integration whose grant lists units names only those in its `received`/`transferred`;
 * - a named unit must be in the directory, unless the deployment accepts unknown units.
 * Events of other sources that arrive while the dossier has no owner yet (orphans) are kept, as
 * docs/events.md asks, but the projection never applies them once an owner is known (anomaly
 * `other_source`), so they cannot move the owner's KPIs; a dossier's log keeps a place for its
 * receipt (lib/app/apply.ts), so events before it cannot keep it out.
 */

export interface OwnershipRules {
  units: UnitDirectory;
  /** What to do with a unit the directory does not have (lib/contracts/config.ts UNKNOWN_UNITS). */
  unknownUnits: "accept" | "reject";
}

/** What the consumer knows of the dossier: its owner and current unit, if it has been received. */
export interface DossierOwnership {
  owner?: string;
  received: boolean;
  unitId?: string;
}

/** The unit an event sends its dossier to (`received`'s unit, `transferred`'s new one), if any. */
export function unitNamed(event: DossierEvent): string | undefined {
  return event.type === "dossier.received"
    ? event.data.unitId
    : event.type === "dossier.transferred"
      ? event.data.toUnitId
      : undefined;
}

/** Why the event may not be applied, or `undefined` when it may. */
export function refusal(
  event: DossierEvent,
  dossier: DossierOwnership | undefined,
  rules: OwnershipRules,
): string | undefined {
  const { units } = rules;
  const { source, dossierId } = event;
  const who = source ?? "(no source)";
  const named = unitNamed(event);
  if (named !== undefined) {
    if (rules.unknownUnits === "reject" && !units.has(named))
      return `unit ${named} is not in the unit directory`;
    if (!units.mayName(source, named)) return `integration ${who} is not granted unit ${named}`;
  }
  if (event.type === "dossier.received") {
    if (!units.mayCreate(source, dossierId))
      return `dossier ${dossierId} is under a dossier-id prefix granted to another integration`;
    // Only the owner sends a dossier's `received`, even a granted integration: a second creation
    // could otherwise take the dossier over (the earliest received is the one in effect).
    if (dossier?.received && dossier.owner !== source)
      return `dossier ${dossierId} belongs to another integration`;
    return undefined;
  }
  if (dossier?.received && dossier.owner !== source && !units.admits(source, dossierId, dossier.unitId))
    return `dossier ${dossierId} belongs to another integration`;
  // Before its receipt, a dossier under a reserved prefix takes no events that could never apply
  // (a source neither granted the prefix nor any unit): they could only fill its log. Which events
  // a receipt would admit is unknown until it comes, so all others wait (out-of-order delivery).
  if (!dossier?.received && !units.mayEverWrite(source, dossierId))
    return `dossier ${dossierId} is under a dossier-id prefix granted to another integration, and has not been received`;
  return undefined;
}
