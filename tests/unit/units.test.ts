import { describe, expect, it } from "vitest";
import { refusal } from "../../lib/domain/ownership";
import { parseUnitDirectory, UnitDirectory } from "../../lib/domain/units";
import { readProjectFile } from "../helpers/fixtures";

const sample = parseUnitDirectory(JSON.parse(readProjectFile("events/units/seed-units.json")));
const directory = new UnitDirectory(sample.units, sample.leadership, [
  { source: "portal", dossierPrefixes: ["000.00.01.H48-"] },
  { source: "ministry", units: ["phong-tnmt"] },
]);
const rules = { units: directory, unknownUnits: "reject" as const };
const received = (source: string, dossierId: string, unitId: string) =>
  ({
    eventId: "r",
    type: "dossier.received",
    occurredAt: "2022-07-04T08:00:00+07:00",
    dossierId,
    source,
    data: { unitId, procedureCode: "p", channel: "direct" },
  }) as const;
const rated = (source: string, dossierId: string) =>
  ({
    eventId: "k",
    type: "dossier.rated",
    occurredAt: "2022-07-05T08:00:00+07:00",
    dossierId,
    source,
    data: { score: 5 },
  }) as const;

describe("grants in the unit directory", () => {
  it("parses integrations and names a grant of a unit the directory does not have", () => {
    const file = { ...sample, integrations: [{ source: "x", units: ["phong-tnmt"] }] };
    expect(parseUnitDirectory(file).integrations).toEqual([{ source: "x", units: ["phong-tnmt"] }]);
    expect(() => parseUnitDirectory({ ...file, integrations: [{ source: "x", units: ["nope"] }] })).toThrow(
      "unit directory: integrations: x: no unit nope",
    );
    expect(() => parseUnitDirectory({ ...file, integrations: [{ source: "x" }, { source: "x" }] })).toThrow(
      "appears twice",
    );
  });

  it("decides who may write what", () => {
    const owned = { owner: "A", received: true, unitId: "phong-tnmt" };
    expect(refusal(rated("A", "D1"), owned, rules)).toBeUndefined();
    expect(refusal(rated("B", "D1"), owned, rules)).toBe("dossier D1 belongs to another integration");
    expect(refusal(rated("ministry", "D1"), owned, rules)).toBeUndefined();
    expect(refusal(rated("ministry", "D1"), { ...owned, unitId: "phong-tckh" }, rules)).toBe(
      "dossier D1 belongs to another integration",
    );
    // Orphans of any source are kept (the projection keeps them from counting).
    expect(refusal(rated("B", "D2"), undefined, rules)).toBeUndefined();
    // A granted integration may change a dossier, never create it a second time.
    expect(refusal(received("ministry", "D1", "phong-tnmt"), owned, rules)).toBe(
      "dossier D1 belongs to another integration",
    );
    expect(refusal(received("ministry", "D3", "phong-tckh"), undefined, rules)).toBe(
      "integration ministry is not granted unit phong-tckh",
    );
    expect(refusal(received("A", "000.00.01.H48-1", "phong-tnmt"), undefined, rules)).toBe(
      "dossier 000.00.01.H48-1 is under a dossier-id prefix granted to another integration",
    );
    expect(refusal(received("portal", "000.00.01.H48-1", "phong-tnmt"), undefined, rules)).toBeUndefined();
    expect(refusal(received("A", "D4", "fake-unit"), undefined, rules)).toBe(
      "unit fake-unit is not in the unit directory",
    );
    expect(refusal(received("A", "D4", "fake-unit"), undefined, { ...rules, unknownUnits: "accept" })).toBe(
      undefined,
    );
  });
});

describe('a grant of every unit ("units": "*")', () => {
  it("lets its source write any unit's dossiers and name any unit, reserving nothing", () => {
    const file = { ...sample, integrations: [{ source: "feedback", units: "*" as const }] };
    const parsed = parseUnitDirectory(file);
    const all = new UnitDirectory(parsed.units, parsed.leadership, parsed.integrations);
    const r = { units: all, unknownUnits: "reject" as const };
    const owned = { owner: "A", received: true, unitId: "phong-tckh" };
    expect(refusal(rated("feedback", "D1"), owned, r)).toBeUndefined();
    expect(refusal(rated("B", "D1"), owned, r)).toBe("dossier D1 belongs to another integration");
    expect(refusal(received("feedback", "D5", "phong-tu-phap"), undefined, r)).toBeUndefined();
    // Still no unit outside the directory, and no second receipt of another's dossier.
    expect(refusal(received("feedback", "D6", "fake-unit"), undefined, r)).toBe(
      "unit fake-unit is not in the unit directory",
    );
    expect(refusal(received("feedback", "D1", "phong-tckh"), owned, r)).toBe(
      "dossier D1 belongs to another integration",
    );
    // Any other value is refused, naming the field.
    expect(() =>
      parseUnitDirectory({ ...sample, integrations: [{ source: "feedback", units: "all" }] }),
    ).toThrow(/integrations\.0\.units/);
  });
});

describe("the one-stop desk in the unit directory (docs/rules.md R4)", () => {
  it("is optional per unit, and a bad contact is named with its path", () => {
    expect(directory.oneStopDeskOf("phong-tnmt").map((c) => c.email)).toEqual(["mot-cua@ubnd.example.org"]);
    expect(directory.oneStopDeskOf("bp-mot-cua")).toEqual([]);
    expect(directory.oneStopDeskOf("no-such-unit")).toEqual([]);
    const units = sample.units.map((u, i) =>
      i === 1 ? { ...u, oneStopDesk: [{ name: "Một cửa", email: "not-an-address" }] } : u,
    );
    expect(() => parseUnitDirectory({ ...sample, units })).toThrow(/units\.1\.oneStopDesk\.0\.email/);
    expect(() => parseUnitDirectory({ ...sample, units: [{ ...sample.units[1], oneStopDesk: [] }] })).toThrow(
      /units\.0\.oneStopDesk/,
    );
  });
});

describe("unit ids", () => {
  it("refuses a unit id that begins with '#', which would take the place of the directory's own items", () => {
    const units = sample.units.map((u, i) => (i === 2 ? { ...u, id: "#leadership" } : u));
    expect(() => parseUnitDirectory({ ...sample, units })).toThrow(/units\.2\.id: must not begin with '#'/);
  });
});

describe("a directory's lists of people", () => {
  it("hold at most what one email takes (SES: 50 recipients), named by their field", () => {
    const c = (i: number) => ({ name: `Người ${i}`, email: `nguoi-${i}@ubnd.example.org` });
    const unit = { id: "u", nameVi: "Đơn vị", nameEn: "Unit", level: "district-department", head: c(0) };
    const many = (n: number) => Array.from({ length: n }, (_, i) => c(i + 1));
    expect(() =>
      parseUnitDirectory({ leadership: [c(0)], units: [{ ...unit, deputies: many(49) }] }),
    ).not.toThrow();
    expect(() =>
      parseUnitDirectory({ leadership: [c(0)], units: [{ ...unit, deputies: many(50) }] }),
    ).toThrow(/units\.0\.deputies: at most 49/);
    expect(() =>
      parseUnitDirectory({ leadership: [c(0)], units: [{ ...unit, escalation: many(51) }] }),
    ).toThrow(/units\.0\.escalation: at most 50/);
    expect(() => parseUnitDirectory({ leadership: many(51), units: [unit] })).toThrow(
      /leadership: at most 50/,
    );
  });
});
