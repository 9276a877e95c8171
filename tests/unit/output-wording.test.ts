import { describe, expect, it } from "vitest";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { buildForm } from "../../lib/domain/official/form";
import { buildIndex, indexOf } from "../../lib/domain/official/index766";
import { DEFAULT_OFFICIAL_SETTINGS } from "../../lib/domain/official/settings";
import { computeReportAndCounts, zeroCounts } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { formCsv } from "../../lib/render/form";
import { reportText, summarySentence } from "../../lib/render/format";
import { indexText } from "../../lib/render/index-text";

/**
 * What the official outputs and the text report say: the words and numbers a reader checks one
 * against another.
 */

const settings = { calendar: WorkingCalendar.official(), catalog: catalogOf() };
const asOf = instant("2022-09-05T17:00:00+07:00");

describe("the official outputs' wording", () => {
  it("names a domain no list names as unnamed in form II.06a, never as a bare code", () => {
    let renamed = false;
    const events = seed2022Q3().map((e): DossierEvent => {
      if (renamed || e.type !== "dossier.received" || e.occurredAt < "2022-07-01") return e;
      renamed = true;
      return { ...e, data: { ...e.data, domain: "linh-vuc-moi" } } as DossierEvent;
    });
    const { counts } = computeReportAndCounts(events, settings, { period: SEED_PERIOD, asOf });
    const form = buildForm(counts, { period: SEED_PERIOD, asOf, settings: DEFAULT_OFFICIAL_SETTINGS });
    const labels = form.rows.map((r) => r.label);
    expect(labels).toContain("linh-vuc-moi (chưa có tên trong danh mục)");
    expect(labels).not.toContain("linh-vuc-moi");
  });

  it("puts the reporting office and its recipient at the head of the form's CSV, as in its XLSX", () => {
    const { counts } = computeReportAndCounts(seed2022Q3(), settings, { period: SEED_PERIOD, asOf });
    const csv = (recipient?: { vi: string; en: string }) =>
      formCsv(
        buildForm(counts, {
          period: SEED_PERIOD,
          asOf,
          settings: { ...DEFAULT_OFFICIAL_SETTINGS, recipient },
        }),
        "vi",
      ).split("\r\n");
    const lines = csv({ vi: "Ủy ban nhân dân tỉnh Sơn Hà", en: "Son Ha Provincial People's Committee" });
    expect(lines[3]).toBe("Đơn vị nhận báo cáo: Ủy ban nhân dân tỉnh Sơn Hà");
    expect(csv(undefined)[3]).toBe("Đơn vị nhận báo cáo: (chưa khai báo)");
  });

  it("gives an indicator's share of its points from the exact ratio, rounded once", () => {
    // 668 of 1,501 satisfied (5.4, full points from 90 %): 44.50 % → 49.45 % of the points; from
    // the rounded rate (0.4450) it would be 49.44 %.
    const c = { ...zeroCounts(), receivedNew: 1501, receivedDirect: 1501, indexUnsatisfied: 833 };
    const i54 = indexOf(c).indicators.find((i) => i.id === "5.4");
    expect(i54?.rate).toBe(0.445);
    expect(i54?.pointsShare).toBe(Math.round((668 / 1501 / 0.9) * 10_000) / 10_000);
    expect(i54?.pointsShare).toBe(0.4945);
  });

  it("says the index's time as a reader reads it in English too", () => {
    const { counts } = computeReportAndCounts(seed2022Q3(), settings, { period: SEED_PERIOD, asOf });
    const head = indexText(buildIndex(counts, { period: SEED_PERIOD, asOf }), "en").split("\n")[0];
    expect(head).toContain("(06/06/2022 – 05/09/2022), as of 05/09/2022 17:00");
    expect(head).not.toContain("T17:00");
  });
});

describe("the text report", () => {
  const { report } = computeReportAndCounts(seed2022Q3(), settings, { period: SEED_PERIOD, asOf });

  it("says in English that the resolved in time are the early and the on-time together", () => {
    const early = report.resolved.early + report.resolved.onTime;
    expect(summarySentence(report, "en")).toContain(`(early or on time ${early.toLocaleString("en")},`);
  });

  it("names whose report it is: the unit's or the agency's, by name", () => {
    const names = new Map([
      ["phong-tu-phap", "Phòng Tư pháp"],
      ["so-noi-vu", "Sở Nội vụ"],
    ]);
    expect(reportText({ ...report, unit: "phong-tu-phap" }, "vi", names).split("\n")[0]).toBe(
      "Phòng Tư pháp",
    );
    expect(reportText({ ...report, agency: "so-noi-vu" }, "vi", names).split("\n")[0]).toBe("Sở Nội vụ");
    expect(reportText({ ...report, agency: "so-y-te" }, "en", names).split("\n")[0]).toBe(
      "so-y-te (no name on record)",
    );
    expect(reportText(report, "vi", names).split("\n")[0]).toMatch(/^Kỳ báo cáo 06\/06\/2022 – 05\/09\/2022/);
  });
});
