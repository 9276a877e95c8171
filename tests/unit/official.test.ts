import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { buildForm, formRowProblems } from "../../lib/domain/official/form";
import { buildIndex } from "../../lib/domain/official/index766";
import { DEFAULT_OFFICIAL_SETTINGS } from "../../lib/domain/official/settings";
import { explicitPeriod } from "../../lib/domain/periods";
import { computeReportAndCounts } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
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
