import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import { type DossierEvent, DossierEventSchema } from "../../lib/domain/events/schema";
import { buildForm, formRowProblems } from "../../lib/domain/official/form";
import { buildIndex, type Indicator, indexOf } from "../../lib/domain/official/index766";
import { DEFAULT_OFFICIAL_SETTINGS } from "../../lib/domain/official/settings";
import { explicitPeriod } from "../../lib/domain/periods";
import { blockOf, computeReportAndCounts, zeroCounts } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory } from "../../lib/domain/units";
import { unitIndexHtml, unitIndexText } from "../../lib/render/email/official-units";
import { indicatorLine } from "../../lib/render/index-text";
import { formatRate, unnamedCode } from "../../lib/render/numbers";
import { loadSamples, readProjectFile } from "../helpers/fixtures";
import { historiesArb } from "../helpers/histories";

const settings = { calendar: WorkingCalendar.official() };
const period = explicitPeriod("2022-07-01", "2022-09-30", "2022-Q3");
const histories = historiesArb({ start: "2022-05-15T08:00:00+07:00", spanDays: 150, maxDossiers: 20 });
const asOfArb = fc.integer({
  min: instant("2022-06-01T00:00:00+07:00"),
  max: instant("2022-12-31T00:00:00+07:00"),
});

describe("form II.06a's levels by date", () => {
  it("has no district row for a period that ends in the two-level era, the 15th-to-14th 2025-Q3 window too", () => {
    const district = {
      eventId: "lv-1",
      type: "dossier.received",
      dossierId: "LV-1",
      occurredAt: "2025-06-20T08:00:00+07:00",
      data: {
        unitId: "u1",
        procedureCode: "1.001193",
        channel: "direct",
        level: "district",
        dueAt: "2025-07-30T17:00:00+07:00",
      },
    } as DossierEvent;
    const levels = (from: string, to: string) => {
      const p = explicitPeriod(from, to, "p");
      const asOf = instant(`${to}T23:00:00+07:00`);
      const { counts } = computeReportAndCounts([district], settings, { period: p, asOf });
      const form = buildForm(counts, { period: p, asOf, settings: DEFAULT_OFFICIAL_SETTINGS });
      return { labels: form.rows.map((r) => r.label), footnotes: form.footnotes.join(" ") };
    };
    expect(levels("2025-03-15", "2025-06-30").labels.some((l) => l.includes("Cấp huyện"))).toBe(true);
    for (const [from, to] of [
      ["2025-06-15", "2025-09-14"],
      ["2025-07-01", "2025-09-30"],
    ]) {
      const form = levels(from as string, to as string);
      expect(
        form.labels.some((l) => l.includes("Cấp huyện")),
        from,
      ).toBe(false);
      expect(form.footnotes, from).toContain("cấp huyện");
    }
  });
});

