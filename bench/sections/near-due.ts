import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { markKey } from "../../lib/domain/alert-marks";
import { alertFactsOf, alertTimeline } from "../../lib/domain/alerts";
import { periodBounds } from "../../lib/domain/periods";
import { groupByDossier, projectDossier } from "../../lib/domain/projection";
import { instant } from "../../lib/domain/time";
import { thresholdsOf } from "../../lib/domain/units";
import { results, row, seedUnits, settings } from "../common";

/** The sweep's schedule (every 15 minutes): an alert is raised at the first sweep at or after its threshold. */
const SWEEP_MS = 15 * 60_000;
const nextSweep = (t: number) => Math.ceil(t / SWEEP_MS) * SWEEP_MS;
/** Far enough past the seed's last event for every open dossier's stages to be crossed. */
const UNTIL = instant("2022-12-31T17:00:00+07:00");

/**
 * How many near-due alerts the rules raise for the seed quarter (an alert a head can act on,
 * not one at once). In-process, with the domain's alert timeline and the seed directory's
 * thresholds: each dossier received in the seed window is swept from its receipt, every 15
 * minutes in effect (at each threshold and each event, rounded up to the sweep), keeping the
 * marks as the store does. Counts near-due alerts raised at the first sweep after receipt, and
 * in all.
 */
export async function benchNearDue() {
  const units = seedUnits();
  const calendar = settings.calendar;
  const { start, end } = periodBounds(SEED_PERIOD);
  let dossiers = 0;
  let atOnce = 0;
  let total = 0;
  for (const [id, events] of groupByDossier(seed2022Q3())) {
    const times = [...new Set(events.map((e) => instant(e.occurredAt)))].sort((a, b) => a - b);
    const first = projectDossier(id, events, settings, Number.POSITIVE_INFINITY);
    const receivedAt = first.receivedAt;
    if (receivedAt === undefined || receivedAt < start || receivedAt > end) continue;
    dossiers++;
    const marks: Record<string, number> = {};
    let now = nextSweep(receivedAt);
    for (let sweep = 0; sweep < 10_000 && now <= UNTIL; sweep++) {
      const state = projectDossier(id, events, settings, now);
      const facts = alertFactsOf(state);
      if (!facts) break;
      const t = thresholdsOf(units.get(state.unitId), calendar);
      const plan = alertTimeline(facts, marks, now, calendar, t);
      for (const s of plan.raise) {
        marks[markKey(s.kind, facts.unitId)] = s.key;
        if (s.kind !== "near_due") continue;
        total++;
        if (sweep === 0) atOnce++;
      }
      const event = times.find((x) => x > now);
      const candidates = [plan.next, event].filter((x): x is number => x !== undefined);
      if (candidates.length === 0) break;
      now = Math.max(now + SWEEP_MS, nextSweep(Math.min(...candidates)));
    }
  }
  const per1000 = (n: number) => ((n * 1000) / dossiers).toFixed(1);
  results.nearDue = { dossiers, atFirstSweep: atOnce, total };
  row(
    "Near-due alerts per 1,000 seed dossiers",
    `${per1000(atOnce)} at the first sweep after receipt (${atOnce.toLocaleString("en")} of ${dossiers.toLocaleString("en")}); ${per1000(total)} in all (${total.toLocaleString("en")})`,
    "the domain's alert timeline over every dossier received in the seed quarter (simulate --scenario seed-2022-q3), in-process, with the seed directory's thresholds: each dossier swept from its receipt at each threshold and each of its events, rounded up to the 15-minute sweep, marks kept as the store keeps them",
  );
}
