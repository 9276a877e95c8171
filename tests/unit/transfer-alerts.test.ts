import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alreadyRaised } from "../../lib/domain/alert-marks";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { planDossier } from "../../lib/domain/plan";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory, type Unit, UnitDirectory } from "../../lib/domain/units";
import { ROOT } from "../helpers/fixtures";

/**
 * A transferred dossier's alerts (docs/rules.md R4): the clock's stages once for each unit that
 * holds the dossier, its desk and escalation list told only when they are other people, and
 * marks kept before marks named their unit read as the unit's now.
 */
const settings = {
  calendar: WorkingCalendar.official(),
  catalog: catalogOf(),
  scheme: { kind: "calendar-quarter" as const },
};
const file = parseUnitDirectory(JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")));
const contact = (who: string) => ({ name: who, email: `${who}@example.org` });
/** The seed's directory with the environment office's desk and escalation list changed. */
const directory = (env: Partial<Unit>) =>
  new UnitDirectory(
    file.units.map((u) => (u.id === "phong-tnmt" ? { ...u, ...env } : u)),
    file.leadership,
  );

const events: DossierEvent[] = [
  {
    eventId: "r",
    type: "dossier.received",
    occurredAt: "2022-07-04T08:00:00+07:00",
    dossierId: "TR-1",
    data: {
      unitId: "phong-tu-phap",
      procedureCode: "1.001193",
      channel: "direct",
      dueAt: "2022-07-14T17:00:00+07:00",
    },
  },
];
const transfer: DossierEvent = {
  eventId: "t",
  type: "dossier.transferred",
  occurredAt: "2022-07-20T14:00:00+07:00",
  dossierId: "TR-1",
  data: { toUnitId: "phong-tnmt" },
};

/** The alerts raised at the justice office by 2022-07-20 10:00, then those raised after the transfer. */
function raisedAfterTransfer(units: UnitDirectory) {
  const before = planDossier(
    "TR-1",
    events,
    undefined,
    instant("2022-07-20T10:00:00+07:00"),
    settings,
    units,
    {
      raiseAlerts: true,
    },
  );
  const after = planDossier(
    "TR-1",
    [...events, transfer],
    { counted: before.counted, marks: before.marks },
    instant("2022-07-20T14:30:00+07:00"),
    settings,
    units,
    { raiseAlerts: true },
  );
  const name = (a: { kind: string; oneStopDesk?: boolean }) => `${a.kind}${a.oneStopDesk ? " desk" : ""}`;
  return { before: before.raise.map(name).sort(), after: after.raise.map(name).sort() };
}

describe("a transferred dossier's alerts", () => {
  it("tells the new unit's desk and escalation list only when they are other people", () => {
    const same = raisedAfterTransfer(directory({}));
    expect(same.before).toEqual(["apology_missed desk", "escalation", "overdue", "possibly_closed"]);
    // The transfer is an event: the quiet dossier's threshold moves, and is not crossed yet.
    expect(same.after).toEqual(["apology_missed", "overdue"]);
    const own = raisedAfterTransfer(
      directory({ oneStopDesk: [contact("mot-cua-tnmt")], escalation: [contact("pho-chu-tich-tnmt")] }),
    );
    expect(own.before).toEqual(same.before);
    expect(own.after).toEqual(["apology_missed desk", "escalation", "overdue"]);
  });

  it("reads a mark kept before marks named their unit as raised for the unit now", () => {
    const stage = { kind: "overdue" as const, key: 1 };
    // The kind alone: whichever unit holds the dossier was told.
    expect(alreadyRaised({ overdue: 1 }, stage, "phong-tnmt")).toBe(true);
    // Named: told only that unit; another threshold key is another alert.
    expect(alreadyRaised({ "overdue@phong-tu-phap": 1 }, stage, "phong-tu-phap")).toBe(true);
    expect(alreadyRaised({ "overdue@phong-tu-phap": 1 }, stage, "phong-tnmt")).toBe(false);
    expect(alreadyRaised({ "overdue@phong-tnmt": 2 }, stage, "phong-tnmt")).toBe(false);
    // Both: the unit-named mark says who was told.
    expect(alreadyRaised({ overdue: 1, "overdue@phong-tu-phap": 1 }, stage, "phong-tnmt")).toBe(false);
    // A breach is the unit's that committed it: its mark is the kind's alone.
    expect(alreadyRaised({ late_apology: 1 }, { kind: "late_apology", key: 1 }, "phong-tnmt")).toBe(true);
  });
});
