import { describe, expect, it } from "vitest";
import { formatRate, periodLabel, periodTitle, rateTone, worstFirst } from "../../lib/render/numbers";

describe("a period as people read it", () => {
  it("writes a quarter as Vietnamese does, a deployment's own name as it is, and nothing for a window named by its dates", () => {
    expect(periodLabel("2022-Q3")).toBe("Quý III/2022");
    expect(periodLabel("2025-Q4", "vi")).toBe("Quý IV/2025");
    expect(periodLabel("2022-Q3", "en")).toBe("Q3 2022");
    expect(periodLabel("seed-2022-q3")).toBe("seed-2022-q3");
    expect(periodLabel("2022-Q5")).toBe("2022-Q5");
    // Beside its dates, a window named by them adds nothing; standing alone, it is its dates.
    expect(periodLabel("2022-06-06..2022-09-05")).toBe("");
    const window = { name: "2022-06-06..2022-09-05", from: "2022-06-06", to: "2022-09-05" };
    expect(periodTitle(window)).toBe("06/06/2022 – 05/09/2022");
    // One date style in both languages, as the emails and the dashboard write dates.
    expect(periodTitle(window, "en")).toBe("06/06/2022 – 05/09/2022");
    expect(periodTitle({ name: "2022-Q3", from: "2022-07-01", to: "2022-09-30" })).toBe("Quý III/2022");
  });

  it("writes rates with Vietnamese decimals", () => {
    expect(formatRate(0.9167)).toBe("91,67%");
    expect(formatRate(0.9167, "en")).toBe("91.67%");
    expect(formatRate(null)).toBe("—");
  });
});

describe("worstFirst, the order every ranking of units and agencies takes", () => {
  const node = (id: string, onTime: number | null, overdue: number) => ({
    id,
    rates: { onTime },
    pending: { overdue },
  });
  it("puts overdue with nothing resolved first, the lowest rate next, quiet nodes with nothing resolved last", () => {
    const ranked = [
      node("quiet", null, 0),
      node("good", 0.95, 0),
      node("bad", 0.6, 3),
      node("bad-more-overdue", 0.6, 7),
      node("no-result-overdue", null, 12),
      node("zero", 0, 1),
    ].sort(worstFirst);
    expect(ranked.map((x) => x.id)).toEqual([
      "no-result-overdue",
      "zero",
      "bad-more-overdue",
      "bad",
      "good",
      "quiet",
    ]);
  });
});

describe("rateTone, the colour of an on-time rate's bar in the email and on the dashboard", () => {
  it("is good from 95 %, a warning from 85 %, bad below", () => {
    expect([1, 0.95, 0.9499, 0.85, 0.8499, 0].map(rateTone)).toEqual([
      "good",
      "good",
      "warn",
      "warn",
      "bad",
      "bad",
    ]);
    // By the rate as shown: 94,996 % reads "95%", and is not amber.
    expect(formatRate(0.94996)).toBe("95%");
    expect(rateTone(0.94996)).toBe("good");
  });
});

describe("a window named by its dates in the official outputs' headings", () => {
  it("leaves no space where its label would be", async () => {
    const { formPeriodLine } = await import("../../lib/render/form");
    const { indexText } = await import("../../lib/render/index-text");
    const { buildForm } = await import("../../lib/domain/official/form");
    const { buildIndex } = await import("../../lib/domain/official/index766");
    const { DEFAULT_OFFICIAL_SETTINGS } = await import("../../lib/domain/official/settings");
    const { computeReportAndCounts } = await import("../../lib/domain/report");
    const { WorkingCalendar } = await import("../../lib/domain/calendar/calendar");
    const period = { name: "2022-06-06..2022-09-05", from: "2022-06-06", to: "2022-09-05" };
    const asOf = Date.parse("2022-09-05T10:00:00Z");
    const { counts } = computeReportAndCounts([], { calendar: WorkingCalendar.official() }, { period, asOf });
    const form = buildForm(counts, { period, asOf, settings: DEFAULT_OFFICIAL_SETTINGS });
    const index = buildIndex(counts, { period, asOf });
    for (const locale of ["vi", "en"] as const) {
      expect(formPeriodLine(form, locale)).not.toMatch(/ {2}/);
      expect(indexText(index, locale).split("\n")[0]).not.toMatch(/ {2}/);
    }
    expect(formPeriodLine(form)).toBe("Kỳ báo cáo: (từ ngày 06/06/2022 đến ngày 05/09/2022)");
  });
});
