import { describe, expect, it } from "vitest";
import { LocalBus, LocalQueue } from "../../dev/local/bus";
import {
  ALERTS_PENDING_RULE,
  DOSSIER_EVENTS_RULE,
  envelope,
  matchesPattern,
  RULES,
  SES_FEEDBACK_RULE,
} from "../../lib/contracts/bus";

describe("rule patterns (lib/contracts/bus.ts), as EventBridge reads them", () => {
  const ev = (source: string, detailType: string) =>
    ({ ...envelope({}, source), "detail-type": detailType }) as unknown as Record<string, unknown>;

  it("sends every dossier.* event from a non-AWS source to the consumer, misspelt types included", () => {
    expect(matchesPattern(DOSSIER_EVENTS_RULE.eventPattern as never, ev("igate", "dossier.received"))).toBe(
      true,
    );
    expect(matchesPattern(DOSSIER_EVENTS_RULE.eventPattern as never, ev("igate", "dossier.recieved"))).toBe(
      true,
    );
    expect(matchesPattern(DOSSIER_EVENTS_RULE.eventPattern as never, ev("aws.ses", "dossier.received"))).toBe(
      false,
    );
    expect(matchesPattern(DOSSIER_EVENTS_RULE.eventPattern as never, ev("igate", "alerts.pending"))).toBe(
      false,
    );
  });

  it("sends SES bounces and complaints to suppression, and the sweep's notice to the sender", () => {
    expect(matchesPattern(SES_FEEDBACK_RULE.eventPattern as never, ev("aws.ses", "Email Bounced"))).toBe(
      true,
    );
    expect(matchesPattern(SES_FEEDBACK_RULE.eventPattern as never, ev("aws.ses", "Email Delivered"))).toBe(
      false,
    );
    expect(
      matchesPattern(
        ALERTS_PENDING_RULE.eventPattern as never,
        ev("dossier-monitor.sweep", "alerts.pending"),
      ),
    ).toBe(true);
  });

  it("routes on the local bus with the very rule objects the CDK stack deploys", async () => {
    const hits: string[] = [];
    const queue = new LocalQueue(
      async (e) => {
        hits.push(`queue:${e.Records.length}`);
        return { batchItemFailures: [] };
      },
      { workers: 1, batchSize: 10, maxReceives: 5 },
    );
    const bus = new LocalBus(
      {
        [DOSSIER_EVENTS_RULE.id]: { kind: "queue", queue },
        [ALERTS_PENDING_RULE.id]: { kind: "function", invoke: async () => hits.push("send-alerts") },
        [SES_FEEDBACK_RULE.id]: { kind: "function", invoke: async () => hits.push("ses-feedback") },
      } as never,
      Date.now,
      (e) => {
        throw e;
      },
    );
    await bus.publish([
      { source: "igate", detailType: "dossier.received", detail: {} },
      { source: "dossier-monitor.sweep", detailType: "alerts.pending", detail: {} },
      { source: "aws.ses", detailType: "Email Complaint Received", detail: {} },
      { source: "aws.ec2", detailType: "EC2 Instance State-change Notification", detail: {} },
    ]);
    // SES reports on the account's default bus, where the suppression rule is, and only there.
    const complaint = { ...envelope({}, "aws.ses"), "detail-type": "Email Complaint Received" };
    expect(bus.route(complaint, "default")).toBe(1);
    expect(bus.route({ ...complaint, source: "igate", "detail-type": "dossier.received" }, "default")).toBe(
      0,
    );
    await queue.drained();
    expect(hits.sort()).toEqual(["queue:1", "send-alerts", "ses-feedback"]);
    expect(RULES.map((r) => r.id)).toEqual([
      DOSSIER_EVENTS_RULE.id,
      ALERTS_PENDING_RULE.id,
      SES_FEEDBACK_RULE.id,
    ]);
  });
});

describe("the local queue", () => {
  it("keeps a message it gives up on in its dead-letter list, and says so", async () => {
    const told: string[] = [];
    let receives = 0;
    const queue = new LocalQueue(
      async (event) => {
        receives++;
        return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      { workers: 1, batchSize: 10, maxReceives: 3, onDeadLetter: (r, n) => told.push(`${r.body}:${n}`) },
    );
    queue.send('{"kept":true}');
    await queue.drained();
    expect(receives).toBe(3);
    expect(queue.deadLetters.map((r) => r.body)).toEqual(['{"kept":true}']);
    expect(told).toEqual(['{"kept":true}:3']);
  });
});
