import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Agency, buildAgencyTree, OFFICE_NODE_ID, validOn } from "../../lib/domain/agencies";
import { inheritedUnits, parseAgencyDirectory } from "../../lib/domain/agency-file";
import { parseUnitDirectory, UnitDirectory } from "../../lib/domain/units";
import { generateProvince, MERGER_DATE } from "../../scripts/province-directory";

const ROOT = join(__dirname, "..", "..");
const readJson = (file: string): unknown => JSON.parse(readFileSync(join(ROOT, file), "utf8"));

const contact = (who: string) => ({ name: who, email: `${who}@example.org` });
const unit = (id: string, parentId: string | undefined, extra: Record<string, unknown> = {}) => ({
  id,
  nameVi: `Đơn vị ${id}`,
  nameEn: `Unit ${id}`,
  level: "commune",
  ...(parentId ? { parentId } : {}),
  head: contact(`head-${id}`),
  ...extra,
});
const agency = (id: string, parentId: string | undefined, extra: Partial<Agency> = {}): Agency => ({
  id,
  nameVi: `Cơ quan ${id}`,
  nameEn: `Agency ${id}`,
  level: parentId ? "commune" : "province",
  ...(parentId ? { parentId } : {}),
  ...extra,
});

/**
 * A province with a department, a district of two communes merged on 2025-07-01 into one new
 * commune (and a district office that ends with the district), each with a unit.
 */
function smallProvince() {
  return {
    leadership: [contact("chu-tich-tinh")],
    agencies: [
      agency("p", undefined, {
        oneStopDesk: [contact("phvhcc-tinh")],
        thresholds: { nearDueWorkingHours: 16, escalationWorkingDays: 5 },
      }),
      agency("so-tp", "p", { level: "provincial-department", leadership: [contact("giam-doc-so-tp")] }),
      agency("huyen", "p", {
        level: "district",
        validFrom: "2020-01-01",
        validTo: "2025-06-30",
        leadership: [contact("chu-tich-huyen")],
        thresholds: { nearDueWorkingHours: 24 },
      }),
      agency("xa-a", "huyen", { validFrom: "2020-01-01", validTo: "2025-06-30", successorIds: ["xa-moi"] }),
      agency("xa-b", "huyen", {
        validFrom: "2020-01-01",
        validTo: "2025-06-30",
        successorIds: ["xa-moi"],
        oneStopDesk: [contact("mot-cua-xa-b")],
      }),
      agency("xa-moi", "p", { validFrom: "2025-07-01", leadership: [contact("chu-tich-xa-moi")] }),
    ],
    units: [
      unit("so-tp.u", "so-tp"),
      unit("huyen.tu-phap", "huyen", { validFrom: "2020-01-01", validTo: "2025-06-30" }),
      unit("xa-a.u", "xa-a", { validFrom: "2020-01-01", validTo: "2025-06-30" }),
      unit("xa-b.u", "xa-b", {
        validFrom: "2020-01-01",
        validTo: "2025-06-30",
        thresholds: { escalationWorkingDays: 2 },
      }),
      unit("xa-moi.u", "xa-moi", { validFrom: "2025-07-01" }),
      unit("tinh.u", undefined),
    ],
  };
}

function problemsOf(data: unknown): string[] {
  const parsed = parseAgencyDirectory(data);
  return parsed.ok ? [] : parsed.error.map((p) => `${p.path}: ${p.message}`);
}

