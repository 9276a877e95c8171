import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { provinceLoad } from "../../dev/province/load";
import { parseDirectoryFile } from "../../lib/domain/agency-directory";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import { validateEvent } from "../../lib/domain/events/validate";
import { CALENDAR_QUARTER } from "../../lib/domain/periods";
import { planDossier } from "../../lib/domain/plan";
import { groupByDossier } from "../../lib/domain/projection";
import { instant } from "../../lib/domain/time";
import { UnitDirectory } from "../../lib/domain/units";
import { ROOT } from "../helpers/fixtures";

// The bench's province load (dev/province/load.ts): what the province section imports.
const at = instant("2025-12-16T16:45:00+07:00");
const dir = parseDirectoryFile(
  JSON.parse(readFileSync(join(ROOT, "events/units/province-sample.json"), "utf8")),
  "2025-12-16",
);
const calendar = WorkingCalendar.official();
const options = {
  units: dir.units,
  calendar,
  seed: 5,
  at,
  open: 600,
  from: "2025-01-01",
  closedPerUnitQuarter: 1,
};
const load = provinceLoad(options);
const settings = { calendar, catalog: catalogOf(), scheme: CALENDAR_QUARTER };

describe("the province's load for the bench", () => {
  it("is deterministic, keeps the event contract, and has nothing after its instant", () => {
    expect(JSON.stringify(provinceLoad(options))).toBe(JSON.stringify(load));
    for (const e of load.events) {
      expect(validateEvent(e, { now: at }).ok, e.eventId).toBe(true);
      expect(instant(e.occurredAt)).toBeLessThanOrEqual(at);
    }
  });

  it("holds the open dossiers asked for, none past an alert threshold, and a closed history", () => {
    const units = new UnitDirectory(dir.units, dir.leadership);
    const dossiers = groupByDossier(load.events);
    let open = 0;
    for (const [id, events] of dossiers) {
      const plan = planDossier(id, events, undefined, at, settings, units, { raiseAlerts: true });
      if (id.startsWith("PV-")) {
        open++;
        expect(plan.state.closedAt, id).toBeUndefined();
        expect(plan.raise, id).toEqual([]);
      } else expect(plan.state.closedAt, id).toBeDefined();
    }
    expect(open).toBe(600);
    // Units of 2025's four quarters each had one closed dossier a quarter.
    expect(dossiers.size - open).toBeGreaterThan(4000);
    expect(load.receiptsPerWorkingDay).toBeGreaterThan(0);
    expect(load.olderLeftOut).toBeGreaterThan(0);
  });

  it("lists each unit's dossiers together, each dossier's events in their order, the same events as drawn", () => {
    const unitOf = new Map<string, string>();
    for (const e of load.events) if (e.type === "dossier.received") unitOf.set(e.dossierId, e.data.unitId);
    const runs: string[] = [];
    for (const e of load.events) {
      const unit = unitOf.get(e.dossierId) as string;
      if (runs.at(-1) !== unit) runs.push(unit);
    }
    // A unit left is never come back to: as many runs as units.
    expect(runs.length).toBe(new Set(runs).size);
    expect(runs.length).toBeGreaterThan(100);
    const drawn = provinceLoad({ ...options, order: "drawn" }).events;
    const ids = (events: typeof drawn) => events.map((e) => e.eventId);
    expect(ids(load.events)).not.toEqual(ids(drawn));
    expect([...ids(load.events)].sort()).toEqual([...ids(drawn)].sort());
    const inOrder = (events: typeof drawn) =>
      [...groupByDossier(events)].map(([id, list]) => `${id}:${list.map((e) => e.eventId).join(",")}`).sort();
    expect(inOrder(load.events)).toEqual(inOrder(drawn));
  });
});
