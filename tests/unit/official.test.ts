import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import { DossierEventSchema } from "../../lib/domain/events/schema";
import { buildForm, formRowProblems } from "../../lib/domain/official/form";
import { buildIndex } from "../../lib/domain/official/index766";
import { DEFAULT_OFFICIAL_SETTINGS } from "../../lib/domain/official/settings";
import { explicitPeriod } from "../../lib/domain/periods";
import { computeReportAndCounts } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory } from "../../lib/domain/units";
import { unitIndexHtml, unitIndexText } from "../../lib/render/email/official-units";
import { loadSamples, readProjectFile } from "../helpers/fixtures";
import { historiesArb } from "../helpers/histories";

const settings = { calendar: WorkingCalendar.official() };
const period = explicitPeriod("2022-07-01", "2022-09-30", "2022-Q3");
const histories = historiesArb({ start: "2022-05-15T08:00:00+07:00", spanDays: 150, maxDossiers: 20 });
const asOfArb = fc.integer({
  min: instant("2022-06-01T00:00:00+07:00"),
  max: instant("2022-12-31T00:00:00+07:00"),
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
    // Resolved after its due instant and complained about: 100% − (100% + 100%), floored at 0.
    expect([rate("2.1"), rate("5.4")]).toEqual([0, 0]);
  });
});

describe("the index per unit in the leadership email", () => {
  it("names each unit (its id only when the directory lacks it), with the office's row and rates under target in red", () => {
    const events = seed2022Q3();
    const asOf = instant("2022-09-05T17:00:00+07:00");
    const { counts } = computeReportAndCounts(
      events,
      { ...settings, catalog: catalogOf() },
      { period: SEED_PERIOD, asOf },
    );
    const directory = parseUnitDirectory(JSON.parse(readProjectFile("events/units/seed-units.json")));
    // One unit left out of the names: it shows by id, never blank.
    const names = new Map(
      directory.units.filter((u) => u.id !== "phong-vhtt").map((u) => [u.id, { vi: u.nameVi, en: u.nameEn }]),
    );
    const index = buildIndex(counts, { period: SEED_PERIOD, asOf, targets: { "2.1": 0.95 }, names });
    const html = unitIndexHtml(index, "vi");
    const rows = html.split("<tr").slice(2);
    expect(rows).toHaveLength(index.byUnit.length + 1);
    for (const u of index.byUnit) expect(html).toContain(`>${u.name?.vi ?? u.unit}</td>`);
    expect(html).toContain(">phong-vhtt</td>");
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
