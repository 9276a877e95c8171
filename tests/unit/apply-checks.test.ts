import { describe, expect, it } from "vitest";
import { checkApply, decideApply } from "../../lib/app/apply";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { Counted } from "../../lib/domain/counting";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { planDossier } from "../../lib/domain/plan";
import { MAX_EVENTS_BEFORE_RECEIPT } from "../../lib/domain/records";
import { instant } from "../../lib/domain/time";
import { UnitDirectory } from "../../lib/domain/units";

/**
 * The place a dossier's log keeps for its receipt, decided from the log alike by the consumer
 * (which has the dossier's record) and the import (which folds a new dossier without one).
 */

const id = "PLACE-1";
const receipt: DossierEvent = {
  eventId: "r",
  type: "dossier.received",
  // Up to five minutes ahead of the clock is valid: the record may not count it yet.
  occurredAt: "2022-07-04T08:04:00+07:00",
  dossierId: id,
  source: "A",
  data: { unitId: "phong-tnmt", procedureCode: "1.001990", channel: "direct", processingDays: 5 },
};
const rated = (i: number): DossierEvent => ({
  eventId: `k-${i}`,
  type: "dossier.rated",
  occurredAt: "2022-07-04T08:00:00+07:00",
  dossierId: id,
  source: "A",
  data: { score: 5 },
});
const others = Array.from({ length: MAX_EVENTS_BEFORE_RECEIPT - 1 }, (_, i) => rated(i));

describe("the place kept for a dossier's receipt", () => {
  it("is taken by a receipt in the log, whether or not the record counts it yet", () => {
    const log = [receipt, ...others];
    const last = rated(999);
    expect(checkApply({}, { dossier: { owner: "A", received: false }, log }, last)).toBeUndefined();
    expect(checkApply({}, { log }, last)).toBeUndefined();
  });

  it("is kept while no receipt is in the log: the receipt fits, another event does not", () => {
    const log = [...others, rated(998)];
    expect(log).toHaveLength(MAX_EVENTS_BEFORE_RECEIPT);
    expect(checkApply({}, { dossier: { received: false }, log }, rated(999))).toEqual({
      kind: "quarantine",
      reason: `dossier ${id} has not been received and already holds ${MAX_EVENTS_BEFORE_RECEIPT} events: its last place is kept for its dossier.received`,
    });
    expect(checkApply({}, { log }, receipt)).toBeUndefined();
  });
});

describe("an event ahead of the clock", () => {
  const settings = { calendar: WorkingCalendar.official(), scheme: { kind: "calendar-quarter" as const } };
  const deps = { settings };
  const received = (counted: Counted) =>
    Object.values(counted).reduce((n, c) => n + (c.counts.receivedNew ?? 0), 0);

  it("stays counted when an earlier-dated event is applied within its minutes ahead", () => {
    // The receipt dated 08:04 taken at 08:00 (up to 5 minutes ahead is valid), then a rating dated
    // 08:00 at 08:00:30: the second plan must not leave the receipt out and take back its counts.
    const first = decideApply(deps, { log: [] }, receipt, instant("2022-07-04T08:00:00+07:00"));
    if (first.kind !== "commit") throw new Error(first.kind);
    expect(received(first.record.counted)).toBe(1);
    const second = decideApply(
      deps,
      { dossier: first.record, log: first.log },
      rated(1),
      instant("2022-07-04T08:00:30+07:00"),
    );
    if (second.kind !== "commit") throw new Error(second.kind);
    expect(second.record.received).toBe(true);
    expect(received(second.record.counted)).toBe(1);
    expect(second.deltas.some((d) => d.counts.receivedNew)).toBe(false);
  });
});

describe("the places of a dossier's log", () => {
  const other = (i: number): DossierEvent => ({ ...rated(i), eventId: `b-${i}`, source: "B" });
  const resolved: DossierEvent = {
    eventId: "z",
    type: "dossier.resolved",
    occurredAt: "2022-07-08T10:00:00+07:00",
    dossierId: id,
    source: "A",
    data: { outcome: "approved" },
  };
  const received = { owner: "A", received: true, unitId: "phong-tnmt" };

  it("are not used up by another source's events kept before the owner's receipt", () => {
    // Another integration posted 499 events for the id before the owner's receipt took the last place.
    const log = [...Array.from({ length: MAX_EVENTS_BEFORE_RECEIPT }, (_, i) => other(i)), receipt];
    expect(checkApply({}, { dossier: received, log }, resolved)).toBeUndefined();
  });

  it("are used up by another source's events kept after the receipt (a granted source's)", () => {
    const log = [receipt, ...Array.from({ length: MAX_EVENTS_BEFORE_RECEIPT }, (_, i) => other(i))];
    expect(checkApply({}, { dossier: received, log }, resolved)).toMatchObject({ kind: "quarantine" });
  });

  it("are used up by the owner's own 500 events", () => {
    const log = [receipt, ...Array.from({ length: MAX_EVENTS_BEFORE_RECEIPT }, (_, i) => rated(i))];
    expect(checkApply({}, { dossier: received, log }, resolved)).toMatchObject({
      kind: "quarantine",
      reason: expect.stringContaining("already holds 500 events"),
    });
  });
});

describe("a plan with an event ahead of the clock", () => {
  const settings = { calendar: WorkingCalendar.official(), scheme: { kind: "calendar-quarter" as const } };
  // Received Monday, 2 working days: due Wednesday 17:00.
  const received2: DossierEvent = {
    ...receipt,
    occurredAt: "2022-07-04T08:00:00+07:00",
    data: { ...receipt.data, processingDays: 2 },
  } as DossierEvent;
  const planAt = (events: DossierEvent[], now: string, raiseAlerts: boolean) =>
    planDossier(id, events, undefined, instant(now), settings, UnitDirectory.empty(), { raiseAlerts });

  it("counts to that event, but raises no stage and states no SLA before the clock reaches it", () => {
    // A rating dated 17:03 taken at 16:59:30, then the sweep at 16:59:45.
    const plan = planAt(
      [received2, { ...rated(1), occurredAt: "2022-07-06T17:03:00+07:00" }],
      "2022-07-06T16:59:45+07:00",
      true,
    );
    expect(plan.sla).not.toBe("overdue");
    expect(plan.raise.map((r) => r.kind)).not.toContain("overdue");
    expect(plan.state.ratings).toHaveLength(1);
  });

  it("states a dossier closed by an event ahead of the clock closed, not open for good", () => {
    const resolvedAhead: DossierEvent = {
      eventId: "z",
      type: "dossier.resolved",
      occurredAt: "2022-07-06T16:58:00+07:00",
      dossierId: id,
      source: "A",
      data: { outcome: "approved" },
    };
    const plan = planAt([received2, resolvedAhead], "2022-07-06T16:55:00+07:00", false);
    expect(plan.sla).toBe("closed");
    expect(plan.nextCheckAt).toBeUndefined();
  });
});
