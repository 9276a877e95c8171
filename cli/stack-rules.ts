import type { AgencyDirectoryFile } from "../lib/domain/agency-file";
import type { DossierEvent } from "../lib/domain/events/schema";
import type { DossierOwnership } from "../lib/domain/ownership";

/**
 * `report --events … --units FILE`: what the stack does with a unit directory that a report from
 * events files must do too, so that both give the same numbers (docs/cli.md):
 * - the directory's integration grants let another source's events count on a dossier
 *   (lib/domain/plan.ts `withGrants`); without them every such event is `other_source`;
 * - an event the consumer refuses (a unit the directory lacks, a unit or dossier-id prefix the
 *   source is not granted: lib/domain/ownership.ts) is left out, as the stack quarantines it,
 *   each decided as the consumer decides it when the events arrive in the files' order.
 */

/** An event left out, with the reason the stack's quarantine would give. */
export interface LeftOut {
  event: DossierEvent;
  reason: string;
}

export async function asTheStackTakes(
  events: readonly DossierEvent[],
  directory: AgencyDirectoryFile,
  unknownUnits: "accept" | "reject",
): Promise<{
  events: DossierEvent[];
  admits: (source: string | undefined, dossierId: string, unitId: string | undefined) => boolean;
  leftOut: LeftOut[];
}> {
  const [{ UnitDirectory }, { refusal, unitNamed }] = await Promise.all([
    import("../lib/domain/units"),
    import("../lib/domain/ownership"),
  ]);
  const units = new UnitDirectory(directory.units, directory.leadership, directory.integrations ?? []);
  const dossiers = new Map<string, DossierOwnership>();
  const taken: DossierEvent[] = [];
  const leftOut: LeftOut[] = [];
  for (const event of events) {
    const dossier = dossiers.get(event.dossierId);
    const reason = refusal(event, dossier, { units, unknownUnits });
    if (reason !== undefined) {
      leftOut.push({ event, reason });
      continue;
    }
    taken.push(event);
    // The dossier as the consumer stores it: its owner is the source of its first receipt.
    const named = unitNamed(event);
    if (event.type === "dossier.received" && !dossier?.received)
      dossiers.set(event.dossierId, { owner: event.source, received: true, unitId: named });
    else if (event.type === "dossier.transferred" && dossier) dossier.unitId = named;
  }
  return {
    events: taken,
    admits: (source, dossierId, unitId) => units.admits(source, dossierId, unitId),
    leftOut,
  };
}

/** The note on stderr for the events left out: how many, and the first few with their reasons. */
export function leftOutNote(leftOut: readonly LeftOut[]): string {
  const first = leftOut
    .slice(0, 5)
    .map(({ event, reason }) => `  ${event.dossierId} ${event.eventId}: ${reason}\n`)
    .join("");
  const more = leftOut.length > 5 ? `  … and ${leftOut.length - 5} more\n` : "";
  return `note: ${leftOut.length} event${leftOut.length === 1 ? "" : "s"} left out, as the stack would quarantine ${leftOut.length === 1 ? "it" : "them"} (the --units directory's units and grants):\n${first}${more}`;
}

/**
 * The events as the stack would take them, with the grants, when a directory is given (a note on
 * stderr for those left out); without one, the events as they are.
 */
export async function takenAsTheStack(
  events: DossierEvent[],
  directory: AgencyDirectoryFile | undefined,
  unknownUnits: "accept" | "reject",
): Promise<{ events: DossierEvent[]; admits?: Awaited<ReturnType<typeof asTheStackTakes>>["admits"] }> {
  if (!directory) return { events };
  const taken = await asTheStackTakes(events, directory, unknownUnits);
  if (taken.leftOut.length) process.stderr.write(leftOutNote(taken.leftOut));
  return { events: taken.events, admits: taken.admits };
}
