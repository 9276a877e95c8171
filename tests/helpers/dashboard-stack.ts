import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DemoClock, type LocalStack, startLocalStack } from "../../dev/local/stack";
import { SEED_PERIOD } from "../../dev/scenarios/seed-2022-q3";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory } from "../../lib/domain/units";
import { createApiKey } from "../../lib/http/auth";

const seedDirectory = () =>
  parseUnitDirectory(
    JSON.parse(readFileSync(join(import.meta.dirname, "../../events/units/seed-units.json"), "utf8")),
  );

/**
 * The local stack the dashboard's browser tests and its screenshots (scripts/screenshot-dashboard.ts)
 * read: the seed quarter as `npm start` loads it (imported up to Monday 2022-08-29 07:25, the rest
 * through the bus as the clock passes it), the weekly KPI email of 07:30 sent (its snapshot is a
 * point of the index's trend), then the clock moved past the seed's last event (2022-10-19), so
 * the office's figures are the seed report's: 5.520 received, 4.400 resolved in time, 115 overdue. The clock stands still between moves (speed 0): the pages, and the screenshots, are the
 * same every run.
 */
export const DASHBOARD_START = "2022-08-29T07:25:00+07:00";
export const DASHBOARD_CLOCK = "2022-10-20T08:00:00+07:00";
export const SCOPED_UNIT = "phong-tnmt";

export interface DashboardStack {
  stack: LocalStack;
  reader: string;
  /** A reader key for one unit only ({@link SCOPED_UNIT}). */
  scoped: string;
  integration: string;
}

export async function startDashboardStack(
  options: {
    dynamoEndpoint?: string;
    sesEndpoint?: string;
    apiPort?: number;
    log?: (line: string) => void;
  } = {},
): Promise<DashboardStack> {
  const stack = await startLocalStack({
    env: { PERIOD_SCHEME: JSON.stringify({ kind: "explicit", windows: [SEED_PERIOD] }) },
    clock: new DemoClock(instant(DASHBOARD_START), 0),
    directory: seedDirectory(),
    senderAddress: `dashboard-${Date.now()}@ubnd.example.org`,
    dynamoEndpoint: options.dynamoEndpoint,
    sesEndpoint: options.sesEndpoint,
    tableName: `dashboard-${Date.now()}`,
    apiPort: options.apiPort,
    seed: true,
    replaySeed: true,
    log: options.log,
  });
  const keys = stack.keys as { integration: string; reader: string };
  // Monday 2022-08-29 07:30, as on `npm start`: the weekly email and its snapshot.
  await moveTo(stack, instant("2022-08-29T07:30:00+07:00"));
  await stack.fire("WeeklyKpiReport");
  // The period's last evening, then past the seed's last event (dossiers of the period reported
  // late): the period closes on the way (00:30, 2022-09-06), as deployed.
  await moveTo(stack, instant("2022-09-06T00:15:00+07:00"));
  await moveTo(stack, instant(DASHBOARD_CLOCK));
  // The tests and screenshots open views faster than a person: a reader key of their own, at 200/s.
  const reader = await createApiKey(stack.store, {
    name: "dashboard tests",
    role: "reader",
    source: "dashboard-tests",
    ratePerSecond: 200,
  });
  const scoped = await createApiKey(stack.store, {
    name: "department dashboard",
    role: "reader",
    source: "dashboard-unit",
    ratePerSecond: 200,
    units: [SCOPED_UNIT],
  });
  return { stack, reader, scoped, integration: keys.integration };
}

/**
 * Moves the demo clock to `at`; the seed's events up to then arrive through the bus and are
 * applied (until the office's counts stop moving), then the sweep runs.
 */
async function moveTo(stack: LocalStack, at: number): Promise<void> {
  stack.clock.advance(at - stack.clock.now());
  const counted = async () => {
    const counts = await stack.store.readPeriodCounts(SEED_PERIOD, { consistent: true });
    return JSON.stringify(counts);
  };
  let last = "";
  for (let same = 0; same < 2; ) {
    // The scheduler's next tick (every 250 ms) publishes the events now due; the consumer applies them.
    await new Promise((r) => setTimeout(r, 500));
    await stack.drain();
    const now = await counted();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  await stack.fire("SweepDeadlines");
}
