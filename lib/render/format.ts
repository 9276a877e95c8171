import { latePauseNote, noCalendarNote, type Report, type ReportBlock } from "../domain/report";
import { endOfLocalDate, formatDateVi, formatLocalVi, instant } from "../domain/time";
import { formatNumber, formatRate, type Locale, unnamedCode } from "./numbers";

/**
 * Text forms of the report: the Vietnamese sentence of docs/kpis.md (English available), numbers in
 * Vietnamese grouping (./numbers.ts), and CSV.
 */

export {
  formatNumber,
  formatRate,
  type Locale,
  periodLabel,
  periodTitle,
  rateTone,
  unnamedCode,
  worstFirst,
} from "./numbers";

/** The summary sentence of docs/kpis.md for one report block. */
export function summarySentence(b: ReportBlock, locale: Locale = "vi"): string {
  const n = (x: number) => formatNumber(x, locale);
  if (locale === "en") {
    const channels = [`at the desk ${n(b.received.direct)}`, `online ${n(b.received.online)}`];
    if (b.received.postal) channels.push(`by post ${n(b.received.postal)}`);
    const carried = b.received.carriedOver
      ? `carried over ${n(b.received.carriedOver)}, new ${n(b.received.new)}; `
      : "";
    const withdrawn = b.withdrawn ? `; withdrawn ${n(b.withdrawn)}` : "";
    return (
      `Dossiers received: ${n(b.received.total)} (${carried}${channels.join(", ")}); ` +
      `resolved ${n(b.resolved.total)} (early or on time ${n(b.resolved.early + b.resolved.onTime)}, late ${n(b.resolved.late)})${withdrawn}; ` +
      `in progress ${n(b.pending.total)} (within the deadline ${n(b.pending.withinDeadline)}, overdue ${n(b.pending.overdue)}).`
    );
  }
  const channels = [`trực tiếp ${n(b.received.direct)}`, `trực tuyến ${n(b.received.online)}`];
  if (b.received.postal) channels.push(`qua bưu chính ${n(b.received.postal)}`);
  const carried = b.received.carriedOver
    ? `kỳ trước chuyển sang ${n(b.received.carriedOver)}, mới tiếp nhận ${n(b.received.new)}; `
    : "";
  const withdrawn = b.withdrawn ? `; rút hồ sơ ${n(b.withdrawn)}` : "";
  return (
    `Tổng hồ sơ tiếp nhận: ${n(b.received.total)} (${carried}${channels.join(", ")}); ` +
    `đã giải quyết ${n(b.resolved.total)} (trước và đúng hạn ${n(b.resolved.early + b.resolved.onTime)}, trễ hạn ${n(b.resolved.late)})${withdrawn}; ` +
    `đang giải quyết ${n(b.pending.total)} (còn trong hạn ${n(b.pending.withinDeadline)}, quá hạn ${n(b.pending.overdue)}).`
  );
}

/** The columns of the official table, in order, with their headers. */
export const TABLE_COLUMNS = [
  {
    key: "receivedTotal",
    vi: "Tổng tiếp nhận",
    en: "Received total",
    get: (b: ReportBlock) => b.received.total,
  },
  {
    key: "carriedOver",
    vi: "Kỳ trước chuyển sang",
    en: "Carried over",
    get: (b: ReportBlock) => b.received.carriedOver,
  },
  { key: "receivedNew", vi: "Mới tiếp nhận", en: "New", get: (b: ReportBlock) => b.received.new },
  { key: "online", vi: "Trực tuyến", en: "Online", get: (b: ReportBlock) => b.received.online },
  { key: "direct", vi: "Trực tiếp", en: "At the desk", get: (b: ReportBlock) => b.received.direct },
  { key: "postal", vi: "Bưu chính", en: "Postal", get: (b: ReportBlock) => b.received.postal },
  { key: "resolvedTotal", vi: "Đã giải quyết", en: "Resolved", get: (b: ReportBlock) => b.resolved.total },
  { key: "early", vi: "Trước hạn", en: "Before the deadline", get: (b: ReportBlock) => b.resolved.early },
  { key: "onTime", vi: "Đúng hạn", en: "On the deadline", get: (b: ReportBlock) => b.resolved.onTime },
  { key: "late", vi: "Trễ hạn", en: "Late", get: (b: ReportBlock) => b.resolved.late },
  { key: "withdrawn", vi: "Rút hồ sơ", en: "Withdrawn", get: (b: ReportBlock) => b.withdrawn },
  { key: "pendingTotal", vi: "Đang giải quyết", en: "Pending", get: (b: ReportBlock) => b.pending.total },
  {
    key: "pendingWithin",
    vi: "Còn trong hạn",
    en: "Within the deadline",
    get: (b: ReportBlock) => b.pending.withinDeadline,
  },
  { key: "pendingOverdue", vi: "Quá hạn", en: "Overdue", get: (b: ReportBlock) => b.pending.overdue },
  { key: "ratingsTotal", vi: "Lượt đánh giá", en: "Ratings", get: (b: ReportBlock) => b.ratings.total },
  {
    key: "ratingsSatisfied",
    vi: "Lượt đánh giá hài lòng (4–5 điểm)",
    en: "Satisfied ratings (4–5)",
    get: (b: ReportBlock) => b.ratings.satisfied,
  },
] as const;

