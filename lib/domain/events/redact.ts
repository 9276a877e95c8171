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
 * What reads as a code, a date or a number: 1 to 64 visible ASCII characters, no space. A field's
 * value that failed validation is kept only so (a misspelt type, a date out of range): text with
 * spaces or letters beyond ASCII may be a name or an address sent in the wrong field.
 */
const CODE_LIKE = /^[\x21-\x7e]{1,64}$/;

/**
 * A contract field's value as a quarantine record keeps it (undefined: not kept): as it is, strings
 * cut; when validation refused it (`invalid`), a string only if it reads as a code.
 */
export function keptValue(value: unknown, invalid: boolean): unknown {
  if (invalid && typeof value === "string") return CODE_LIKE.test(value) ? value : undefined;
  return keep(value);
}

/**
 * What a quarantine record keeps of an event that could not be applied: the fields the contract
 * knows (docs/events.md), so the event can be corrected and sent again, and the names (never the
 * values) of every other field under `removed`. An integration that wrongly sends an applicant's
 * name or phone in an extra field must not have it stored for 90 days; a body that is not a JSON
 * object is not kept at all. A contract field named in `invalid` (the paths validation refused;
 * every field, when the type is among them) keeps its value only when it reads as a code
 * ({@link CODE_LIKE}); otherwise it is named under `valuesNotKept`, with its length.
 */
export function quarantineBody(input: unknown, bytes: number, invalid: readonly string[] = []): string {
  if (!isObject(input)) return JSON.stringify({ notKept: `${bytes} bytes that are not a JSON object` });
  const refused = new Set(invalid);
  // An event of no known type was checked against no data shape: none of its fields is trusted.
  const untyped = refused.has("type");
  const out: Record<string, unknown> = {};
  const removed: string[] = [];
  const valuesNotKept: string[] = [];
  /** The contract field at `path`: its value, or undefined when it is not kept (and why, noted). */
  const field = (path: string, value: unknown) => {
    const kept = keptValue(value, untyped || refused.has(path));
    if (kept === undefined && typeof value === "string")
      valuesNotKept.push(`${path} (${value.length} characters)`);
    return kept;
  };
  for (const [key, value] of Object.entries(input)) {
    if (key === "data") {
      // Only an object of the contract's data fields: `data` as text could be anything.
      if (!isObject(value)) {
        removed.push(key);
        continue;
      }
      const data: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (!DATA_FIELDS.has(k)) removed.push(`data.${k}`);
        else {
          const kept = field(`data.${k}`, v);
          if (kept !== undefined) data[k] = kept;
          else if (typeof v !== "string") removed.push(`data.${k}`);
        }
      }
      out.data = data;
      continue;
    }
    if (!TOP_FIELDS.has(key)) {
      removed.push(key);
      continue;
    }
    const kept = field(key, value);
    if (kept !== undefined) out[key] = kept;
    else if (typeof value !== "string") removed.push(key);
  }
  if (removed.length) out.removed = removed.slice(0, 50).map((f) => f.slice(0, 128));
  if (valuesNotKept.length) out.valuesNotKept = valuesNotKept.slice(0, 50).map((f) => f.slice(0, 160));
  return JSON.stringify(out);
}
