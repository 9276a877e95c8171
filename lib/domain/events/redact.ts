import { DossierEventSchema } from "./schema";

const TOP_FIELDS = new Set(["eventId", "type", "occurredAt", "dossierId", "source"]);
/** The data fields of every event type but free-text `reason` (it may name people; never stored). */
const DATA_FIELDS = new Set(
  DossierEventSchema.def.options
    .flatMap((o) => Object.keys(o.shape.data.shape))
    .filter((k) => k !== "reason"),
);
const MAX_STRING = 512;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A contract value kept as it is (strings cut); anything else is not kept. */
function keep(value: unknown): unknown {
  if (typeof value === "string") return value.slice(0, MAX_STRING);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return value;
  return undefined;
}

/**
 * What a quarantine record keeps of an event that could not be applied: the fields the contract
 * knows (docs/events.md), so the event can be corrected and sent again, and the names (never the
 * values) of every other field under `removed`. An integration that wrongly sends an applicant's
 * name or phone in an extra field must not have it stored for 90 days; a body that is not a JSON
 * object is not kept at all.
 */
export function quarantineBody(input: unknown, bytes: number): string {
  if (!isObject(input)) return JSON.stringify({ notKept: `${bytes} bytes that are not a JSON object` });
  const out: Record<string, unknown> = {};
  const removed: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (key === "data") {
      // Only an object of the contract's data fields: `data` as text could be anything.
      if (!isObject(value)) {
        removed.push(key);
        continue;
      }
      const data: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const kept = DATA_FIELDS.has(k) ? keep(v) : undefined;
        if (kept === undefined) removed.push(`data.${k}`);
        else data[k] = kept;
      }
      out.data = data;
      continue;
    }
    const kept = TOP_FIELDS.has(key) ? keep(value) : undefined;
    if (kept === undefined) removed.push(key);
    else out[key] = kept;
  }
  if (removed.length) out.removed = removed.slice(0, 50).map((f) => f.slice(0, 128));
  return JSON.stringify(out);
}