/**
 * Text for a spreadsheet cell: one beginning with = + - @, a tab or a CR would be read as a
 * formula by a spreadsheet program (CSV injection, OWASP), so it gets a leading apostrophe, which
 * the program shows as text. For every text that came from an event (unit ids, codes); numbers
 * are written as numbers and never pass here.
 */
export function spreadsheetText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvCell(value: string | number | null): string {
  const text = value === null ? "" : String(value);
  const safe = typeof value === "string" ? spreadsheetText(text) : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * `rates.satisfaction` (ratings of 4–5 over all ratings) is not the national index's satisfaction
 * (5.4, lib/domain/official/index766.ts): every text a person reads names it for what it is.
 */
export const RATING_SATISFACTION = {
  vi: "Tỷ lệ đánh giá hài lòng (theo lượt đánh giá)",
  en: "Rating satisfaction",
} as const;

/** Unit (and agency) names by id, for every text a person reads; an id shows only when the directory lacks it. */
export type UnitNames = ReadonlyMap<string, string>;

/**
 * The rows of the official table: one per unit (by name; with names given, one the directory lacks
 * by its id, said to have none), then the total, named after the report's agency (`*`: the whole
 * office). A unit's report is its one row: its total would repeat it.
 */
export function tableRows(
  report: Report,
  names?: UnitNames,
  locale: Locale = "vi",
): { label: string; block: ReportBlock; unit?: string }[] {
  const named = (id: string) => (names ? (names.get(id) ?? unnamedCode(id, locale)) : id);
  const rows: { label: string; block: ReportBlock; unit?: string }[] = report.byUnit.map((u) => ({
    label: named(u.unit),
    block: u as ReportBlock,
    unit: u.unit,
  }));
  const own = report.unit !== undefined && report.unit !== null;
  if (own && report.byUnit.length === 1 && report.byUnit[0]?.unit === report.unit) return rows;
  const whose = report.unit ?? report.agency;
  rows.push({ label: whose === undefined || whose === null ? "*" : named(whose), block: report });
  return rows;
}

/**
 * The official table's header: the unit, with `agencies` the agency each unit reports under (a
 * province's export: which commune or department a unit belongs to), then the figures.
 */
export function tableHeader(locale: Locale, agencies?: UnitNames): string[] {
  return [
    locale === "vi" ? "Đơn vị" : "Unit",
    ...(agencies ? [locale === "vi" ? "Cơ quan" : "Agency"] : []),
    ...TABLE_COLUMNS.map((c) => c[locale]),
    locale === "vi" ? "Tỷ lệ đúng hạn" : "On-time rate",
    RATING_SATISFACTION[locale],
  ];
}

/**
 * CSV of the official table: machine numbers (no grouping), a header row, one row per unit, the
 * total. With `agencies` (unit id → the name of the agency it reports under), an agency column;
 * the total's is empty.
 */
export function reportCsv(
  report: Report,
  locale: Locale = "vi",
  names?: UnitNames,
  agencies?: UnitNames,
): string {
  const lines = [tableHeader(locale, agencies).map(csvCell).join(",")];
  for (const { label, block, unit } of tableRows(report, names, locale)) {
    const name = label === "*" ? (locale === "vi" ? "Toàn cơ quan" : "Whole office") : label;
    const agency = agencies ? [unit === undefined ? "" : (agencies.get(unit) ?? "")] : [];
    lines.push(
      [
        name,
        ...agency,
        ...TABLE_COLUMNS.map((c) => c.get(block)),
        block.rates.onTime,
        block.rates.satisfaction,
      ]
        .map(csvCell)
        .join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}

/**
 * "Số liệu tính đến": T = min(asOf, end of the period), as form II.06a says it (docs/official.md): the
 * end of a period that has closed, not the instant the report was taken.
 */
export function figuresAsOf(report: Report): number {
  return Math.min(instant(report.asOf), endOfLocalDate(report.period.to));
}

/** The report as text: the summary sentence, then one line per unit, then its footnotes. */
export function reportText(report: Report, locale: Locale = "vi", names?: UnitNames): string {
  const at = formatLocalVi(figuresAsOf(report));
  const period = `${formatDateVi(report.period.from)} – ${formatDateVi(report.period.to)}`;
  const head =
    locale === "vi"
      ? `Kỳ báo cáo ${period} (số liệu tính đến ${at})`
      : `Period ${period} (figures as of ${at})`;
  // Whose report: the unit's or the agency's, by name (the office's says nothing more).
  const scope = report.unit ?? report.agency;
  const whose = scope === undefined ? [] : [names ? (names.get(scope) ?? unnamedCode(scope, locale)) : scope];
  const lines = [...whose, head, summarySentence(report, locale)];
  if (report.ratings.total > 0)
    lines.push(`${RATING_SATISFACTION[locale]}: ${formatRate(report.rates.satisfaction, locale)}`);
  if (report.byUnit.length > 1) {
    lines.push("");
    for (const u of report.byUnit)
      lines.push(
        `- ${names ? (names.get(u.unit) ?? unnamedCode(u.unit, locale)) : u.unit}: ${summarySentence(u, locale)}`,
      );
  }
  const notes = [noCalendarNote(report.noCalendar, locale), latePauseNote(report.latePause, locale)];
  if (notes.some(Boolean)) lines.push("", ...notes.filter(Boolean));
  return `${lines.join("\n")}\n`;
}
