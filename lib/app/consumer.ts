import type { SQSRecord } from "aws-lambda";
import { keptValue, quarantineBody } from "../domain/events/redact";
import type { DossierEvent } from "../domain/events/schema";
import * as z from "../domain/zod";
import { acceptEvent } from "./accept";
import { type ApplyDeps, type ApplyOutcome, applyEvent } from "./apply";

/**
 * The envelope EventBridge delivers to a queue, as Powertools' parser defines it
 * (`@aws-lambda-powertools/parser/schemas/eventbridge`), restated here so the bundle keeps
 * zod tree-shakeable.
 */
const EventBridgeSchema = z.object({
  version: z.string(),
  id: z.string(),
  source: z.string(),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  resources: z.array(z.string()),
  "detail-type": z.string(),
  detail: z.unknown(),
  "replay-name": z.optional(z.string()),
});

/** The ids a message's outcome is logged with: never its body (no personal data). */
export type RecordKeys = { eventId?: string; dossierId?: string };

/** What the consumer did with one SQS message, for logs and metrics (no event body, no personal data). */
export type RecordOutcome = ApplyOutcome & RecordKeys;

/** A message read: a valid event, or the outcome of quarantining it; and its ids for the logs. */
export type ReadRecord = ({ event: DossierEvent } | { outcome: ApplyOutcome }) & { keys: RecordKeys };

const pick = (v: unknown, key: string) =>
  typeof v === "object" && v !== null && typeof (v as Record<string, unknown>)[key] === "string"
    ? ((v as Record<string, unknown>)[key] as string).slice(0, 128)
    : undefined;

/**
 * The dossier a message is about, peeked without trusting it (only to group a batch's messages
 * by dossier): `undefined` when the body is not an envelope around an event with a dossierId.
 */
export function dossierOfMessage(body: string): string | undefined {
  try {
    return pick((JSON.parse(body) as { detail?: unknown } | null)?.detail, "dossierId");
  } catch {
    return undefined;
  }
}

/**
 * One SQS message: the EventBridge envelope around a dossier event, as a valid event, or the
 * outcome of quarantining anything that is not one, with its reason. Storage errors are thrown so
 * the message is retried.
 */
export async function readSqsRecord(
  deps: Pick<ApplyDeps, "now" | "quarantine">,
  record: Pick<SQSRecord, "body" | "messageId">,
): Promise<ReadRecord> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    const reason = "the message body is not JSON";
    await deps.quarantine.put(
      { at: deps.now(), reason, body: quarantineBody(undefined, Buffer.byteLength(record.body)) },
      record.body,
    );
    return { outcome: { status: "quarantined", reason }, keys: {} };
  }
  const keys = keysOf((body as { detail?: unknown } | null)?.detail);
  const envelope = EventBridgeSchema.safeParse(body);
  if (!envelope.success) {
    const fields = envelope.error.issues.map((i) => i.path.join(".") || "(envelope)").join(", ");
    const reason = `not an EventBridge event (${fields})`;
    const detail = (body as { detail?: unknown } | null)?.detail;
    await deps.quarantine.put(
      // The event in it was never validated: every field is judged as a refused one.
      { at: deps.now(), reason, body: quarantineBody(detail, Buffer.byteLength(record.body), ["type"]) },
      record.body,
    );
    return { outcome: { status: "quarantined", reason }, keys: untrusted(keys) };
  }
  const detail = envelope.data.detail;
  let text: string;
  try {
    text = JSON.stringify(detail);
  } catch {
    // JSON.parse takes nesting JSON.stringify overflows its stack on (some thousands of levels):
    // kept with its reason like any unreadable message, never a failure retried to the DLQ.
    const reason = "the event is nested too deeply to read";
    await deps.quarantine.put(
      { at: deps.now(), reason, body: quarantineBody(undefined, Buffer.byteLength(record.body)) },
      record.body,
    );
    return { outcome: { status: "quarantined", reason }, keys: untrusted(keys) };
  }
  const read = await acceptEvent(deps, detail, text, envelope.data.source);
  return "event" in read ? { ...read, keys } : { outcome: read.outcome, keys: read.kept };
}

const keysOf = (detail: unknown): RecordKeys => ({
  eventId: pick(detail, "eventId"),
  dossierId: pick(detail, "dossierId"),
});

/**
 * The ids of a message in no EventBridge envelope, for the logs: nothing of it was validated, so
 * each only when it reads as an id would if refused (as its quarantine record judges its fields).
 */
const untrusted = (keys: RecordKeys): RecordKeys => ({
  eventId: keptValue("eventId", keys.eventId, true) as string | undefined,
  dossierId: keptValue("dossierId", keys.dossierId, true) as string | undefined,
});

/** One SQS message read and applied on its own ({@link readSqsRecord}, then `applyEvent`). */
export async function processSqsRecord(
  deps: ApplyDeps,
  record: Pick<SQSRecord, "body" | "messageId">,
): Promise<RecordOutcome> {
  const read = await readSqsRecord(deps, record);
  const outcome = "outcome" in read ? read.outcome : await applyEvent(deps, read.event);
  return { ...outcome, ...read.keys };
}
