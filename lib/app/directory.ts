import { agencyTreeOf } from "../domain/agency-directory";
import { localDate } from "../domain/time";
import type { UnitDirectory } from "../domain/units";
import type { DirectoryReader } from "./ports";

/**
 * The unit directory as a handler keeps it between requests, in one place for every handler that
 * reads it (ingestion, the consumer, the query API).
 *
 * - Kept: read at most once per `ttlMs` (a minute by default), so a burst of requests costs one
 *   small query, and a change (a grant, a new threshold) reaches every handler within that time.
 * - A miss: when a request names a unit the kept directory lacks, the caller asks again with
 *   `"miss"`, and the directory is read again before the event is refused or quarantined, so a unit
 *   imported into a running stack takes its events at once.
 * - The bound on misses: a miss re-reads only if the kept directory is older than `missRereadMs`
 *   (a second by default), whatever unit is missing, and concurrent misses share the one read in
 *   flight. A flood of events for units that do not exist costs at most one directory read a second
 *   per execution environment; an event for a unit imported at least that long before it arrives is
 *   always judged on a directory that holds the unit.
 * - A failed read is not kept: the next request tries again.
 */
export type DirectorySource = (why?: "miss") => Promise<UnitDirectory>;

/** How long a handler keeps the directory it read. */
export const DIRECTORY_TTL_MS = 60_000;
/** The least time between two reads of the directory caused by a miss (see {@link DirectorySource}). */
export const MISS_REREAD_MS = 1_000;

export function cachedDirectory(
  directory: DirectoryReader,
  now: () => number,
  {
    ttlMs = DIRECTORY_TTL_MS,
    missRereadMs = MISS_REREAD_MS,
    today,
  }: {
    ttlMs?: number;
    missRereadMs?: number;
    /** The handler's clock of business time: the directory is read as it stands on its day (default: real time's). */
    today?: () => number;
  } = {},
): DirectorySource {
  let cached: { at: number; day?: string; directory: Promise<UnitDirectory> } | undefined;
  return (why) => {
    const t = now();
    const maxAge = why === "miss" ? Math.min(missRereadMs, ttlMs) : ttlMs;
    // A new business day is read at once: a unit's escalations and desk may change on it (a merger).
    const day = today ? localDate(today()) : undefined;
    if (!cached || t - cached.at >= maxAge || t < cached.at || cached.day !== day) {
      const read = directory.get(day);
      cached = { at: t, day, directory: read };
      read.catch(() => {
        if (cached?.directory === read) cached = undefined;
      });
    }
    return cached.directory;
  };
}

/**
 * The agency tree of the directory a handler holds: the stored agencies' tree, or, for a
 * directory stored without agencies (the seed's), one office holding every unit. Built once per
 * directory read, so it is as fresh as the directory it came with.
 */
export { agencyTreeOf } from "../domain/agency-directory";

/** The directory's names of these units, in both languages (a unit it lacks is left out). */
export function mentionedUnitNames(
  directory: UnitDirectory,
  ids: readonly (string | undefined)[],
): Record<string, { vi: string; en: string }> {
  const out: Record<string, { vi: string; en: string }> = {};
  for (const id of ids) {
    const unit = directory.get(id);
    if (unit) out[unit.id] = { vi: unit.nameVi, en: unit.nameEn };
  }
  return out;
}

/**
 * The names people read, by id, of every unit and agency of the directory's tree in `locale`:
 * what labels a table's rows and its total (an agency's report is named after its agency).
 */
export function displayNames(directory: UnitDirectory, locale: "vi" | "en"): Map<string, string> {
  return new Map(
    agencyTreeOf(directory)
      .all()
      .map((n) => [n.id, locale === "vi" ? n.nameVi : n.nameEn]),
  );
}
