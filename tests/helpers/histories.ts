import fc from "fast-check";
import type { DossierEvent, PauseKind } from "../../lib/domain/events/schema";
import { formatInstant, instant } from "../../lib/domain/time";

/**
 * Random dossier histories for property tests: plausible lifecycles with noise (missing
 * `received`, events after the close, second extensions, pauses across period ends, transfers),
 * timestamps spread over `[start, start + spanDays]`.
 */
export interface HistoryOptions {
  start: string;
  spanDays: number;
  maxDossiers?: number;
  units?: string[];
}

const TYPES: DossierEvent["type"][] = [
  "dossier.transferred",
  "dossier.supplement_requested",
  "dossier.supplement_received",
  "dossier.deadline_extended",
  "dossier.resolved",
  "dossier.returned",
  "dossier.withdrawn",
  "dossier.rated",
];

const PAUSE_DATA: { pauseKind?: PauseKind }[] = [
  {},
  { pauseKind: "supplement" },
  { pauseKind: "financial_obligation" },
  { pauseKind: "other_agency" },
];

export function historiesArb(options: HistoryOptions): fc.Arbitrary<DossierEvent[]> {
  const t0 = instant(options.start);
  const span = options.spanDays * 86_400_000;
  const units = options.units ?? ["u-a", "u-b", "u-c"];
  const minute = (ms: number) => Math.floor(ms / 60_000) * 60_000;
  const step = fc.record({
    type: fc.constantFrom(...TYPES),
    after: fc.integer({ min: -2 * 86_400_000, max: 40 * 86_400_000 }),
    unit: fc.constantFrom(...units),
    score: fc.integer({ min: 1, max: 5 }),
    flag: fc.boolean(),
    days: fc.integer({ min: 1, max: 15 }),
  });
  const dossier = fc.record({
    // About one dossier in twelve without its receipt (orphan events); an integer, since fast-check
    // draws doubles near their bounds often, which made most dossiers orphans.
    hasReceived: fc.integer({ min: 0, max: 11 }).map((x) => x > 0),
    receivedOffset: fc.integer({ min: 0, max: span }),
    unit: fc.constantFrom(...units),
    channel: fc.constantFrom("direct", "direct", "direct", "online", "postal") as fc.Arbitrary<
      "direct" | "online" | "postal"
    >,
    period: fc.oneof(
      fc.record({ processingDays: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ processingHours: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ dueOffsetDays: fc.integer({ min: 1, max: 30 }) }),
    ),
    domain: fc.constantFrom("dat-dai", "bao-tro-xa-hoi", "ho-tich"),
    steps: fc.array(step, { maxLength: 7 }),
  });
  return (
    fc
      .array(dossier, { minLength: 1, maxLength: options.maxDossiers ?? 25 })
      .map((dossiers) => {
        const events: DossierEvent[] = [];
        dossiers.forEach((d, i) => {
          const dossierId = `D-${String(i).padStart(4, "0")}`;
          const receivedAt = minute(t0 + d.receivedOffset);
          let n = 0;
          const id = () => `${dossierId}.e${n++}`;
          if (d.hasReceived) {
            const period =
              "dueOffsetDays" in d.period
                ? { dueAt: formatInstant(receivedAt + d.period.dueOffsetDays * 86_400_000) }
                : d.period;
            events.push({
              eventId: id(),
              type: "dossier.received",
              occurredAt: formatInstant(receivedAt),
              dossierId,
              data: {
                unitId: d.unit,
                procedureCode: "1.000001",
                channel: d.channel,
                domain: d.domain,
                ...period,
              },
            });
          }
          let t = receivedAt;
          for (const s of d.steps) {
            t = minute(Math.max(t0, t + s.after));
            const base = { eventId: id(), occurredAt: formatInstant(t), dossierId };
            switch (s.type) {
              case "dossier.transferred":
                events.push({ ...base, type: s.type, data: { toUnitId: s.unit } });
                break;
              case "dossier.supplement_requested":
                // Every pause kind (docs/rules.md R5), and the kind left out as events before kinds were.
                events.push({ ...base, type: s.type, data: PAUSE_DATA[s.score % PAUSE_DATA.length] ?? {} });
                break;
              case "dossier.supplement_received":
                events.push({
                  ...base,
                  type: s.type,
                  data: s.flag ? {} : { dueAt: formatInstant(t + s.days * 86_400_000) },
                });
                break;
              case "dossier.deadline_extended":
                events.push({
                  ...base,
                  type: s.type,
                  data: { newDueAt: formatInstant(t + s.days * 86_400_000), apologyIssued: s.flag },
                });
                break;
              case "dossier.resolved":
                events.push({ ...base, type: s.type, data: { outcome: s.flag ? "approved" : "denied" } });
                break;
              case "dossier.returned":
                events.push({ ...base, type: s.type, data: {} });
                break;
              case "dossier.withdrawn":
                events.push({ ...base, type: s.type, data: {} });
                break;
              case "dossier.rated":
                events.push({ ...base, type: s.type, data: { score: s.score } });
                break;
            }
          }
        });
        return events;
      })
      // At least one dossier received: a history of orphan events only (or none) would hold every
      // property by comparing an empty table with an empty report.
      .filter((events) => events.some((e) => e.type === "dossier.received"))
  );
}

/** Shuffles `events` and duplicates some of them, driven by fast-check. */
export function deliveryArb(events: DossierEvent[]): fc.Arbitrary<DossierEvent[]> {
  return fc
    .tuple(
      fc.array(fc.nat(), { minLength: events.length, maxLength: events.length }),
      fc.array(fc.nat({ max: Math.max(0, events.length - 1) }), {
        maxLength: Math.max(1, Math.ceil(events.length / 5)),
      }),
    )
    .map(([keys, dupes]) => {
      const delivered = [...events, ...dupes.map((i) => events[i] as DossierEvent).filter(Boolean)];
      const order = delivered.map((e, i) => ({ e, k: keys[i % keys.length] ?? i, i }));
      order.sort((a, b) => a.k - b.k || a.i - b.i);
      return order.map((o) => o.e);
    });
}
