import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { DossierEventSchema } from "../../lib/domain/events/schema";
import { buildForm, formRowProblems } from "../../lib/domain/official/form";
import { buildIndex } from "../../lib/domain/official/index766";
import { DEFAULT_OFFICIAL_SETTINGS } from "../../lib/domain/official/settings";
import { explicitPeriod } from "../../lib/domain/periods";
import { computeReportAndCounts } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { loadSamples } from "../helpers/fixtures";
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
              if (i.rate === null) expect(i.reason, i.id).toMatch(/\w/);
              else expect(i.rate >= 0 && i.rate <= 1, `${i.id} ${i.rate}`).toBe(true);
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
