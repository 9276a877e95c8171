import writeXlsxFile, { type SheetData } from "write-excel-file/node";
import type { Report } from "../domain/report";
import { type Locale, reportCsv, TABLE_COLUMNS, tableHeader, tableRows, type UnitNames } from "./format";

/**
 * The official table as files: CSV (UTF-8 with a byte-order mark, so spreadsheet programs read
 * the Vietnamese headers right) and XLSX, with the same rows and numbers as every other output.
 */
export function reportCsvFile(
  report: Report,
  locale: Locale = "vi",
  names?: UnitNames,
  agencies?: UnitNames,
): Buffer {
  return Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(reportCsv(report, locale, names, agencies), "utf8"),
  ]);
}

export async function reportXlsx(
  report: Report,
  locale: Locale = "vi",
  names?: UnitNames,
  agencies?: UnitNames,
): Promise<Buffer> {
  const header = tableHeader(locale, agencies).map((value) => ({ value, fontWeight: "bold" as const }));
  // The CSV's columns (./format.ts reportCsv), as numbers and percentages.
  const rate = (r: number | null) =>
    r === null ? { value: null } : { value: r, type: Number, format: "0.00%" };
  const rows = tableRows(report, names, locale).map(({ label, block, unit }) => [
    // Text cells are the workbook's shared strings, never formulas (a formula is a cell of its own
    // type): a name starting with "=" is shown as written, with no guard character (the CSV's has one).
    { value: label === "*" ? (locale === "vi" ? "Toàn cơ quan" : "Whole office") : label },
    ...(agencies ? [{ value: unit === undefined ? null : (agencies.get(unit) ?? "") }] : []),
    ...TABLE_COLUMNS.map((c) => ({ value: c.get(block), type: Number })),
    rate(block.rates.onTime),
    rate(block.rates.satisfaction),
  ]);
  const data = [header, ...rows] as unknown as SheetData;
  return (await writeXlsxFile(data, {
    sheet: locale === "vi" ? "Báo cáo" : "Report",
  } as never).toBuffer()) as Buffer;
}

/** `bao-cao-2022-Q3.csv`-style names (a unit's or an agency's id after the period), safe in any file system. */
export function exportFileName(report: Report, ext: "csv" | "xlsx"): string {
  const name = (report.period.name ?? `${report.period.from}..${report.period.to}`).replace(
    /[^A-Za-z0-9._-]+/g,
    "_",
  );
  const who = report.unit ?? report.agency;
  return `bao-cao-${name}${who ? `-${who.replace(/[^A-Za-z0-9._-]+/g, "_")}` : ""}.${ext}`;
}
