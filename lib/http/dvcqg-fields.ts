import { EARLIEST_YEAR } from "../domain/events/schema";
import { err, isErr, ok, orThrow, type Problem, type Result } from "../domain/result";
import { formatInstant, OFFSET_MS } from "../domain/time";

/**
 * The portal format's field readers (lib/http/dvcqg.ts): dates, yes/no flags, texts and lists,
 * each read on its own so a bad field costs only that field, with a problem naming it; and the
 * national index's inputs read from the portal's own fields.
 */
const COMPACT = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;
// ISO 8601 as senders write it: `T` or a space, seconds and fraction optional, offset optional.
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A portal date as an RFC 3339 instant, or why it is not one. Both formats seen in public
 * integrations: `yyyyMMddHHmmss` (opencps-v2, the PASETO sync) and ISO `yyyy-MM-ddTHH:mm:ss(.fff)`
 * (the token-based API sample). Without an offset the time is Asia/Ho_Chi_Minh, never UTC.
 */
export function parseDvcqgDate(text: string): Result<string, string> {
  const m = COMPACT.exec(text) ?? ISO.exec(text);
  if (!m) return err("expected yyyyMMddHHmmss or yyyy-MM-ddTHH:mm:ss, local time");
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (y < EARLIEST_YEAR) return err(`not a date: ${text} (a year from ${EARLIEST_YEAR} on)`);
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(local);
  // Date.UTC rolls 2022-02-30 over into March, and minute 75 into the next hour: a date or time
  // that does not round-trip does not exist.
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
    return err(`not a date: ${text}`);
  const zone = m[7];
  let offset = OFFSET_MS;
  if (zone === "Z") offset = 0;
  else if (zone) {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const [oh, om] = [Number(digits.slice(0, 2)), Number(digits.slice(2))];
    // Offsets in use run from −12:00 to +14:00; none past ±14:00 (docs/dvcqg.md).
    if (oh * 60 + om > 14 * 60 || om > 59) return err(`not a date: ${text} (no such offset)`);
    offset = sign * (oh * 60 + om) * 60_000;
  }
  return ok(formatInstant(local - offset));
}

/** `20220606081500` (local time) → `2022-06-06T08:15:00+07:00`; throws on anything else. */
export function dvcqgInstant(text: string): string {
  return orThrow(parseDvcqgDate(text));
}

export interface Converted {
  events: Record<string, unknown>[];
  /** Each event's item: its place in the request's `data` (events[i] came from data[eventItems[i]]). */
  eventItems: number[];
  /**
   * Each event's fields as the portal named them: an event path (`occurredAt`, `data.unitId`) to
   * the request's (`data[2].DonViXuLy`), so that an event refused later names what was sent.
   */
  eventFields: Record<string, string>[];
  /** Every field or item left out, and every dossier skipped, with the reason. */
  problems: (Problem & { index: number })[];
  /**
   * What was read as sent but says less than it seems, each with the reason: a status that makes
   * no event (1, 3, 7), a level that could not be told. Nothing is left out: these are not
   * rejections, they say why a dossier made fewer events than its fields suggest.
   */
  notes: (Problem & { index: number; event?: number })[];
}

/** Blank (empty, whitespace, null) is absent: senders fill optional fields with "". */
export const blank = (v: unknown) =>
  v === undefined || v === null || (typeof v === "string" && v.trim() === "");

