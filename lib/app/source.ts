import { INGEST_SOURCE } from "../contracts/bus";
import type { DossierEvent } from "../domain/events/schema";

/**
 * The source an event is applied under: its identity on the bus. The ingestion API publishes
 * under its own `source` and puts the caller's (from the key) in the body; any other producer is
 * identified by the envelope's `source`, which IAM controls, whatever its body says.
 */
export function sourceOf(
  envelopeSource: string | undefined,
  bodySource: string | undefined,
): string | undefined {
  return envelopeSource === undefined || envelopeSource === INGEST_SOURCE ? bodySource : envelopeSource;
}

/** A valid event under the source it is applied under (see {@link sourceOf}), not the one it claims. */
export function withSource(valid: DossierEvent, source: string | undefined): DossierEvent {
  const { source: _claimed, ...event } = valid;
  return (source === undefined ? event : { ...event, source }) as DossierEvent;
}
