import type { AgencyDirectoryFile } from "../lib/domain/agency-file";
import type { ProjectionSettings } from "../lib/domain/dossier-state";
import type { DossierEvent } from "../lib/domain/events/schema";

/**
 * `report --events … --units FILE`: what the stack does with a unit directory that a report from
 * events files must do too, so that both give the same numbers (docs/cli.md):
 * - the directory's integration grants let another source's events count on a dossier
 *   (lib/domain/plan.ts `withGrants`); without them every such event is `other_source`;
 * - an event the consumer refuses (a unit the directory lacks, a unit or dossier-id prefix the
 *   source is not granted, a second body under an event's identity, a full log) is left out, as the
 *   stack quarantines it: each decided by the consumer's own check (lib/app/apply.ts `checkApply`)
 *   on the dossier as the consumer would hold it, the events arriving in the files' order.
 */

/** An event left out, with the reason the stack's quarantine would give. */
export interface LeftOut {
  event: DossierEvent;
  reason: string;
}

type Admits = (source: string | undefined, dossierId: string, unitId: string | undefined) => boolean;

export async function asTheStackTakes(
  events: readonly DossierEvent[],
  directory: AgencyDirectoryFile,
  unknownUnits: "accept" | "reject",
  settings: ProjectionSettings,
): Promise<{ events: DossierEvent[]; admits: Admits; leftOut: LeftOut[] }> {
  const [{ UnitDirectory }, { checkApply }, { storableEvent, storedKey }, { projectDossier }, { instant }] =
    await Promise.all([
      import("../lib/domain/units"),
      import("../lib/app/apply"),
      import("../lib/domain/records"),
      import("../lib/domain/projection"),
      import("../lib/domain/time"),
    ]);
  const units = new UnitDirectory(directory.units, directory.leadership, directory.integrations ?? []);
  const admits: Admits = (source, dossierId, unitId) => units.admits(source, dossierId, unitId);
  const logs = new Map<string, DossierEvent[]>();
  const taken: DossierEvent[] = [];
  const leftOut: LeftOut[] = [];
  for (const event of events) {
    const log = logs.get(event.dossierId) ?? [];
    // The dossier as the consumer stores it once it holds an event: its owner, receipt and unit
    // as its log projects them, to its latest event (lib/domain/plan.ts).
    const latest = Math.max(...log.map((e) => instant(e.occurredAt)));
    const state = log.length
      ? projectDossier(event.dossierId, log, { ...settings, admits }, latest)
      : undefined;
    const prior = log.find((e) => storedKey(e) === storedKey(event));
    const decision = checkApply(
      { units, unknownUnits },
      {
        dossier: state && { owner: state.owner, received: state.received, unitId: state.unitId },
        log,
        prior,
      },
      event,
    );
    if (decision?.kind === "duplicate") continue;
    if (decision?.kind === "quarantine") {
      leftOut.push({ event, reason: decision.reason });
      continue;
    }
    log.push(storableEvent(event));
    logs.set(event.dossierId, log);
    taken.push(event);
  }
  return { events: taken, admits, leftOut };
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
  settings: ProjectionSettings,
): Promise<{ events: DossierEvent[]; admits?: Admits }> {
  if (!directory) return { events };
  const taken = await asTheStackTakes(events, directory, unknownUnits, settings);
  if (taken.leftOut.length) process.stderr.write(leftOutNote(taken.leftOut));
  return { events: taken.events, admits: taken.admits };
}
