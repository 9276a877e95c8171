import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { parseUnitDirectory, UnitDirectory } from "../../lib/domain/units";
import { ROOT } from "./fixtures";

/**
 * Small hand-written histories for tests on DynamoDB Local: the seed's unit directory, and
 * dossiers of its justice office received Mon 2022-07-04 08:00, due Mon 2022-07-11 17:00.
 */

export const seedDirectoryFile = () =>
  parseUnitDirectory(JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")));

export const seedDirectory = () => {
  const file = seedDirectoryFile();
  return new UnitDirectory(file.units, file.leadership);
};

/** An event of dossier `id`, its id `id.n`, at local time `at` (`2022-07-05T09:00`). */
export const ev = (id: string, n: string, type: DossierEvent["type"], at: string, data: object = {}) =>
  ({ dossierId: id, eventId: `${id}.${n}`, type, occurredAt: `${at}:00+07:00`, data }) as DossierEvent;

/** The receipt of dossier `id` at the justice office, Mon 2022-07-04 08:00, due 2022-07-11 17:00. */
export const received = (id: string) =>
  ev(id, "r", "dossier.received", "2022-07-04T08:00", {
    unitId: "phong-tu-phap",
    procedureCode: "1.001193",
    channel: "direct",
    dueAt: "2022-07-11T17:00:00+07:00",
  });
