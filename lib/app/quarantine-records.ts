import { keptValue, quarantineBody, refusedField } from "../domain/events/redact";
import type { DossierEvent } from "../domain/events/schema";
import { describeProblems } from "../domain/events/validate";
import type { QuarantineRecord } from "../domain/records";
import type { Problem } from "../domain/result";

/** The quarantine record of an event that cannot be applied, and what arrived (its id's source). */
export function refusedRecord(
  at: number,
  event: DossierEvent,
  reason: string,
  applied?: DossierEvent,
): { record: Omit<QuarantineRecord, "id">; arrived: string } {
  const arrived = JSON.stringify(event);
  return {
    record: {
      at,
      reason,
      eventId: event.eventId,
      dossierId: event.dossierId,
      type: event.type,
      source: event.source,
      body: quarantineBody(event, Buffer.byteLength(arrived)),
      ...(applied && { applied: quarantineBody(applied, Buffer.byteLength(JSON.stringify(applied))) }),
    },
    arrived,
  };
}

/** The quarantine record of input that is not a valid event (`problems` as validation gave them). */
export function invalidRecord(
  at: number,
  input: unknown,
  raw: string,
  source: string | undefined,
  problems: Problem[],
): Omit<QuarantineRecord, "id"> {
  const obj = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const invalid = problems.map((p) => p.path);
  const refused = refusedField(invalid);
  // The record's own copies of the identifying fields follow the body's rule (`keptValue`).
  const str = (field: string) => {
    const kept = keptValue(field, obj[field], refused(field));
    return typeof kept === "string" ? kept.slice(0, 128) : undefined;
  };
  return {
    at,
    reason: `invalid event: ${describeProblems(problems)}`,
    problems,
    eventId: str("eventId"),
    dossierId: str("dossierId"),
    type: str("type"),
    source,
    body: quarantineBody(input, Buffer.byteLength(raw), invalid),
  };
}
