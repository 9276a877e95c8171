import type { DossierEvent } from "../domain/events/schema";
import { validateEvent } from "../domain/events/validate";
import type { ApplyDeps, ApplyOutcome } from "./apply";
import { invalidRecord } from "./quarantine-records";
import { sourceOf, withSource } from "./source";

/**
 * What arrived as a valid event under its source, or its quarantine: an invalid event never
 * crashes the consumer, never changes a KPI and is never lost (docs/events.md). `envelopeSource`
 * is the bus envelope's `source` (see {@link sourceOf}). A quarantined one comes with its ids as
 * its record keeps them (`kept`).
 */
export async function acceptEvent(
  deps: Pick<ApplyDeps, "now" | "quarantine">,
  input: unknown,
  raw: string,
  envelopeSource?: string,
): Promise<
  { event: DossierEvent } | { outcome: ApplyOutcome; kept: { eventId?: string; dossierId?: string } }
> {
  const bodySource = (input as { source?: unknown } | null)?.source;
  const source = sourceOf(
    envelopeSource,
    typeof bodySource === "string" ? bodySource.slice(0, 128) : undefined,
  );
  const result = validateEvent(input, { now: deps.now() });
  if (!result.ok) {
    const record = invalidRecord(deps.now(), input, raw, source, result.error);
    await deps.quarantine.put(record, raw);
    // Its ids as the record keeps them (a refused one only when it reads as one), for the logs.
    return {
      outcome: { status: "quarantined", reason: record.reason },
      kept: { eventId: record.eventId, dossierId: record.dossierId },
    };
  }
  return { event: withSource(result.value, source) };
}
