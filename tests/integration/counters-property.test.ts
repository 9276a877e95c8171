import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ApplyDeps, applyEvent } from "../../lib/app/apply";
import { readKpiReport } from "../../lib/app/kpis";
import type { CounterReader } from "../../lib/app/ports";
import { type SweepDeps, sweepDossier } from "../../lib/app/sweep";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { CountingSettings } from "../../lib/domain/counting";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { type Period, periodByName } from "../../lib/domain/periods";
import { computeReport } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { kpiView } from "../helpers/compare";
import { testTable } from "../helpers/dynamo";
import { deliveryArb, historiesArb } from "../helpers/histories";

const settings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  scheme: { kind: "calendar-quarter" },
};
const Q3 = periodByName(settings.scheme, "2022-Q3") as Period;
const Q4 = periodByName(settings.scheme, "2022-Q4") as Period;
const histories = historiesArb({ start: "2022-06-10T08:00:00+07:00", spanDays: 160, maxDossiers: 14 });

async function applyAll(deps: ApplyDeps, events: DossierEvent[], workers: number) {
  const queue = [...events];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let e = queue.shift(); e; e = queue.shift()) await applyEvent(deps, e);
    }),
  );
}

/** What the deadline sweep does for counters: recount every dossier whose next check is due. */
async function sweepCounters(deps: ApplyDeps & SweepDeps) {
  for (let round = 0; round < 10; round++) {
    const due = await deps.dossiers.dueForCheck(deps.now());
    if (due.length === 0) return;
    for (const d of due) await sweepDossier(deps, d.dossierId);
  }
  throw new Error("the sweep did not settle");
}

async function expectCountersEqualReport(
  deps: { counters: CounterReader },
  events: DossierEvent[],
  asOf: number,
) {
  for (const period of [Q3, Q4]) {
    const counters = await readKpiReport(deps.counters, period, { asOf });
    const reference = computeReport(events, settings, { period, asOf });
    expect(kpiView(counters), period.name).toEqual(kpiView(reference));
  }
}

describe("rolling counters == the reference report, by property, on DynamoDB Local", () => {
  it("for random histories in random order with duplicates, over two consecutive quarters", async () => {
    await fc.assert(
      fc.asyncProperty(
        histories.chain((events) => fc.tuple(fc.constant(events), deliveryArb(events))),
        async ([events, delivered]) => {
          const table = await testTable("prop");
          const deps = {
            ...table.store,
            settings,
            now: () => instant("2023-06-01T00:00:00+07:00"),
          };
          await applyAll(deps, delivered, 4);
          await expectCountersEqualReport(deps, events, deps.now());
          await table.drop();
        },
      ),
      { numRuns: 8 },
    );
  }, 240_000);

  it("while time passes: due instants crossed and a new quarter started are recounted by the sweep", async () => {
    await fc.assert(
      fc.asyncProperty(
        histories.chain((events) => fc.tuple(fc.constant(events), deliveryArb(events))),
        // Clock pairs that cross due instants, a quarter's end, or both.
        fc.constantFrom(
          ["2022-08-01T00:00:00+07:00", 10],
          ["2022-09-20T09:00:00+07:00", 20],
          ["2022-09-30T16:00:00+07:00", 1],
          ["2022-10-10T10:00:00+07:00", 45],
          ["2022-07-15T08:00:00+07:00", 80],
        ),
        async ([events, delivered], [start, days]) => {
          const first = instant(start);
          const step = days * 86_400_000;
          const table = await testTable("time");
          let clock = first;
          const deps = { ...table.store, settings, now: () => clock };
          await applyAll(
            deps,
            delivered.filter((e) => instant(e.occurredAt) <= clock),
            3,
          );
          await expectCountersEqualReport(deps, events, clock);
          clock += step;
          await applyAll(
            deps,
            delivered.filter((e) => instant(e.occurredAt) <= clock),
            3,
          );
          await sweepCounters(deps);
          await expectCountersEqualReport(deps, events, clock);
          await table.drop();
        },
      ),
      { numRuns: 12 },
    );
  }, 240_000);
});
