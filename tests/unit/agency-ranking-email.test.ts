import { describe, expect, it } from "vitest";
import { buildAgencyTree } from "../../lib/domain/agencies";
import { rankAgencies } from "../../lib/domain/agency-rollup";
import { explicitPeriod } from "../../lib/domain/periods";
import { emptyPeriodCounts, type PeriodCounts, zeroCounts } from "../../lib/domain/report";
import type { Unit } from "../../lib/domain/units";
import { agencyRankingHtml, agencyRankingText } from "../../lib/render/email/agency-ranking";

/**
 * The province's ranking of its agencies in the weekly email: the worst on indicator
 * 2.1 first, agencies with no dossiers last, each by its name in the email's language (escaped in
 * the HTML), never its id, numbers in the locale's grouping.
 */

const period = explicitPeriod("2025-07-01", "2025-09-30", "2025-Q3");
const head = { name: "Trưởng", email: "t@example.org" };
const agency = (id: string, nameVi: string, nameEn: string) => ({
  id,
  nameVi,
  nameEn,
  level: "provincial-department" as const,
  parentId: "tinh",
});
const tree = buildAgencyTree({
  leadership: [head],
  agencies: [
    { id: "tinh", nameVi: "UBND tỉnh", nameEn: "Province", level: "province" },
    agency("so-a", "Sở <script>alert(1)</script> & Nội vụ", "Home <Affairs> & Co"),
    agency("so-b", "Sở Tư pháp", "Department of Justice"),
    agency("so-c", "Sở Y tế", "Department of Health"),
    agency("so-d", "Sở Tài chính", "Department of Finance"),
  ],
  units: ["a", "b", "c", "d"].map(
    (x): Unit => ({
      id: `u-${x}`,
      nameVi: `Phòng ${x}`,
      nameEn: `Office ${x}`,
      level: "provincial-department",
      parentId: `so-${x}`,
      head,
      deputies: [],
      escalation: [],
      locale: "vi",
    }),
  ),
});

/** A unit's counts: `total` received, `onTime` of them resolved in time (the rest late). */
function counts(unit: string, total: number, onTime: number): PeriodCounts {
  const c = emptyPeriodCounts();
  c.byUnit.set(unit, {
    ...zeroCounts(),
    receivedNew: total,
    receivedDirect: total,
    resolvedTotal: total,
    resolvedOnTime: onTime,
    resolvedLate: total - onTime,
    indexOnTime: onTime,
  });
  return c;
}

// Home Affairs 1.234 of 5.678 on time (21,73%), Justice 9/10, Health 10/10, Finance nothing.
const rolled = new Map([
  ["so-a", counts("u-a", 5678, 1234)],
  ["so-b", counts("u-b", 10, 9)],
  ["so-c", counts("u-c", 10, 10)],
]);
const ranked = rankAgencies(tree, rolled, { node: "tinh", period, targets: { "2.1": 0.95 } });

describe("the agencies' ranking in the province's weekly email", () => {
  it("lists them worst first by name, with Vietnamese grouping, those with no dossiers last", () => {
    const lines = agencyRankingText(ranked, "vi");
    expect(lines[0]).toBe("Xếp hạng cơ quan theo Chỉ số phục vụ (Quyết định 766/QĐ-TTg), thấp nhất trước:");
    expect(lines.slice(1, 5).map((l) => l.split(" | ").slice(0, 2).join(" | "))).toEqual([
      "1. Sở <script>alert(1)</script> & Nội vụ | 21,73% (1.234/5.678 hồ sơ)",
      "2. Sở Tư pháp | 90% (9/10 hồ sơ)",
      "3. Sở Y tế | 100% (10/10 hồ sơ)",
      "4. Sở Tài chính | không có hồ sơ",
    ]);
    const text = lines.join("\n");
    for (const id of ["so-a", "so-b", "so-c", "so-d", "u-a"]) expect(text).not.toContain(id);
  });

  it("escapes every name in the HTML, keeps the order, and marks a rate under its target", () => {
    const html = agencyRankingHtml(ranked, "vi");
    expect(html).not.toContain("<script>");
    expect(html).toContain("Sở &lt;script&gt;alert(1)&lt;/script&gt; &amp; Nội vụ");
    const at = (s: string) => html.indexOf(s);
    expect(at("Nội vụ")).toBeLessThan(at("Sở Tư pháp"));
    expect(at("Sở Tư pháp")).toBeLessThan(at("Sở Y tế"));
    expect(at("Sở Y tế")).toBeLessThan(at("Sở Tài chính"));
    // Under the 95 % target: red; Health's 100 % is not.
    expect(html).toMatch(/color:#c62828;">21,73% \(1\.234\/5\.678 hồ sơ\)/);
    expect(html).not.toMatch(/color:#c62828;">100%/);
  });

  it("speaks English with English grouping, and says nothing when no agency is under the node", () => {
    const en = agencyRankingText(ranked, "en");
    expect(en[1]).toMatch(/^1\. Home <Affairs> & Co \| 21\.73% \(1,234\/5,678 dossiers\)/);
    expect(agencyRankingHtml(ranked, "en")).toContain("Home &lt;Affairs&gt; &amp; Co");
    expect(agencyRankingHtml([], "vi")).toBe("");
    expect(agencyRankingText([], "vi")).toEqual([]);
  });
});
