import { describe, expect, it } from "vitest";
import { weeklyIndexes } from "../../lib/app/kpi-trend";
import { CALENDAR_QUARTER, periodBounds, periodByName } from "../../lib/domain/periods";
import { testTable } from "../helpers/dynamo";

/** The national index's weekly trend (lib/app/kpi-trend.ts), from snapshots kept on DynamoDB Local. */
const settings = { scheme: CALENDAR_QUARTER };

describe("the weekly trend", () => {
  it("has every snapshot kept so far, also one taken since the last whole week from the period's start", async () => {
    const table = await testTable("trend");
    // 2025-Q4 begins on a Wednesday: the Monday snapshots are 5, 12 and 19 days in.
    const period = periodByName(settings.scheme, "2025-Q4");
    if (!period) throw new Error("no 2025-Q4");
    const { start } = periodBounds(period);
    const day = 86_400_000;
    for (const [n, days] of [5, 12, 19].entries())
      await table.store.reports.putSnapshot(period.name, days * day, { index: { n } });
    // Tuesday 2025-10-21: the snapshot of Monday the 20th is in the trend.
    const trend = await weeklyIndexes({ reports: table.store.reports, now: () => start + 20 * day }, period);
    expect(trend).toEqual([
      { label: "06/10", index: { n: 0 } },
      { label: "13/10", index: { n: 1 } },
      { label: "20/10", index: { n: 2 } },
    ]);
    // On the Monday a snapshot is taken, it is today's point (the figures now), not the trend's.
    const monday = await weeklyIndexes(
      { reports: table.store.reports, now: () => start + 19 * day + 3_600_000 },
      period,
    );
    expect(monday.map((p) => p.label)).toEqual(["06/10", "13/10"]);
    // A second snapshot kept on Tuesday (a weekly run again): Monday's is still that week's point.
    await table.store.reports.putSnapshot(period.name, 20 * day + 3_600_000, { index: { n: 3 } });
    const tuesday = await weeklyIndexes(
      { reports: table.store.reports, now: () => start + 20 * day + 7_200_000 },
      period,
    );
    expect(tuesday.map((p) => p.label)).toEqual(["06/10", "13/10", "20/10"]);
    // Before the first snapshot, none.
    expect(await weeklyIndexes({ reports: table.store.reports, now: () => start + day }, period)).toEqual([]);
    await table.drop();
  });
});
