import { validateEvent } from "../domain/events/validate";
import { type ApplyDeps, type ApplyOutcome, applyEvent } from "./apply";
import { invalidRecord } from "./quarantine-records";
import { sourceOf, withSource } from "./source";

/**
 * Validates what arrived and applies it, or quarantines it with its reason: an invalid event never
 * crashes the consumer, never changes a KPI and is never lost (docs/events.md). `envelopeSource` is the
 * bus envelope's `source` (see {@link sourceOf}).
 */
export async function acceptAndApply(
  deps: ApplyDeps,
  input: unknown,
  raw: string,
  envelopeSource?: string,
): Promise<ApplyOutcome> {
  const bodySource = (input as { source?: unknown } | null)?.source;
  const source = sourceOf(
    envelopeSource,
    typeof bodySource === "string" ? bodySource.slice(0, 128) : undefined,
  );
  const result = validateEvent(input, { now: deps.now() });
  if (!result.ok) {
    const record = invalidRecord(deps.now(), input, raw, source, result.error);
    await deps.quarantine.put(record, raw);
    return { status: "quarantined", reason: record.reason };
  }
  return applyEvent(deps, withSource(result.value, source));
}
