import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/**
 * DynamoDB's billing rules, item by item: an item's size, the units a read or a write of that
 * size takes, and the index writes a change makes. ./billed.ts applies them to every request the
 * bench's client sends; its header cites the developer guide's page for each rule.
 */

export type Item = Record<string, AttributeValue>;

/** The table's key schema and its global secondary indexes, as the bench's table is built. */
export interface TableShape {
  partitionKey: string;
  sortKey?: string;
  indexes: { name: string; partitionKey: string; sortKey?: string; projection: "ALL" | "KEYS_ONLY" }[];
}

/** Significant digits of a DynamoDB number: sign, point, leading and trailing zeroes left out. */
function significantDigits(n: string): number {
  const digits = n
    .replace(/^[-+]/, "")
    .replace(/[eE].*$/, "")
    .replace(".", "")
    .replace(/^0+/, "")
    .replace(/0+$/, "");
  return Math.max(1, digits.length);
}

const utf8 = (s: string) => Buffer.byteLength(s, "utf8");

/** The size of one value, without its name (CapacityUnitCalculations.html, above). */
export function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return Math.ceil(significantDigits(v.N) / 2) + 1;
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS) return v.SS.reduce((s, x) => s + utf8(x), 0);
  if (v.NS) return v.NS.reduce((s, x) => s + Math.ceil(significantDigits(x) / 2) + 1, 0);
  if (v.BS) return v.BS.reduce((s, x) => s + x.length, 0);
  if (v.L) return 3 + v.L.reduce((s, x) => s + valueSize(x) + 1, 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((s, [k, x]) => s + utf8(k) + valueSize(x) + 1, 0);
  throw new Error(`unknown attribute value ${JSON.stringify(v)}`);
}

/** An item's size in bytes: its attribute names and values. */
export function itemSize(item: Item): number {
  return Object.entries(item).reduce((s, [name, v]) => s + utf8(name) + valueSize(v), 0);
}

const TYPES = new Set(["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"]);

/** One plain value as an attribute value (what the document client unmarshalled). */
function attributeOf(v: unknown): AttributeValue {
  if (typeof v === "string") return { S: v };
  if (typeof v === "number" || typeof v === "bigint") return { N: String(v) };
  if (typeof v === "boolean") return { BOOL: v };
  if (v === null || v === undefined) return { NULL: true };
  if (v instanceof Uint8Array) return { B: v };
  if (Array.isArray(v)) return { L: v.map(attributeOf) };
  if (v instanceof Set) {
    const list = [...v];
    return typeof list[0] === "string" ? { SS: list as string[] } : { NS: list.map(String) };
  }
  const o = v as Record<string, unknown>;
  // lib-dynamodb's NumberValue keeps a number's text as `value`
  if (Object.keys(o).length === 1 && typeof o.value === "string" && o.constructor?.name === "NumberValue")
    return { N: o.value };
  return { M: Object.fromEntries(Object.entries(o).map(([k, x]) => [k, attributeOf(x)])) };
}

/**
 * An item as DynamoDB holds it. The client's build step sees requests marshalled, but a document
 * client's answers already unmarshalled (lib-dynamodb unmarshalls inside the deserialize step):
 * an item whose every value is not an attribute value is marshalled again here.
 */
export function asItem(item: Record<string, unknown>): Item {
  const marshalled = Object.values(item).every(
    (v) =>
      typeof v === "object" &&
      v !== null &&
      Object.keys(v).length === 1 &&
      TYPES.has(Object.keys(v)[0] as string),
  );
  return marshalled ? (item as Item) : (attributeOf(item).M as Item);
}

/** Write units of a standard write of `bytes`: one per started KB, at least one. */
export function writeUnitsOf(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}

/** Read units of `bytes` read at once: one per started 4 KB (at least one), by consistency. */
export function readUnitsOf(bytes: number, read: "eventual" | "strong" | "transactional"): number {
  const units = Math.max(1, Math.ceil(bytes / 4096));
  return read === "eventual" ? units / 2 : read === "transactional" ? units * 2 : units;
}

type Index = TableShape["indexes"][number];

/** The item's entry in an index, or undefined when it lacks the index's keys (a sparse index). */
export function indexEntry(shape: TableShape, index: Index, item: Item | undefined): Item | undefined {
  if (!item?.[index.partitionKey] || (index.sortKey && !item[index.sortKey])) return undefined;
  if (index.projection === "ALL") return item;
  const keys = [shape.partitionKey, shape.sortKey, index.partitionKey, index.sortKey];
  return Object.fromEntries(
    keys.filter((k): k is string => !!k && !!item[k]).map((k) => [k, item[k] as AttributeValue]),
  );
}

export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Write units of one index for an item going from `before` to `after` (GSI.html, above). */
export function indexWriteUnits(
  shape: TableShape,
  index: Index,
  before: Item | undefined,
  after: Item | undefined,
): number {
  const was = indexEntry(shape, index, before);
  const is = indexEntry(shape, index, after);
  if (!was && !is) return 0;
  if (!was) return writeUnitsOf(itemSize(is as Item));
  if (!is) return writeUnitsOf(itemSize(was));
  const keyOf = (e: Item) => [e[index.partitionKey], index.sortKey ? e[index.sortKey] : undefined];
  if (!same(keyOf(was), keyOf(is))) return writeUnitsOf(itemSize(was)) + writeUnitsOf(itemSize(is));
  const sorted = (e: Item) =>
    Object.keys(e)
      .sort()
      .map((k) => [k, e[k]]);
  return same(sorted(was), sorted(is)) ? 0 : writeUnitsOf(itemSize(is));
}

/** One item written: its table units and each index's, as DynamoDB bills a committed write. */
export function committedWrite(
  shape: TableShape,
  before: Item | undefined,
  after: Item | undefined,
  transactional: boolean,
): { table: number; indexes: Record<string, number> } {
  const larger = Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0);
  const indexes = Object.fromEntries(
    shape.indexes.map((ix) => [ix.name, indexWriteUnits(shape, ix, before, after)]),
  );
  return { table: writeUnitsOf(larger) * (transactional ? 2 : 1), indexes };
}

/**
 * One item of a refused request (a cancelled transaction, a failed condition): billed on the item
 * as it stands, or as it was to be put, whichever is larger; transactional ×2; no index writes.
 */
export function refusedWrite(
  before: Item | undefined,
  put: Item | undefined,
  transactional: boolean,
): number {
  const larger = Math.max(before ? itemSize(before) : 0, put ? itemSize(put) : 0);
  return writeUnitsOf(larger) * (transactional ? 2 : 1);
}