describe("the agency tree: the directory's format", () => {
  it("loads the seed's directory unchanged, as one office holding its 8 units under its leadership", () => {
    const data = readJson("events/units/seed-units.json");
    const parsed = parseAgencyDirectory(data);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    expect(parsed.value).toEqual({ ...parseUnitDirectory(data) });
    const tree = buildAgencyTree(parsed.value);
    const flat = new UnitDirectory(parsed.value.units, parsed.value.leadership);
    expect(tree.rootId).toBe(OFFICE_NODE_ID);
    expect(tree.agencies().map((a) => a.id)).toEqual([OFFICE_NODE_ID]);
    const at = "2022-08-01";
    expect(tree.subtree(OFFICE_NODE_ID, at).units).toEqual(parsed.value.units.map((u) => u.id));
    for (const u of parsed.value.units) {
      expect(tree.rollUpPath(u.id, at)).toEqual([OFFICE_NODE_ID]);
      expect(tree.effectiveLeadership(u.id)).toEqual(parsed.value.leadership);
      // The desk and thresholds mean what they meant: the unit's own, nothing inherited.
      expect(tree.effectiveOneStopDesk(u.id)).toEqual(flat.oneStopDeskOf(u.id));
      expect(tree.effectiveThresholds(u.id)).toEqual(u.thresholds ?? {});
    }
  });

  it("checks a directory without agencies as before: unit dates and successors are not its business", () => {
    const flat = {
      leadership: [contact("lanh-dao")],
      units: [unit("a", "ubnd", { validFrom: "2024-01-01", validTo: "2023-01-01", successorIds: ["gone"] })],
    };
    expect(problemsOf(flat)).toEqual([]);
    expect(parseUnitDirectory(flat).units).toHaveLength(1);
  });

  it("accepts the small province and names each field of a broken tree", () => {
    expect(problemsOf(smallProvince())).toEqual([]);
    const broken = (edit: (d: ReturnType<typeof smallProvince>) => void) => {
      const d = smallProvince();
      edit(d);
      return problemsOf(d);
    };
    const at = (d: ReturnType<typeof smallProvince>, id: string) =>
      d.agencies.find((a) => a.id === id) as Agency;
    expect(broken((d) => (at(d, "so-tp").parentId = "nowhere"))).toEqual([
      "agencies.1.parentId: no agency nowhere",
    ]);
    expect(
      broken((d) => {
        at(d, "p").parentId = "so-tp";
      }),
    ).toEqual(
      expect.arrayContaining(["agencies: expected exactly one agency without a parent (the root), found 0"]),
    );
    expect(
      broken((d) => {
        d.agencies.push(agency("x1", "x2"), agency("x2", "x1"));
      }),
    ).toEqual(["agencies.6.parentId: cycle: x1 → x2 → x1", "agencies.7.parentId: cycle: x2 → x1 → x2"]);
    expect(broken((d) => (at(d, "xa-a").successorIds = ["xa-ghost"]))).toEqual([
      "agencies.3.successorIds.0: no such node xa-ghost",
    ]);
    expect(broken((d) => (at(d, "xa-moi").validFrom = "2025-08-01"))).toEqual([
      "agencies.3.successorIds.0: xa-moi is valid 2025-08-01..…, not on 2025-07-01, the day after xa-a ends",
      "agencies.4.successorIds.0: xa-moi is valid 2025-08-01..…, not on 2025-07-01, the day after xa-b ends",
      "units.4.parentId: unit xa-moi.u is valid 2025-07-01..… but agency xa-moi only 2025-08-01..…",
    ]);
    expect(
      broken((d) => {
        d.agencies.push(agency("so-tp-2", "p", { nameVi: "Cơ quan so-tp", validFrom: "2024-01-01" }));
      }),
    ).toEqual([
      "agencies.6.validFrom: so-tp-2 (2024-01-01..…) overlaps so-tp (…..…): same name under the same parent",
    ]);
    expect(broken((d) => (d.units[2] = unit("xa-a.u", "xa-a", { validFrom: "2020-01-01" })))).toEqual([
      "units.2.parentId: unit xa-a.u is valid 2020-01-01..… but agency xa-a only 2020-01-01..2025-06-30",
    ]);
    expect(broken((d) => (d.units[0] = unit("so-tp.u", "xa-a.u")))).toEqual([
      "units.0.parentId: xa-a.u is a unit: a unit's parent is an agency",
    ]);
    expect(broken((d) => (at(d, "huyen").validTo = "2019-12-31"))).toEqual(
      expect.arrayContaining(["agencies.2.validTo: validTo 2019-12-31 is before validFrom 2020-01-01"]),
    );
    expect(broken((d) => (at(d, "xa-b").validTo = undefined))).toEqual([
      "agencies.4.parentId: agency xa-b is valid 2020-01-01..… but agency huyen only 2020-01-01..2025-06-30",
      "agencies.4.validTo: a node with successors must end (validTo)",
    ]);
    expect(broken((d) => d.agencies.push(agency("so-tp.u", "p")))).toEqual([
      "agencies.6.id: so-tp.u is also a unit's id",
    ]);
  });
});

