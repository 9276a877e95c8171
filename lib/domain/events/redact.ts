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
 * What a refused value must read as to be kept (a date out of range, a misspelt type, a code too
 * long), by the field it was sent in: an ISO 8601 date or instant in an instant field, an event
 * type's characters in `type`, a code's (ASCII letters, digits, `._:/-`) in any other. Text with
 * spaces, or letters beyond ASCII, may be a name or an address sent in the wrong field.
 */
const INSTANT_FIELDS = new Set(["occurredAt", "data.dueAt", "data.newDueAt"]);
const INSTANT_SHAPE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const readsAs = (path: string) =>
  INSTANT_FIELDS.has(path) ? INSTANT_SHAPE : path === "type" ? /^[a-z._]{1,64}$/ : /^[A-Za-z0-9._:/-]{1,64}$/;
/**
 * Nine digits or more, with or without separators between them (`0912.345.678`, `+84-912-345-678`,
 * `001.085.012.345`): a phone or an identity number. It also refuses some long dossier codes; a
 * refused one is then named, not kept, which loses only the record's help in correcting it.
 */
const PERSONAL = /(\d[-. /]?){9}/;

/**
 * A contract field's value as a quarantine record keeps it (undefined: not kept): as it is, strings
 * cut; when validation refused it (`invalid`), a string only if it reads as the field's kind and
 * holds nothing that reads as personal ({@link PERSONAL}), a number only if its digits would be
 * kept as a string and it is below nine digits.
 */
export function keptValue(path: string, value: unknown, invalid: boolean): unknown {
  if (!invalid) return keep(value);
  if (typeof value === "string")
    return readsAs(path).test(value) && !PERSONAL.test(value) ? value : undefined;
  if (typeof value === "number")
    return Number.isFinite(value) && Math.abs(value) < 1e8 && !PERSONAL.test(String(value))
      ? value
      : undefined;
  return keep(value);
}

/** How a value not kept is named: its kind and length, never its content. */
const described = (path: string, value: unknown) => {
  if (typeof value === "string") return `${path} (${[...value].length} characters)`;
  const n = Math.abs(value as number);
  return Number.isFinite(n) && n < 1e21
    ? `${path} (a number of ${String(Math.trunc(n)).length} digits)`
    : `${path} (a number)`;
};

/**
 * A field's name as records, answers and logs show it: as sent when it reads as a field name, else
 * only its length (a name sent as a key, `{"Nguyễn Văn A": …}`, is personal data too).
 */
export const shownFieldName = (name: string) =>
  /^[A-Za-z0-9_.:-]{1,64}$/.test(name) && !PERSONAL.test(name)
    ? name
    : `(a field name of ${[...name].length} characters)`;

/**
 * Whether validation refused the field at a path, from the paths it refused (`invalid`): every
 * field when the type is among them (an event of no known type was checked against no data
 * shape), when the list was cut short (a refused field may be left out of it), or when the event
 * as a whole was refused.
 */
export function refusedField(invalid: readonly string[]): (path: string) => boolean {
  const refused = new Set(invalid);
  const all = refused.has("type") || refused.has("(more)") || refused.has("(event)");
  return (path) => all || refused.has(path);
}

/**
 * What a quarantine record keeps of an event that could not be applied: the fields the contract
 * knows (docs/events.md), so the event can be corrected and sent again, and the names (never the
 * values) of every other field under `removed`. An integration that wrongly sends an applicant's
 * name or phone in an extra field must not have it stored for 90 days; a body that is not a JSON
 * object is not kept at all. A contract field named in `invalid` (the paths validation refused;
 * every field, when the type is among them or the list was cut) keeps its value only as
 * {@link keptValue} says; otherwise it is named under `valuesNotKept`, with its length.
 */
export function quarantineBody(input: unknown, bytes: number, invalid: readonly string[] = []): string {
  if (!isObject(input)) return JSON.stringify({ notKept: `${bytes} bytes that are not a JSON object` });
  const refused = refusedField(invalid);
  const out: Record<string, unknown> = {};
  const removed: string[] = [];
  const valuesNotKept: string[] = [];
  /** The contract field at `path`: its value, or undefined when it is not kept (and why, noted). */
  const field = (path: string, value: unknown) => {
    const kept = keptValue(path, value, refused(path));
    if (kept === undefined && (typeof value === "string" || typeof value === "number"))
      valuesNotKept.push(described(path, value));
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
          else if (typeof v !== "string" && typeof v !== "number") removed.push(`data.${k}`);
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
    else if (typeof value !== "string" && typeof value !== "number") removed.push(key);
  }
  if (removed.length)
    out.removed = removed
      .slice(0, 50)
      .map((f) => (f.startsWith("data.") ? `data.${shownFieldName(f.slice(5))}` : shownFieldName(f)));
  if (valuesNotKept.length) out.valuesNotKept = valuesNotKept.slice(0, 50).map((f) => f.slice(0, 160));
  return JSON.stringify(out);
}
