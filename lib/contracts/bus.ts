import { randomUUID } from "node:crypto";
import type { DossierEvent } from "../domain/events/schema";

/**
 * The event bus contract, defined once for the CDK stack and the local stack (README "Architecture"): the
 * detail-type of a dossier event is its `type`; the rule sends everything that looks like a
 * dossier event (even a misspelt type) to the consumer's queue, so that what is invalid is
 * quarantined with its reason instead of being dropped by the bus.
 */

/** The `source` the ingestion API puts on events it publishes. */
export const INGEST_SOURCE = "dossier-monitor.ingest";

export const DOSSIER_EVENTS_RULE = {
  id: "DossierEventsToConsumer",
  bus: "dossier",
  description: "Dossier events (detail-type dossier.*) from any non-AWS source, to the apply-events queue",
  eventPattern: {
    "detail-type": [{ prefix: "dossier." }],
    source: [{ "anything-but": { prefix: "aws." } }],
  },
} as const;

/** The `source` of the sweep's notice that alerts wait to be sent. */
export const SWEEP_SOURCE = "dossier-monitor.sweep";
export const ALERTS_PENDING = "alerts.pending";

/** The sweep's notice → send-alerts. */
export const ALERTS_PENDING_RULE = {
  id: "AlertsPendingToSender",
  bus: "dossier",
  description: "The deadline sweep found alerts to send: run send-alerts",
  eventPattern: { source: [SWEEP_SOURCE], "detail-type": [ALERTS_PENDING] },
} as const;

/** SES bounce and complaint notifications (SES event publishing to EventBridge) → suppression. */
export const SES_FEEDBACK_RULE = {
  id: "SesFeedbackToSuppression",
  // SES event destinations publish to the account's default bus, not the project's.
  bus: "default",
  description: "Bounces and complaints reported by SES: suppress the addresses",
  eventPattern: { source: ["aws.ses"], "detail-type": ["Email Bounced", "Email Complaint Received"] },
} as const;

/**
 * Every rule, by id: the CDK stack and the local bus both take them from here. `bus`: the
 * project's bus (`dossier`) or the account's `default` bus.
 */
export const RULES = [DOSSIER_EVENTS_RULE, ALERTS_PENDING_RULE, SES_FEEDBACK_RULE] as const;

/**
 * Publishes events to the bus (EventBridge PutEvents in Lambda and, locally, the local bus).
 * Resolves with the indices of the entries that could not be published (empty: all were).
 */
export type Publish = (
  entries: { source: string; detailType: string; detail: unknown }[],
) => Promise<{ failed: number[] }>;

/** An EventBridge event as delivered to targets (the envelope around `detail`). */
export interface BusEvent<T = unknown> {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: T;
}

/** The envelope EventBridge puts around an event (used by the local bus and tests). */
export function envelope(
  event: DossierEvent | Record<string, unknown>,
  source = INGEST_SOURCE,
  at = Date.now(),
): BusEvent {
  const type = (event as { type?: unknown }).type;
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": typeof type === "string" ? type : "dossier.unknown",
    source,
    account: "000000000000",
    time: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: "ap-southeast-1",
    resources: [],
    detail: event,
  };
}

type PatternValue = string | { prefix: string } | { "anything-but": { prefix: string } | string[] };

/**
 * Whether an event matches a pattern: the subset of EventBridge's matching the project's rules
 * use (exact values, `prefix`, `anything-but`), with EventBridge's semantics for each.
 */
export function matchesPattern(
  pattern: Record<string, readonly PatternValue[]>,
  event: Record<string, unknown>,
): boolean {
  return Object.entries(pattern).every(([field, allowed]) => {
    const value = event[field];
    if (typeof value !== "string") return false;
    return allowed.some((rule) => {
      if (typeof rule === "string") return value === rule;
      if ("prefix" in rule) return value.startsWith(rule.prefix);
      const but = rule["anything-but"];
      return Array.isArray(but) ? !but.includes(value) : !value.startsWith(but.prefix);
    });
  });
}