describe("form II.06a and the national index, by property", () => {
  it("hold total = resolved + pending on every row, either way withdrawn dossiers go, and rates in [0, 1] or a reason", () => {
    fc.assert(
      fc.property(
        histories,
        asOfArb,
        fc.constantFrom("resolved", "excluded" as const),
        (events, asOf, withdrawnInForm) => {
          const { report, counts } = computeReportAndCounts(events, settings, { period, asOf });
          const form = buildForm(counts, {
            period,
            asOf,
            settings: { ...DEFAULT_OFFICIAL_SETTINGS, withdrawnInForm },
          });
          for (const row of form.rows) expect(formRowProblems(row.values), row.label).toEqual([]);
          const total = form.rows.at(-1)?.values;
          expect(total?.pendingTotal).toBe(report.pending.total);
          expect(total?.resolvedTotal).toBe(
            report.resolved.total + (withdrawnInForm === "resolved" ? report.withdrawn : 0),
          );
          const index = buildIndex(counts, { period, asOf });
          for (const block of [index, ...index.byUnit])
            for (const i of block.indicators) {
              if (i.rate === null) {
                expect(i.reason?.vi, i.id).toMatch(/\p{L}/u);
                expect(i.reason?.en, i.id).toMatch(/\w/);
              } else expect(i.rate >= 0 && i.rate <= 1, `${i.id} ${i.rate}`).toBe(true);
            }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("the contract's additions (complaints, electronic results, digitised dossiers)", () => {
  it("count a complaint after the dossier closed, without an anomaly, and feed indicators 4.1, 4.2 and 5.4", () => {
    const samples = loadSamples();
    const events = ["dossier.received", "dossier.resolved", "dossier.complaint_received"].map((t) =>
      DossierEventSchema.parse(samples.get(t)),
    );
    const q2 = explicitPeriod("2022-04-01", "2022-06-30", "2022-Q2");
    const asOf = instant("2022-07-01T00:00:00+07:00");
    const { report, counts } = computeReportAndCounts(events, settings, { period: q2, asOf });
    expect(report.dataQuality.anomalies).toEqual({});
    const office = [...counts.byUnit.values()][0];
    expect(office?.complaints).toBe(1);
    const rate = (id: string) =>
      buildIndex(counts, { period: q2, asOf }).indicators.find((i) => i.id === id)?.rate;
    expect([rate("4.1"), rate("4.2")]).toEqual([1, 1]);
    // Resolved after its due instant (and complained about): the one dossier is late, so 0 %.
    expect([rate("2.1"), rate("5.4")]).toEqual([0, 0]);
  });
});

describe("indicator 5.4 as Decision 766/QĐ-TTg words it: dossiers, each once", () => {
  const q3 = explicitPeriod("2022-07-01", "2022-09-30", "2022-Q3");
  const asOf = instant("2022-10-01T00:00:00+07:00");
  type Extra = { late?: boolean; score?: number; about?: "receipt" | "handling" | "delay" | "other" };
  /** A dossier received Mon 2022-07-04, due 3 working days later, resolved in time or a week late. */
  const dossier = (id: string, x: Extra = {}): DossierEvent[] => {
    const e = (n: string, type: DossierEvent["type"], occurredAt: string, data: object) =>
      ({ eventId: `${id}-${n}`, type, occurredAt, dossierId: id, data }) as DossierEvent;
    const out = [
      e("r", "dossier.received", "2022-07-04T09:00:00+07:00", {
        unitId: "u",
        procedureCode: "1.004227",
        channel: "direct",
        processingDays: 3,
      }),
      e("z", "dossier.resolved", x.late ? "2022-07-14T09:00:00+07:00" : "2022-07-06T09:00:00+07:00", {
        outcome: "approved",
      }),
    ];
    if (x.score !== undefined)
      out.push(e("s", "dossier.rated", "2022-07-15T09:00:00+07:00", { score: x.score, channel: "kiosk" }));
    if (x.about)
      out.push(e("c", "dossier.complaint_received", "2022-07-16T09:00:00+07:00", { about: x.about }));
    return out;
  };
  const index = (...dossiers: DossierEvent[][]) => {
    const { counts } = computeReportAndCounts(dossiers.flat(), settings, { period: q3, asOf });
    const at = (id: string) => buildIndex(counts, { period: q3, asOf }).indicators.find((i) => i.id === id);
    return { i54: at("5.4"), i21: at("2.1") };
  };
  const fine = (n: number, from = 0) => Array.from({ length: n }, (_, k) => dossier(`F${from + k}`));

  it("subtracts a dossier both late and rated unsatisfied once, not twice", () => {
    const { i54, i21 } = index(dossier("A", { late: true, score: 1 }), ...fine(3));
    expect(i21?.rate).toBe(0.75);
    // (4 − 1) / 4, where two rates added would give 1 − (1/4 + 1/4) = 50 %.
    expect(i54).toMatchObject({ rate: 0.75, numerator: 3, denominator: 4 });
  });

  it("subtracts a late dossier and a different unsatisfied one each once", () => {
    const { i54 } = index(dossier("A", { late: true }), dossier("B", { score: 2 }), ...fine(2));
    expect(i54).toMatchObject({ rate: 0.5, numerator: 2, denominator: 4 });
  });

  it("is not lowered by a complaint about something other than the dossier's receipt or resolution", () => {
    const { i54 } = index(dossier("A", { about: "other" }), ...fine(3));
    expect(i54).toMatchObject({ rate: 1, numerator: 4 });
  });

  it("is lowered by a complaint about the receipt, the handling or a delay", () => {
    for (const about of ["receipt", "handling", "delay"] as const) {
      const { i54 } = index(dossier("A", { about }), ...fine(3));
      expect(i54, about).toMatchObject({ rate: 0.75, numerator: 3 });
    }
  });

  it("is not lowered by a neutral or a good rating", () => {
    const { i54 } = index(dossier("A", { score: 3 }), dossier("B", { score: 5 }), ...fine(2));
    expect(i54?.rate).toBe(1);
  });

  it("gives 2.1 its points like the other indicators: the rate × its maximum", () => {
    const { i21 } = index(dossier("A", { late: true }), ...fine(4));
    expect(i21).toMatchObject({ rate: 0.8, fullPointsAt: 1, pointsShare: 0.8 });
    expect(i21?.scale?.vi).toMatch(/tỷ lệ × điểm tối đa/);
    expect(indicatorLine(i21 as Indicator, "vi")).toBe(
      "2.1 Tiến độ giải quyết (đúng hạn, trong hạn): 80% (4/5); đạt 80% số điểm tối đa (điểm = tỷ lệ × điểm tối đa)",
    );
  });
});

describe("the seed's index 5.4", () => {
  it("has the seed report's 64 kiosk ratings from 2022-08-05 and no complaints; 5.4 is over 90 %, full points", () => {
    const events = seed2022Q3();
    const ratings = new Map(events.filter((e) => e.type === "dossier.rated").map((e) => [e.eventId, e]));
    // Two orphan ratings (no dossier received) show the data-quality section; they are not counted.
    const counted = [...ratings.values()].filter((e) => !e.dossierId.includes("-220501-"));
    expect(counted).toHaveLength(64);
    for (const r of counted)
      expect(instant(r.occurredAt)).toBeGreaterThanOrEqual(instant("2022-08-05T00:00:00+07:00"));
    expect(events.some((e) => e.type === "dossier.complaint_received")).toBe(false);

    const asOf = instant("2022-09-06T00:00:00+07:00");
    const { report, counts } = computeReportAndCounts(
      events,
      { ...settings, catalog: catalogOf() },
      { period: SEED_PERIOD, asOf },
    );
    expect(report.ratings.total).toBe(64);
    const index = buildIndex(counts, { period: SEED_PERIOD, asOf });
    const i21 = index.indicators.find((i) => i.id === "2.1");
    const i54 = index.indicators.find((i) => i.id === "5.4");
    expect(i21).toMatchObject({ numerator: 5060, denominator: 5520 });
    // The late dossiers (460) and the dissatisfied ones that were not late, each once.
    const disliked = new Set(
      counted.filter((r) => r.type === "dossier.rated" && r.data.score <= 2).map((r) => r.dossierId),
    );
    expect(disliked.size).toBeGreaterThan(0);
    expect(i54?.numerator).toBeLessThan(5060);
    expect(i54?.numerator).toBeGreaterThanOrEqual(5060 - disliked.size);
    expect(i54?.rate).toBeGreaterThanOrEqual(0.9);
    expect(i54?.rate).toBeCloseTo((i54?.numerator ?? 0) / 5520, 4);
    expect(i54?.pointsShare).toBe(1);
    // The figure README states: 460 late for 2.1, and 9 of the 11 dossiers rated 1–2 not late.
    expect(i54).toMatchObject({ numerator: 5051, denominator: 5520, rate: 0.915 });
  });
});

describe("the index per unit in the leadership email", () => {
  it("names each unit (its id, said unnamed, only when the directory lacks it), with the office's row and rates under target in red", () => {
    const events = seed2022Q3();
    const asOf = instant("2022-09-05T17:00:00+07:00");
    const { counts } = computeReportAndCounts(
      events,
      { ...settings, catalog: catalogOf() },
      { period: SEED_PERIOD, asOf },
    );
    const directory = parseUnitDirectory(JSON.parse(readProjectFile("events/units/seed-units.json")));
    // One unit left out of the names: it shows by id, said to have no name, never blank.
    const names = new Map(
      directory.units.filter((u) => u.id !== "phong-vhtt").map((u) => [u.id, { vi: u.nameVi, en: u.nameEn }]),
    );
    const index = buildIndex(counts, { period: SEED_PERIOD, asOf, targets: { "2.1": 0.95 }, names });
    const html = unitIndexHtml(index, "vi");
    const rows = html.split("<tr").slice(2);
    expect(rows).toHaveLength(index.byUnit.length + 1);
    for (const u of index.byUnit) expect(html).toContain(`>${u.name?.vi ?? unnamedCode(u.unit)}</td>`);
    expect(html).toContain(">phong-vhtt (chưa có tên trong danh mục)</td>");
    expect(html).toContain(">Chi nhánh Văn phòng Đăng ký đất đai</td>");
    expect(rows.at(-1)).toContain(">Toàn cơ quan</td>");
    // Red exactly where a unit's (or the office's) 2.1 is under the 95 % target.
    const under = [...index.byUnit, index].filter(
      (b) => (b.indicators.find((i) => i.id === "2.1")?.rate ?? 1) < 0.95,
    ).length;
    expect(under).toBeGreaterThan(0);
    expect(html.match(/color:#c62828/g)?.length).toBe(under);
    const text = unitIndexText(index, "en");
    expect(text[1]).toBe("Index by unit:");
    // A line per unit, then the whole office's, as the HTML's last row.
    expect(text).toHaveLength(index.byUnit.length + 3);
    expect(text.at(-1)).toMatch(/^- Whole office: 2\.1 /);
  });
});

describe("the index's notes", () => {
  it("group their counts in each language (1.234 in Vietnamese, 1,234 in English)", () => {
    const block = indexOf({
      ...zeroCounts(),
      supplementMulti: 1234,
      indexUnsatisfied: 5678,
      complaints: 2345,
    });
    const notes = block.indicators.flatMap((i) => i.notes ?? []);
    const vi = notes.map((n) => n.vi).join("\n");
    const en = notes.map((n) => n.en).join("\n");
    expect(vi).toContain("1.234");
    expect(vi).toContain("5.678");
    expect(en).toContain("1,234");
    expect(en).toContain("5,678");
    expect(en).toContain("2,345");
  });
});

describe("rates near their edges", () => {
  const find = (block: ReturnType<typeof indexOf>, id: string) =>
    block.indicators.find((i) => i.id === id) as Indicator;

  it("never round to 100 % with one dossier short of it, nor to 0 % with one in", () => {
    const counts = {
      ...zeroCounts(),
      receivedNew: 25_000,
      receivedOnline: 1,
      resolvedTotal: 20_000,
      resolvedEarly: 19_999,
      resolvedLate: 1,
      indexOnTime: 24_999,
    };
    const report = blockOf(counts);
    expect(report.rates.onTime).toBe(0.9999);
    expect(report.rates.online).toBe(0.0001);
    expect(formatRate(report.rates.onTime)).toBe("99,99%");
    const index = indexOf(counts);
    expect(find(index, "2.1")).toMatchObject({ rate: 0.9999, pointsShare: 0.9999 });
    expect(find(index, "3.3").rate).toBe(0.0001);
    // Points too: 43 online of 8,000 at full points from 50 % is 0.01075 of them, shown 0.0108.
    expect(
      find(indexOf({ ...zeroCounts(), receivedNew: 8_000, receivedOnline: 43 }), "3.3").pointsShare,
    ).toBe(0.0108);
    // Half up, in whole numbers: 29 of 20,000 is 0.00145 (floating point gave 0.0014).
    expect(blockOf({ ...counts, resolvedEarly: 29, resolvedLate: 19_971 }).rates.onTime).toBe(0.0015);
    // Whole when it is whole.
    expect(blockOf({ ...counts, resolvedEarly: 20_000, resolvedLate: 0 }).rates.onTime).toBe(1);
  });

  it("never show a rate at its full-points threshold that earns less than full points", () => {
    // 3.3 gives full points from 50 %, 4.2 from 80 %.
    const index = indexOf({
      ...zeroCounts(),
      receivedNew: 25_000,
      receivedOnline: 12_499,
      digitisedReported: 25_000,
      digitisedElectronic: 19_999,
    });
    expect(find(index, "3.3")).toMatchObject({ rate: 0.4999, pointsShare: 0.9999 });
    expect(find(index, "4.2")).toMatchObject({ rate: 0.7999, pointsShare: 0.9999 });
    const at = indexOf({ ...zeroCounts(), receivedNew: 25_000, receivedOnline: 12_500 });
    expect(find(at, "3.3")).toMatchObject({ rate: 0.5, pointsShare: 1 });
    // Nor at a target it missed: 189,991 of 200,000 against 95 %.
    const missed = indexOf({ ...zeroCounts(), receivedNew: 200_000, indexOnTime: 189_991 }, { "2.1": 0.95 });
    expect(find(missed, "2.1")).toMatchObject({ rate: 0.9499, target: 0.95 });
    const met = indexOf({ ...zeroCounts(), receivedNew: 200_000, indexOnTime: 190_000 }, { "2.1": 0.95 });
    expect(find(met, "2.1").rate).toBe(0.95);
  });
});