/** Reads one item's fields, each on its own: a bad one is a problem and counts as absent. */
export class Fields {
  constructor(
    private readonly item: Record<string, unknown>,
    readonly path: string,
    readonly index: number,
    readonly out: Converted,
  ) {}
  /** Records a problem with a field; the field then counts as absent. */
  problem(field: string, message: string): undefined {
    this.out.problems.push({ index: this.index, path: `${this.path}.${field}`, message });
    return undefined;
  }
  /** Adds what follows to the problem just recorded on `field` (its own reason first). */
  problemLeads(field: string, consequence: string): void {
    const path = this.pathOf(field);
    const last = this.out.problems.findLast((p) => p.path === path);
    if (last) last.message = `${last.message}: ${consequence}`;
  }
  /** A field's path in the request: this item's, or the request's own for `/name` (`/madonvi`). */
  pathOf(field: string): string {
    return field.startsWith("/") ? field.slice(1) : `${this.path}.${field}`;
  }
  /**
   * Records an event made from this item's fields: `fields` maps the event's paths to this
   * item's field names ({@link Converted.eventFields}; `/name`: the request's own field).
   */
  emit(event: Record<string, unknown>, fields: Record<string, string>): void {
    this.out.events.push(event);
    this.out.eventFields.push(
      Object.fromEntries(Object.entries(fields).map(([at, field]) => [at, this.pathOf(field)])),
    );
  }
  /**
   * Records a note on a field that was read as sent (see {@link Converted.notes}; `/name` as in
   * {@link emit}); with `ofNextEvent`, a note about the event this item emits next, answered only
   * if that event is taken.
   */
  note(field: string, message: string, ofNextEvent = false): void {
    this.out.notes.push({
      index: this.index,
      path: this.pathOf(field),
      message,
      ...(ofNextEvent && { event: this.out.events.length }),
    });
  }
  text(field: string, max = 64): string | undefined {
    const v = this.item[field];
    if (blank(v)) return undefined;
    // A whole number is read as its digits (portals send statuses and codes so); any other number
    // has already lost what was written (1.001990 reads 1.00199; past 2^53 digits change), so it
    // is refused rather than turned into another code.
    if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
    if (typeof v === "number")
      return this.problem(field, "expected text: a code sent as this number loses digits (send it as text)");
    if (typeof v !== "string") return this.problem(field, "expected text");
    const t = v.trim();
    if (t.length > max) return this.problem(field, `longer than ${max} characters`);
    return t;
  }
  date(field: string): string | undefined {
    const v = this.item[field];
    if (blank(v)) return undefined;
    if (typeof v !== "string") return this.problem(field, "expected a date string");
    const r = parseDvcqgDate(v.trim());
    if (isErr(r)) return this.problem(field, r.error);
    return r.value;
  }
  status(field: string): number | undefined {
    const t = this.text(field, 8);
    if (t === undefined) return undefined;
    const n = Number(t);
    if (!Number.isInteger(n) || n < 1 || n > 10) return this.problem(field, "expected a status 1..10");
    return n;
  }
  /** A portal yes/no: 1/0 as a number or text, or a boolean; anything else is a problem. */
  flag(field: string): boolean | undefined {
    const v = this.item[field];
    if (blank(v)) return undefined;
    if (v === true || v === 1 || v === "1") return true;
    if (v === false || v === 0 || v === "0") return false;
    return this.problem(field, "expected 1 or 0");
  }
  /** Whether a list was sent at all (an empty list says "none", an absent one says nothing). */
  has(field: string): boolean {
    return !blank(this.item[field]);
  }
  isList(field: string): boolean {
    return Array.isArray(this.item[field]);
  }
  list(field: string): Record<string, unknown>[] {
    const v = this.item[field];
    if (blank(v)) return [];
    if (!Array.isArray(v)) {
      this.problem(field, "expected a list");
      return [];
    }
    return v.filter((x, i) => {
      const ok = typeof x === "object" && x !== null && !Array.isArray(x);
      if (!ok) this.problem(`${field}[${i}]`, "expected an object; item left out");
      return ok;
    }) as Record<string, unknown>[];
  }
}

/** `HinhThuc`: how the result is handed over (0 at the desk, 1 by post; **verify**, see above). */
const RESULT_CHANNEL: Record<string, "direct" | "postal"> = { "0": "direct", "1": "postal" };
/**
 * `received.data.digitised` (index 4.2): yes when the dossier flag or any component says so, no
 * when one of them says no and none says yes, absent when neither is sent. The portal reads
 * `HoSoCoThanhPhanSoHoa` = 1 for dossiers synced from ministries and localities and
 * `TaiLieuNop[].DuocSoHoa` = 1 for its own ("Mô tả công thức tính chỉ số 766", 4.3).
 */
export function digitisedOf(f: Fields): boolean | undefined {
  const dossierFlag = f.flag("HoSoCoThanhPhanSoHoa");
  let components: boolean | undefined;
  f.list("TaiLieuNop").forEach((doc, i) => {
    const flag = new Fields(doc, `${f.path}.TaiLieuNop[${i}]`, f.index, f.out).flag("DuocSoHoa");
    if (flag !== undefined) components = components === true || flag;
  });
  if (dossierFlag === true || components === true) return true;
  if (dossierFlag === false || components === false) return false;
  return undefined;
}

/**
 * What a resolution says of its result: `resultElectronic` (indexes 3.3, 4.1, 4.2: the portal
 * counts a result with a file link in `DanhSachGiayToKetQua`) and `resultChannel` from `HinhThuc`.
 */
export function resultOf(f: Fields): { resultElectronic?: boolean; resultChannel?: "direct" | "postal" } {
  const out: { resultElectronic?: boolean; resultChannel?: "direct" | "postal" } = {};
  // A list that is not a list is a problem (from `list`) and says nothing either way.
  const sent = f.has("DanhSachGiayToKetQua") && f.isList("DanhSachGiayToKetQua");
  const results = f.list("DanhSachGiayToKetQua");
  if (sent) out.resultElectronic = results.some((r) => !blank(r.DuongDanTepTinKetQua));
  const code = f.text("HinhThuc", 8);
  if (code !== undefined) {
    const channel = RESULT_CHANNEL[code];
    if (channel) out.resultChannel = channel;
    else f.problem("HinhThuc", `unknown result hand-over ${code}: left out`);
  }
  return out;
}
