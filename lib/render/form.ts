import writeXlsxFile, { type SheetData } from "write-excel-file/node";
import { FORM_VALUE_KEYS, type OfficialForm } from "../domain/official/form";
import { formatLocalVi, instant } from "../domain/time";
import { type Locale, periodLabel, spreadsheetText } from "./format";

/**
 * Form II.06a as files (docs/official.md): CSV (two header rows, then one row per level, domain and the
 * total) and XLSX in the form's own layout: code and reporting office, title, period, "số liệu
 * tính đến", two header rows with merged group headings, the column numbers, the rows, the footnote.
 */

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function csvCell(value: string | number | null): string {
  const text = value === null ? "" : String(value);
  const safe = typeof value === "string" ? spreadsheetText(text) : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The period line: "Kỳ báo cáo: Quý III/2022 (từ ngày 01/07/2022 đến ngày 30/09/2022)". */
export function formPeriodLine(form: OfficialForm, locale: Locale = "vi"): string {
  const d = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
  // A window named by its dates has no label: its dates say it, with no space left before them.
  const label = form.period.name ? periodLabel(form.period.name, locale) : "";
  const name = label ? `${label} ` : "";
  return locale === "vi"
    ? `Kỳ báo cáo: ${name}(từ ngày ${d(form.period.from)} đến ngày ${d(form.period.to)})`
    : `Period: ${name}(${d(form.period.from)} to ${d(form.period.to)})`;
}

export function formAsOfLine(form: OfficialForm, locale: Locale = "vi"): string {
  const at = formatLocalVi(instant(form.dataAsOf));
  return locale === "vi" ? `Số liệu tính đến: ${at}` : `Figures as of: ${at}`;
}

const formOfficeLine = (form: OfficialForm, locale: Locale) =>
  `${locale === "vi" ? "Đơn vị báo cáo" : "Reporting office"}: ${form.office}`;

/** A recipient the settings do not name is said so, not left as an empty line to fill by hand. */
const formRecipientLine = (form: OfficialForm, locale: Locale) =>
  `${locale === "vi" ? "Đơn vị nhận báo cáo" : "Reported to"}: ${form.recipient ?? (locale === "vi" ? "(chưa khai báo)" : "(not set)")}`;

/** The form as CSV: the heading lines, both header rows, the column numbers, the rows, the footnotes. */
export function formCsv(form: OfficialForm, locale: Locale = "vi"): string {
  const lines: (string | number | null)[][] = [
    [form.code],
    [form.title],
    [formOfficeLine(form, locale)],
    [formRecipientLine(form, locale)],
    [formPeriodLine(form, locale)],
    [formAsOfLine(form, locale)],
    form.columns.map((c) => c.group ?? c.header),
    form.columns.map((c) => (c.group ? c.header : "")),
    form.columns.map((c) => `(${c.n})`),
    ...form.rows.map((r) => [r.stt, r.label, ...FORM_VALUE_KEYS.map((k) => r.values[k])]),
    ...form.footnotes.map((f) => [f]),
  ];
  return `${lines.map((l) => l.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

export function formCsvFile(form: OfficialForm, locale: Locale = "vi"): Buffer {
  return Buffer.concat([BOM, Buffer.from(formCsv(form, locale), "utf8")]);
}

type Cell = Record<string, unknown> | null;
const WIDTH = 13;
const border = { borderStyle: "thin" as const, borderColor: "#000000" };

/** A row of 13 cells: `first` spanning `span` columns, then empty cells (the span's placeholders). */
function spanned(first: Record<string, unknown>, span = WIDTH): Cell[] {
  return [{ ...first, columnSpan: span }, ...Array.from({ length: WIDTH - 1 }, () => null)];
}

export async function formXlsx(form: OfficialForm, locale: Locale = "vi"): Promise<Buffer> {
  const office = formOfficeLine(form, locale);
  const recipient = formRecipientLine(form, locale);
  const data: Cell[][] = [
    [
      { value: form.code, fontWeight: "bold", columnSpan: 4 },
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      { value: office, columnSpan: 4, wrap: true },
      null,
      null,
      null,
    ],
    [
      ...Array.from({ length: 9 }, () => null),
      { value: recipient, columnSpan: 4, wrap: true },
      null,
      null,
      null,
    ],
    spanned({ value: form.title.toUpperCase(), fontWeight: "bold", align: "center", wrap: true, height: 36 }),
    spanned({ value: formPeriodLine(form, locale), align: "center" }),
    spanned({ value: formAsOfLine(form, locale), align: "center", fontStyle: "italic" }),
    spanned({ value: `${locale === "vi" ? "Đơn vị tính" : "Unit"}: ${form.unitOfMeasure}.`, align: "right" }),
  ];
  const head = { fontWeight: "bold", align: "center", alignVertical: "center", wrap: true, ...border };
  const first: Cell[] = [];
  const second: Cell[] = [];
  for (let i = 0; i < form.columns.length; i++) {
    const c = form.columns[i] as OfficialForm["columns"][number];
    if (!c.group) {
      first.push({ value: c.header, rowSpan: 2, ...head });
      second.push(null);
      continue;
    }
    const starts = i === 0 || form.columns[i - 1]?.group !== c.group;
    if (starts) {
      const span = form.columns.slice(i).findIndex((x) => x.group !== c.group);
      first.push({ value: c.group, columnSpan: span < 0 ? form.columns.length - i : span, ...head });
    } else first.push(null);
    second.push({ value: c.header, ...head });
  }
  data.push(first, second);
  data.push(
    form.columns.map((c) => ({ value: `(${c.n})`, align: "center", fontStyle: "italic", ...border })),
  );
  for (const r of form.rows) {
    const strong = r.kind !== "domain" ? { fontWeight: "bold" } : {};
    data.push([
      { value: r.stt, align: "center", ...strong, ...border },
      // A text cell is a shared string, never a formula (unlike the CSV's cell): shown as written.
      { value: r.label, ...strong, ...border },
      ...FORM_VALUE_KEYS.map((k) => ({ value: r.values[k], type: Number, ...strong, ...border })),
    ]);
  }
  for (const f of form.footnotes) data.push(spanned({ value: f, fontStyle: "italic", wrap: true }));
  const columns = [{ width: 6 }, { width: 40 }, ...FORM_VALUE_KEYS.map(() => ({ width: 12 }))];
  return (await writeXlsxFile(
    data as unknown as SheetData,
    {
      sheet: "II.06a",
      columns,
      orientation: "landscape",
    } as never,
  ).toBuffer()) as Buffer;
}

/** `bieu-II.06a-2022-Q3.xlsx`-style names. */
export function formFileName(form: OfficialForm, ext: "csv" | "xlsx", agency?: string): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, "_");
  const name = safe(form.period.name ?? `${form.period.from}..${form.period.to}`);
  return `bieu-II.06a-${name}${agency ? `-${safe(agency)}` : ""}.${ext}`;
}
