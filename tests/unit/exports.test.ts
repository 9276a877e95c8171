import readXlsxFile from "read-excel-file/node";
import { describe, expect, it } from "vitest";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { computeReport } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { reportCsvFile, reportXlsx } from "../../lib/render/exports";
import { reportText } from "../../lib/render/format";

const settings = { calendar: WorkingCalendar.official(), scheme: { kind: "calendar-quarter" as const } };
const events = seed2022Q3({ seed: 8 }).filter((e) => e.occurredAt < "2022-07-20");
const asOf = instant("2022-07-20T00:00:00+07:00");
const office = computeReport(events, settings, { period: SEED_PERIOD, asOf });
const unit = computeReport(events, settings, { period: SEED_PERIOD, asOf, unit: "phong-tu-phap" });

const csvRows = (b: Buffer) =>
  b
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .trim()
    .split("\r\n")
    .map((l) => l.split(","));
const xlsxRows = async (b: Buffer) =>
  ((await readXlsxFile(b)) as unknown as { data: unknown[][] }[])[0]?.data ?? [];

describe("the report's CSV and XLSX", () => {
  it("have the same columns and rows, the rating satisfaction included", async () => {
    const csv = csvRows(reportCsvFile(office));
    const xlsx = await xlsxRows(await reportXlsx(office));
    expect(xlsx[0]).toEqual(csv[0]);
    expect(xlsx.map((r) => r[0])).toEqual(csv.map((r) => r[0]));
    const last = csv[0]?.length ?? 0;
    expect(csv[0]?.[last - 1]).toBe("Tỷ lệ đánh giá hài lòng (theo lượt đánh giá)");
    for (const [i, row] of csv.slice(1).entries()) {
      const cell = xlsx[i + 1]?.[last - 1];
      expect(row[last - 1] === "" ? null : Number(row[last - 1])).toBe(cell ?? null);
    }
  });

  it("give a unit's report as its one row, not the row and its total again", async () => {
    expect(unit.byUnit.map((u) => u.unit)).toEqual(["phong-tu-phap"]);
    const names = new Map([["phong-tu-phap", "Phòng Tư pháp"]]);
    expect(csvRows(reportCsvFile(unit, "vi", names)).map((r) => r[0])).toEqual(["Đơn vị", "Phòng Tư pháp"]);
    expect((await xlsxRows(await reportXlsx(unit, "vi", names))).map((r) => r[0])).toEqual([
      "Đơn vị",
      "Phòng Tư pháp",
    ]);
  });

  it("guard a name that starts like a formula in the CSV, and show it as written in the XLSX (text, never a formula)", async () => {
    const names = new Map([["phong-tu-phap", "=1+1 Phòng"]]);
    expect(csvRows(reportCsvFile(unit, "vi", names))[1]?.[0]).toBe("'=1+1 Phòng");
    expect((await xlsxRows(await reportXlsx(unit, "vi", names)))[1]?.[0]).toBe("=1+1 Phòng");
  });

  it("name a unit the directory lacks by its id, said to have no name", () => {
    const names = new Map([["phong-tu-phap", "Phòng Tư pháp"]]);
    const labels = csvRows(reportCsvFile(office, "vi", names)).map((r) => r[0]);
    expect(labels).toContain("Phòng Tư pháp");
    expect(labels).toContain("phong-tnmt (chưa có tên trong danh mục)");
    const en = csvRows(reportCsvFile(office, "en", names)).map((r) => r[0]);
    expect(en).toContain("phong-tnmt (no name on record)");
    // As the text report says it.
    expect(reportText(office, "vi", names)).toContain("- phong-tnmt (chưa có tên trong danh mục): ");
  });

  it("with a tree, say which agency each unit reports under, in the CSV and the XLSX alike; the figures move one column", async () => {
    const agencies = new Map(office.byUnit.map((u, i) => [u.unit, i % 2 ? "UBND xã An Bình" : "Sở Tư pháp"]));
    const csv = csvRows(reportCsvFile(office, "vi", undefined, agencies));
    const xlsx = await xlsxRows(await reportXlsx(office, "vi", undefined, agencies));
    expect(csv[0]?.slice(0, 3)).toEqual(["Đơn vị", "Cơ quan", "Tổng tiếp nhận"]);
    expect(xlsx[0]).toEqual(csv[0]);
    expect(csv.slice(1, -1).map((r) => r[1])).toEqual(office.byUnit.map((u) => agencies.get(u.unit)));
    expect(xlsx.slice(1, -1).map((r) => r[1])).toEqual(office.byUnit.map((u) => agencies.get(u.unit)));
    // The total belongs to no one agency: its cell is empty.
    expect(csv.at(-1)?.slice(0, 2)).toEqual(["Toàn cơ quan", ""]);
    expect(xlsx.at(-1)?.[1] ?? null).toBeNull();
    // The figures are those of the file without the column, one column on.
    const plain = csvRows(reportCsvFile(office));
    expect(csv.map((r) => [r[0], ...r.slice(2)])).toEqual(plain);
    expect(csvRows(reportCsvFile(office, "en", undefined, agencies))[0]?.[1]).toBe("Agency");
  });
});