describe("the agency tree: where dossiers roll up, and what is inherited", () => {
  const parsed = parseAgencyDirectory(smallProvince());
  if (!parsed.ok) throw new Error("the small province does not load");
  const tree = buildAgencyTree(parsed.value);

  it("rolls a merged commune's units up under it before the merger and under its successor from the merger date", () => {
    expect(tree.reportingNode("xa-a.u", "2025-06-30")).toBe("xa-a");
    expect(tree.rollUpPath("xa-a.u", "2025-06-30")).toEqual(["xa-a", "huyen", "p"]);
    expect(tree.reportingNode("xa-a.u", MERGER_DATE)).toBe("xa-moi");
    expect(tree.rollUpPath("xa-b.u", MERGER_DATE)).toEqual(["xa-moi", "p"]);
    // The district's own office ends with the district (no successor): its dossiers go to the province.
    expect(tree.rollUpPath("huyen.tu-phap", MERGER_DATE)).toEqual(["p"]);
    // Before it existed, the new commune takes nothing; a unit the directory lacks counts at the root.
    expect(tree.rollUpPath("xa-moi.u", "2025-06-30")).toEqual(["p"]);
    expect(tree.rollUpPath("stray", "2025-06-30")).toEqual(["p"]);
    expect(tree.ancestors("xa-a", "2025-06-30")).toEqual(["huyen", "p"]);
    expect(tree.ancestors("xa-a", MERGER_DATE)).toEqual(["xa-moi", "p"]);
  });

  it("lists a node's subtree and children as they stand at a date", () => {
    expect(tree.subtree("p", "2025-06-30")).toEqual({
      agencies: ["p", "so-tp", "huyen", "xa-a", "xa-b"],
      units: ["so-tp.u", "huyen.tu-phap", "xa-a.u", "xa-b.u", "xa-moi.u", "tinh.u"],
    });
    expect(tree.subtree("p", MERGER_DATE).agencies).toEqual(["p", "so-tp", "xa-moi"]);
    expect(tree.subtree("xa-moi", MERGER_DATE)).toEqual({
      agencies: ["xa-moi"],
      units: ["xa-a.u", "xa-b.u", "xa-moi.u"],
    });
    expect(tree.subtree("huyen", MERGER_DATE)).toEqual({ agencies: [], units: [] });
    expect(tree.childrenAt("p", "2025-06-30")).toEqual({
      agencies: ["so-tp", "huyen"],
      units: ["xa-moi.u", "tinh.u"],
    });
    expect(tree.childrenAt("p", MERGER_DATE)).toEqual({
      agencies: ["so-tp", "xa-moi"],
      units: ["huyen.tu-phap", "tinh.u"],
    });
  });

  it("says whether a unit is under a key's agencies: where it counts on the day, or where the directory places it", () => {
    expect(tree.isUnder("xa-a.u", ["xa-moi"], "2025-06-30")).toBe(false);
    expect(tree.isUnder("xa-a.u", ["xa-moi"], MERGER_DATE)).toBe(true);
    expect(tree.isUnder("xa-a.u", ["xa-a"], MERGER_DATE)).toBe(true);
    expect(tree.isUnder("xa-a.u", ["huyen"], "2025-06-30")).toBe(true);
    expect(tree.isUnder("xa-a.u", ["so-tp"], "2025-06-30")).toBe(false);
    expect(tree.isUnder("xa-moi.u", ["xa-a", "xa-b", "so-tp"], MERGER_DATE)).toBe(false);
    expect(tree.isUnder("so-tp.u", ["p"], MERGER_DATE)).toBe(true);
    expect(tree.isUnder("stray", ["p"], MERGER_DATE)).toBe(true);
    expect(tree.isUnder("stray", ["so-tp"], MERGER_DATE)).toBe(false);
    // Paths are kept per date; asking again gives the same, and a copy.
    const path = tree.rollUpPath("xa-a.u", MERGER_DATE);
    path.push("changed");
    expect(tree.rollUpPath("xa-a.u", MERGER_DATE)).toEqual(["xa-moi", "p"]);
  });

  it("inherits leadership, the one-stop desk and each threshold downwards unless set", () => {
    expect(tree.effectiveLeadership("p")).toEqual([contact("chu-tich-tinh")]);
    expect(tree.effectiveLeadership("so-tp.u")).toEqual([contact("giam-doc-so-tp")]);
    expect(tree.effectiveLeadership("xa-a.u")).toEqual([contact("chu-tich-huyen")]);
    // As it reports after the merger: the new commune's leadership.
    expect(tree.effectiveLeadership("xa-a.u", MERGER_DATE)).toEqual([contact("chu-tich-xa-moi")]);
    expect(tree.effectiveOneStopDesk("xa-b.u")).toEqual([contact("mot-cua-xa-b")]);
    expect(tree.effectiveOneStopDesk("xa-a.u")).toEqual([contact("phvhcc-tinh")]);
    expect(tree.effectiveThresholds("xa-b.u")).toEqual({ nearDueWorkingHours: 24, escalationWorkingDays: 2 });
    expect(tree.effectiveThresholds("xa-b.u", MERGER_DATE)).toEqual({
      nearDueWorkingHours: 16,
      escalationWorkingDays: 2,
    });
    expect(tree.effectiveThresholds("so-tp")).toEqual({ nearDueWorkingHours: 16, escalationWorkingDays: 5 });
  });
});

