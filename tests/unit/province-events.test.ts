import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { provinceEvents } from "../../dev/province/events";
import { buildAgencyTree, validOn } from "../../lib/domain/agencies";
import { parseAgencyDirectory } from "../../lib/domain/agency-file";
import { countsPerUnit, rollUpDate, rollUpReports } from "../../lib/domain/agency-rollup";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import { validateEvent } from "../../lib/domain/events/validate";
import { type Period, periodByName } from "../../lib/domain/periods";
import { computeReport } from "../../lib/domain/report";
import { instant, localDate } from "../../lib/domain/time";
import { ROOT } from "../helpers/fixtures";

const parsed = parseAgencyDirectory(
  JSON.parse(readFileSync(join(ROOT, "events/units/province-sample.json"), "utf8")),
);
if (!parsed.ok) throw new Error("the province sample does not load");
const directory = parsed.value;
const tree = buildAgencyTree(directory);
const options = { directory, seed: 7, from: "2025-04-01", to: "2025-09-30", dossiers: 3000 };
const events = provinceEvents(options);
const settings = { calendar: WorkingCalendar.official(), catalog: catalogOf() };

describe("the province's events (dev/province/events.ts)", () => {
  it("are deterministic for a seed, keep the event contract, and name units valid on their day", () => {
    expect(JSON.stringify(provinceEvents(options))).toBe(JSON.stringify(events));
    expect(JSON.stringify(provinceEvents({ ...options, seed: 8 }))).not.toBe(JSON.stringify(events));
    for (const e of events) expect(validateEvent(e).ok, e.eventId).toBe(true);
    const units = new Map(directory.units.map((u) => [u.id, u]));
    const received = events.filter((e) => e.type === "dossier.received");
    expect(received).toHaveLength(3000);
    for (const e of received) {
      const unit = units.get(e.data.unitId);
      expect(unit && validOn(unit, localDate(instant(e.occurredAt))), e.dossierId).toBe(true);
    }
  });

  it("roll up by agency: the province's children add up to it, and it is the report from all events", () => {
    const asOf = instant("2025-12-31T12:00:00+07:00");
    for (const name of ["2025-Q2", "2025-Q3"]) {
      const period = periodByName({ kind: "calendar-quarter" }, name) as Period;
      const { perUnit } = countsPerUnit(events, settings, { period, asOf });
      const reports = rollUpReports(tree, perUnit, { period, asOf });
      const province = reports.get(tree.rootId)?.report;
      const kids = tree.childrenAt(tree.rootId, rollUpDate(period));
      const fromChildren =
        kids.agencies.reduce((s, a) => s + (reports.get(a)?.report.received.total ?? 0), 0) +
        kids.units.reduce((s, u) => s + (perUnit.get(u)?.byUnit.get(u)?.receivedNew ?? 0), 0) +
        kids.units.reduce((s, u) => s + (perUnit.get(u)?.byUnit.get(u)?.carriedOver ?? 0), 0);
      expect(fromChildren, name).toBe(province?.received.total);
      expect(province?.received.total, name).toBe(
        computeReport(events, settings, { period, asOf }).received.total,
      );
      expect(province?.received.total, name).toBeGreaterThan(1000);
    }
  });
});
