import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { computeReport } from "../../lib/domain/report";
import { NOW, results, row, settings } from "../common";

/** The reference report's speed: computeReport over the seed quarter, in-process. */
export async function benchReference() {
  const events = seed2022Q3();
  const t0 = performance.now();
  const runs = 3;
  for (let i = 0; i < runs; i++) computeReport(events, settings, { period: SEED_PERIOD, asOf: NOW });
  const perSecond = (events.length * runs) / ((performance.now() - t0) / 1000);
  results.reference = { events: events.length, eventsPerSecond: Math.round(perSecond) };
  row(
    "Reference report from events (in-process)",
    `${Math.round(perSecond).toLocaleString("en")} events/s`,
    `computeReport over the ${events.length.toLocaleString("en")} seed events, ${runs} runs, one core`,
  );
}