describe("the flat directory the consumer reads, with what units inherit written in", () => {
  it("leaves a directory without agencies as it was", () => {
    const data = readJson("events/units/seed-units.json");
    const parsed = parseAgencyDirectory(data);
    if (!parsed.ok) throw new Error("the seed does not load");
    expect(inheritedUnits(parsed.value, "2022-08-01")).toEqual(parseUnitDirectory(data));
  });

  it("writes each unit's inherited thresholds, desk and escalations as the tree stands on the day", () => {
    const parsed = parseAgencyDirectory(smallProvince());
    if (!parsed.ok) throw new Error("the small province does not load");
    const byId = (at: string) => {
      const flat = inheritedUnits(parsed.value, at);
      // The flat reader takes it as it is.
      expect(parseUnitDirectory(flat)).toEqual(flat);
      return new Map(flat.units.map((u) => [u.id, u]));
    };
    const june = byId("2025-06-15");
    expect(june.get("xa-b.u")).toMatchObject({
      thresholds: { nearDueWorkingHours: 24, escalationWorkingDays: 2 },
      oneStopDesk: [contact("mot-cua-xa-b")],
      escalation: [contact("chu-tich-huyen")],
    });
    expect(june.get("xa-a.u")?.escalation).toEqual([contact("chu-tich-huyen")]);
    expect(june.get("so-tp.u")?.escalation).toEqual([contact("giam-doc-so-tp")]);
    // Under the root: the office leadership, as before (no escalation list of its own).
    expect(june.get("tinh.u")?.escalation).toEqual([]);
    const august = byId("2025-08-01");
    expect(august.get("xa-a.u")).toMatchObject({
      thresholds: { nearDueWorkingHours: 16, escalationWorkingDays: 5 },
      oneStopDesk: [contact("phvhcc-tinh")],
      escalation: [contact("chu-tich-xa-moi")],
    });
  });
});

describe("the province-sized sample (events/units/province-sample.json)", () => {
  const file = "events/units/province-sample.json";
  const text = readFileSync(join(ROOT, file), "utf8");

  it("is what scripts/generate-province.ts writes for its default seed, and stays under 2 MB", () => {
    expect(text).toBe(`${JSON.stringify(generateProvince({ seed: 23, communes: 150 }), null, 2)}\n`);
    expect(statSync(join(ROOT, file)).size).toBeLessThan(2_000_000);
  });

  it("loads as a tree: 170 agencies from 2025-07-01, districts before, about 2,000 units, addresses on example.org", () => {
    const parsed = parseAgencyDirectory(JSON.parse(text));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error.slice(0, 5)));
    // The flat reader still takes it (the agencies aside): `units import` keeps working once wired.
    const { agencies, ...flat } = parsed.value;
    expect(parseUnitDirectory(flat).units).toHaveLength(parsed.value.units.length);
    const tree = buildAgencyTree(parsed.value);
    const after = tree.subtree(tree.rootId, "2025-08-01");
    const before = tree.subtree(tree.rootId, "2025-06-01");
    const levels = (ids: string[]) =>
      ids.reduce<Record<string, number>>((n, id) => {
        const level = tree.get(id)?.level ?? "?";
        n[level] = (n[level] ?? 0) + 1;
        return n;
      }, {});
    expect(levels(after.agencies)).toEqual({ province: 1, "provincial-department": 19, commune: 150 });
    expect(levels(before.agencies)).toMatchObject({ province: 1, "provincial-department": 19, district: 13 });
    expect(levels(before.agencies).commune).toBeGreaterThan(300);
    expect(parsed.value.units.length).toBeGreaterThan(1900);
    expect(parsed.value.units.length).toBeLessThan(2100);
    // Every unit counts somewhere, once, on either side of the merger.
    expect(after.units).toHaveLength(parsed.value.units.length);
    expect(before.units).toHaveLength(parsed.value.units.length);
    const emails = text.match(/"email": "[^"]+"/g) ?? [];
    expect(emails.length).toBeGreaterThan(2000);
    for (const e of emails) expect(e).toMatch(/@example\.org"$/);
    expect(text).toContain("Ủy ban nhân dân tỉnh Sơn Hà");
    expect(text).toContain("Sở Tài nguyên và Môi trường");
    // Each merged commune names a successor valid from the merger date.
    for (const a of agencies ?? [])
      if (a.level === "commune" && a.validTo)
        for (const s of a.successorIds ?? []) expect(validOn(tree.get(s) ?? {}, MERGER_DATE)).toBe(true);
  });
});
