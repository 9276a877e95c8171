import { SEED_PERIOD } from "../../dev/scenarios/seed-2022-q3";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import type { CountingSettings } from "../../lib/domain/counting";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory, UnitDirectory } from "../../lib/domain/units";
import { readProjectFile } from "./fixtures";

/** The settings and clock of the fault tests (shared with the consumer they run in a child process). */
export const FAULT_NOW = instant("2026-11-30T09:00:00+07:00");
export const faultSettings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  catalog: catalogOf(),
  scheme: { kind: "explicit", windows: [SEED_PERIOD] },
};

/** The sample unit directory (events/units), which holds every unit of the seed scenario. */
export function seedDirectory(): UnitDirectory {
  const file = parseUnitDirectory(JSON.parse(readProjectFile("events/units/seed-units.json")));
  return new UnitDirectory(file.units, file.leadership, file.integrations);
}
