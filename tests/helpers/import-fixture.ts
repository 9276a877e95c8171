import { seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import type { ImportInput } from "../../lib/app/import";
import type { DossierEvent } from "../../lib/domain/events/schema";

/**
 * The events the import tests use (shared with the import they kill in a child process): every
 * fifth dossier of the seed quarter, all its events in the seed's order (its own repeats
 * included), and three the consumer refuses: a conflicting body under an applied identity, a
 * `received` naming a unit the directory does not have, and a second `received` of a dossier.
 */
export function importFixture(): DossierEvent[] {
  const seed = seed2022Q3();
  const ids = [...new Set(seed.map((e) => e.dossierId))];
  const chosen = new Set(ids.filter((_, i) => i % 15 === 0));
  const events = seed.filter((e) => chosen.has(e.dossierId));
  const received = events.find((e) => e.type === "dossier.received") as DossierEvent & {
    type: "dossier.received";
  };
  return [
    ...events,
    { ...received, occurredAt: "2022-07-01T08:00:00+07:00" },
    {
      ...received,
      eventId: `${received.eventId}-x`,
      dossierId: "IMPORT-UNKNOWN-UNIT",
      data: { ...received.data, unitId: "no-such-unit" },
    },
    { ...received, eventId: `${received.eventId}-again` },
  ] as DossierEvent[];
}

export const asImport = (events: readonly DossierEvent[]): ImportInput[] =>
  events.map((input, i) => ({ input, where: `fixture:${i + 1}` }));
