import { describe, expect, it } from "vitest";
import { checkApply } from "../../lib/app/apply";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { MAX_EVENTS_BEFORE_RECEIPT } from "../../lib/domain/records";

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
