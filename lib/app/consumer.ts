import type { SQSRecord } from "aws-lambda";
import { quarantineBody } from "../domain/events/redact";
import * as z from "../domain/zod";
import { acceptAndApply } from "./accept";
import type { ApplyDeps, ApplyOutcome } from "./apply";

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

/** What the consumer did with one SQS message, for logs and metrics (no event body, no personal data). */
export type RecordOutcome = ApplyOutcome & { eventId?: string; dossierId?: string };

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
 * One SQS message: the EventBridge envelope around a dossier event. Anything that is not one is
 * quarantined with its reason; storage errors are thrown so the message is retried.
 */
export async function processSqsRecord(
  deps: ApplyDeps,
  record: Pick<SQSRecord, "body" | "messageId">,
): Promise<RecordOutcome> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    const reason = "the message body is not JSON";
    await deps.quarantine.put(
      { at: deps.now(), reason, body: quarantineBody(undefined, Buffer.byteLength(record.body)) },
      record.body,
    );
    return { status: "quarantined", reason };
  }
  const envelope = EventBridgeSchema.safeParse(body);
  if (!envelope.success) {
    const fields = envelope.error.issues.map((i) => i.path.join(".") || "(envelope)").join(", ");
    const reason = `not an EventBridge event (${fields})`;
    const detail = (body as { detail?: unknown } | null)?.detail;
    await deps.quarantine.put(
      { at: deps.now(), reason, body: quarantineBody(detail, Buffer.byteLength(record.body)) },
      record.body,
    );
    return { status: "quarantined", reason };
  }
  const detail = envelope.data.detail;
  const outcome = await acceptAndApply(deps, detail, JSON.stringify(detail), envelope.data.source);
  return { ...outcome, eventId: pick(detail, "eventId"), dossierId: pick(detail, "dossierId") };
}
