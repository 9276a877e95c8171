import { type Agency, buildAgencyTree, covers, type FormerPath, type FormerPaths } from "./agencies";
import { addDays, type LocalDate } from "./time";
import type { Contact, Unit } from "./units";

/**
 * Where a unit's counters were kept under the trees imported before this one (docs/kpis.md "A tree
 * imported again"). A counter item's key is the unit's roll-up path on its period's last day as the
 * tree stood when the dossier was counted (agency-rollup.ts `counterPath`), and a dossier nothing
 * touches again keeps counting there. So each import records, per unit, the paths an earlier tree
 * gave it for days on which this one gives another (`from` to `until`, exclusive), and an agency's
 * read takes its units' items from those paths too (lib/app/kpis.ts `readNodeCounts`).
 */

/** A directory as far as its tree goes. */
export interface TreeFile {
  units: readonly Unit[];
  leadership: readonly Contact[];
  agencies?: readonly Agency[];
}

/** The days the paths can change on: before everything, each validity's edges, each kept range's. */
function edges(files: readonly TreeFile[], kept: FormerPaths): LocalDate[] {
  const days = new Set<LocalDate>(["0001-01-01"]);
  for (const f of files)
    for (const n of [...(f.agencies ?? []), ...f.units]) {
      if (n.validFrom) days.add(n.validFrom);
      if (n.validTo) days.add(addDays(n.validTo, 1));
    }
  for (const list of Object.values(kept))
    for (const r of list) {
      days.add(r.from);
      if (r.until) days.add(r.until);
    }
  return [...days].sort();
}

/**
 * How long after an import a period can still roll up with items counted under the tree before:
 * a period the import falls in ends within three years (a quarter, a year, or an office's window:
 * a longer window is not covered), and a period that begins after the import is counted by the new
 * tree from its start. Bounds what an agency's later reads ask for by key.
 */
export const FORMER_PATHS_DAYS = 3 * 366;

/**
 * The former paths once `next` is imported over `previous` (the stored directory, if any) on
 * `importedOn`: on each roll-up day up to {@link FORMER_PATHS_DAYS} after it, the path `previous`
 * gave a unit and those kept before, wherever `next` gives another. A tree imported where there was
 * none has none: its first import finds the older items by the read's look outside the tree
 * (docs/kpis.md).
 */
export function formerPathsAfter(
  previous: TreeFile | undefined,
  next: TreeFile,
  kept: FormerPaths,
  importedOn: LocalDate,
): Record<string, FormerPath[]> {
  if (!next.agencies?.length) return {};
  // Never before a bound kept from an earlier import (one dated later, or by another clock).
  const keptEnds = Object.values(kept).flatMap((list) => list.map((r) => r.until ?? ""));
  const end = [addDays(importedOn, FORMER_PATHS_DAYS), ...keptEnds].sort().at(-1) as LocalDate;
  const before = previous?.agencies?.length ? buildAgencyTree(previous) : undefined;
  const after = buildAgencyTree(next);
  const days = edges([...(previous ? [previous] : []), next], kept).filter((d) => d < end);
  days.push(end);
  const unitIds = new Set([...(previous?.units ?? []), ...next.units].map((u) => u.id));
  for (const id of Object.keys(kept)) unitIds.add(id);
  const out: Record<string, FormerPath[]> = {};
  for (const unit of unitIds) {
    const list: FormerPath[] = [];
    days.slice(0, -1).forEach((from, i) => {
      const until = days[i + 1] as LocalDate;
      const now = JSON.stringify(after.rollUpPath(unit, from).reverse());
      const then = new Map<string, string[]>();
      for (const r of kept[unit] ?? []) if (covers(r, from)) then.set(JSON.stringify(r.path), [...r.path]);
      if (before) {
        const path = before.rollUpPath(unit, from).reverse();
        then.set(JSON.stringify(path), path);
      }
      then.delete(now);
      for (const path of then.values()) {
        // One range a path while it lasts: the day before ended where this one begins.
        const open = list.find((r) => r.until === from && JSON.stringify(r.path) === JSON.stringify(path));
        if (open) open.until = until;
        else list.push({ path, from, until });
      }
    });
    if (list.length) out[unit] = list;
  }
  return out;
}
