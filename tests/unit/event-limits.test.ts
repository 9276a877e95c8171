import { describe, expect, it } from "vitest";
import { UNKNOWN_UNIT_NAME } from "../../lib/app/digests";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { capProblems, MAX_PROBLEMS, validateEvent } from "../../lib/domain/events/validate";
import type { PendingAlert } from "../../lib/domain/records";
import type { Report } from "../../lib/domain/report";
import { headerText } from "../../lib/domain/text";
import { instant } from "../../lib/domain/time";
import { dvcqgToEvents } from "../../lib/http/dvcqg";
import { MAX_SUPPLEMENTS } from "../../lib/http/dvcqg-snapshot";
import { parseDigestText, renderDigest } from "../../lib/render/email/digest";
import { reportCsv, spreadsheetText } from "../../lib/render/format";

const valid = {
  eventId: "igate-1",
  type: "dossier.received",
  occurredAt: "2022-06-06T08:15:00+07:00",
  dossierId: "000.30.32.H48-220606-0001",
  data: { unitId: "u1", procedureCode: "1.004227", channel: "direct", processingDays: 10 },
};
const withData = (data: Record<string, unknown>) => ({ ...valid, data: { ...valid.data, ...data } });
const paths = (input: unknown) => {
  const r = validateEvent(input);
  return r.ok ? [] : r.error.map((p) => p.path);
};

/** One dossier received and pending: a report block for the file tests below. */
const block = {
  received: { total: 1, carriedOver: 0, new: 1, online: 0, direct: 1, postal: 0 },
  resolved: { total: 0, early: 0, onTime: 0, late: 0 },
  pending: { total: 1, withinDeadline: 1, overdue: 0 },
  withdrawn: 0,
  ratings: { total: 0, satisfied: 0 },
  rates: { onTime: null },
};

describe("limits of the event contract", () => {
  it("bounds timestamps: 35 characters and 9 fraction digits at most", () => {
    expect(validateEvent({ ...valid, occurredAt: "2022-06-06T08:15:00.123456789+07:00" }).ok).toBe(true);
    expect(paths({ ...valid, occurredAt: "2022-06-06T08:15:00.1234567891+07:00" })).toEqual(["occurredAt"]);
    expect(paths({ ...valid, occurredAt: `2022-06-06T08:15:00.${"1".repeat(200_000)}+07:00` })).toEqual([
      "occurredAt",
    ]);
    expect(paths(withData({ dueAt: `2022-06-20T17:00:00.${"0".repeat(40)}Z` }))).toEqual(["data.dueAt"]);
  });

  it("bounds processing times: at least one working hour as days, a quarter hour as hours", () => {
    expect(paths(withData({ processingDays: 1e-300 }))).toEqual(["data.processingDays"]);
    expect(paths(withData({ processingDays: 0.1 }))).toEqual(["data.processingDays"]);
    expect(validateEvent(withData({ processingDays: 0.125 })).ok).toBe(true);
    expect(paths(withData({ processingDays: 3651 }))).toEqual(["data.processingDays"]);
    const hours = { ...valid.data, processingDays: undefined };
    expect(paths({ ...valid, data: { ...hours, processingHours: 0.2 } })).toEqual(["data.processingHours"]);
    expect(validateEvent({ ...valid, data: { ...hours, processingHours: 0.25 } }).ok).toBe(true);
    expect(paths({ ...valid, data: { ...hours, processingHours: 29_201 } })).toEqual([
      "data.processingHours",
    ]);
  });

  it("gives look-alike dossier ids one spelling, or refuses them", () => {
    const idOf = (dossierId: string) => {
      const r = validateEvent({ ...valid, dossierId });
      return r.ok ? r.value.dossierId : `refused: ${r.error.map((p) => p.path).join(",")}`;
    };
    // Normalised: white space around it, NFD.
    expect(idOf("HS-Hà-0001 ")).toBe("HS-Hà-0001");
    expect(idOf("\u00a0HS-Hà-0001\u00a0")).toBe("HS-Hà-0001");
    expect(idOf("HS-Hà-0001".normalize("NFD"))).toBe("HS-Hà-0001".normalize("NFC"));
    // Refused: full-width digits, a no-break space inside, zero-width characters, nothing left.
    expect(idOf("HS-Hà-０００１")).toBe("refused: dossierId");
    expect(idOf("HS-Hà\u00a00001")).toBe("refused: dossierId");
    expect(idOf("HS-Hà-0001\u200b")).toBe("refused: dossierId");
    expect(idOf("   ")).toBe("refused: dossierId");
    expect(idOf("x".repeat(65))).toBe("refused: dossierId");
    // Unit ids follow the same rule.
    const unit = validateEvent(withData({ unitId: " u1\u3000" }));
    expect(unit.ok && unit.value.type === "dossier.received" && unit.value.data.unitId).toBe("u1");
  });

  it("lists at most 50 problems, then how many more: 20,000 unknown keys make a small answer", () => {
    const extra = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]));
    const r = validateEvent({ ...valid, ...extra });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toHaveLength(MAX_PROBLEMS + 1);
    expect(r.error.at(-1)).toEqual({ path: "(more)", message: expect.stringMatching(/^19950 more/) });
    expect(JSON.stringify(r.error).length).toBeLessThan(10_000);
    const long = capProblems([{ path: "p".repeat(5000), message: "m".repeat(5000) }]);
    expect(long[0]?.path.length).toBeLessThanOrEqual(200);
    expect(long[0]?.message.length).toBeLessThanOrEqual(300);
  });
});

describe("the portal's format", () => {
  const dossier = {
    MaHoSo: "HS-1",
    MaTTHC: "1.004227",
    NgayTiepNhan: "20220711080000",
    TrangThaiHoSo: 4,
    DonViXuLy: "cn-vpdk-dat-dai",
  };
  it("bounds the supplement list of a dossier", () => {
    const rounds = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        NgayBoSung: `202207${String(12 + (i % 15)).padStart(2, "0")}0800${String(i % 60).padStart(2, "0")}`,
      }));
    const ok = dvcqgToEvents({
      service: "DongBoHoSoMC",
      madonvi: "x",
      data: [{ ...dossier, DanhSachHoSoBoSung: rounds(MAX_SUPPLEMENTS) }],
    });
    expect(ok.ok && ok.value.problems).toEqual([]);
    const tooMany = dvcqgToEvents({
      service: "DongBoHoSoMC",
      madonvi: "x",
      data: [{ ...dossier, DanhSachHoSoBoSung: rounds(MAX_SUPPLEMENTS + 1) }],
    });
    expect(tooMany.ok && tooMany.value.problems.map((p) => p.path)).toEqual(["data[0].DanhSachHoSoBoSung"]);
  });
});

describe("email headers and spreadsheets", () => {
  it("strips every control character and line separator from header text", () => {
    const dirty = "Phòng A\r\nBcc: x@evil.example\u0000\u0085\u2028\u2029\u001b[31m\tend";
    const clean = headerText(dirty);
    expect([...clean].filter((c) => /\p{Cc}|\u2028|\u2029/u.test(c))).toEqual([]);
    expect(clean).toBe("Phòng A Bcc: x@evil.example [31m end");
    expect(headerText("x".repeat(1000)).length).toBeLessThanOrEqual(200);
  });

  it("titles a digest by the directory's name only, and never a raw id for a unit it lacks", () => {
    const alert = {
      unitId: "fake\r\nBcc: chairman@ubnd.example.org",
      kind: "overdue",
      key: "k",
      dossier: { dossierId: "HS-1", kpiDueAt: instant("2022-07-01T17:00:00+07:00") },
    } as unknown as PendingAlert;
    const email = renderDigest({
      locale: "vi",
      unitName: UNKNOWN_UNIT_NAME.vi,
      alerts: [alert],
      now: instant("2022-07-04T08:00:00+07:00"),
      calendar: WorkingCalendar.official(),
    });
    expect(email.subject).toMatch(/^\[Cảnh báo hồ sơ\] Đơn vị chưa có trong danh mục: 1 hồ sơ/);
    expect(email.subject).not.toMatch(/fake|Bcc|[\r\n]/);
    const named = renderDigest({
      locale: "vi",
      unitName: "Phòng\r\nBcc: a@b.example",
      alerts: [alert],
      now: instant("2022-07-04T08:00:00+07:00"),
      calendar: WorkingCalendar.official(),
    });
    expect(named.subject).not.toMatch(/[\r\n]/);
    // A digest for several units (leadership's) names each alert's unit; one the directory lacks
    // is said so, never left blank and never shown by its id.
    const several = renderDigest({
      locale: "vi",
      unitName: "Lãnh đạo",
      alerts: [alert],
      now: instant("2022-07-04T08:00:00+07:00"),
      calendar: WorkingCalendar.official(),
      unitNames: new Map([["phong-tnmt", "Phòng Tài nguyên và Môi trường"]]),
    });
    expect(several.html).toContain("<td>Đơn vị chưa có trong danh mục</td>");
    expect(several.text).toContain("[Đơn vị chưa có trong danh mục]");
    expect(several.text).toContain("Tổng hợp cảnh báo hồ sơ của các đơn vị, gửi Lãnh đạo,");
    // A procedure and a domain the catalog does not name are shown by code, said so.
    const coded = renderDigest({
      locale: "vi",
      unitName: "Phòng Tài nguyên và Môi trường",
      alerts: [
        { ...alert, dossier: { ...alert.dossier, procedureCode: "9.999999", domain: "linh-vuc-moi" } },
      ],
      now: instant("2022-07-04T08:00:00+07:00"),
      calendar: WorkingCalendar.official(),
    });
    expect(coded.text).toContain(
      "9.999999 (chưa có tên trong danh mục) | linh-vuc-moi (chưa có tên trong danh mục)",
    );
  });

  it("counts a digest's dossiers in Vietnamese grouping, and reads its sections back", () => {
    const alerts = Array.from(
      { length: 1234 },
      (_, i) =>
        ({
          unitId: "phong-tnmt",
          kind: "overdue",
          key: `k${i}`,
          dossier: { dossierId: `HS-${i}`, kpiDueAt: instant("2022-07-01T17:00:00+07:00") },
        }) as unknown as PendingAlert,
    );
    const input = {
      unitName: "Phòng Tài nguyên và Môi trường",
      alerts,
      now: instant("2022-07-04T08:00:00+07:00"),
      calendar: WorkingCalendar.official(),
    };
    const vi = renderDigest({ ...input, locale: "vi" });
    expect(vi.subject).toContain(": 1.234 hồ sơ cần xử lý");
    expect(vi.text).toMatch(/^== .+ \(1\.234\) ==$/m);
    expect(parseDigestText(vi.text).get("overdue")).toHaveLength(1234);
    const en = renderDigest({ ...input, locale: "en" });
    expect(en.subject).toContain(": 1,234 dossiers need attention");
    expect(parseDigestText(en.text, "en").get("overdue")).toHaveLength(1234);
  });

  it("neutralises spreadsheet formulas in text cells, never in numbers", () => {
    for (const f of ['=HYPERLINK("x")', "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"])
      expect(spreadsheetText(f)).toBe(`'${f}`);
    expect(spreadsheetText("phong-tnmt")).toBe("phong-tnmt");
    const report = {
      ...block,
      period: { name: "P", from: "2022-07-01", to: "2022-09-30" },
      unit: null,
      byUnit: [{ ...block, unit: "=cmd|' /C calc'!A0" }],
    } as unknown as Report;
    const csv = reportCsv(report, "en");
    expect(csv.split("\r\n")[1]).toMatch(/^'=cmd\|' \/C calc'!A0,1,/);
  });

  it("names a unit's or an agency's total row after it, never by its id", () => {
    const names = new Map([
      ["phong-tnmt", "Phòng Tài nguyên và Môi trường"],
      ["khoi-dat-dai", "Khối đất đai"],
    ]);
    const period = { name: "P", from: "2022-07-01", to: "2022-09-30" };
    const byUnit = [{ ...block, unit: "phong-tnmt" }];
    const last = (r: object) =>
      reportCsv(r as unknown as Report, "vi", names)
        .split("\r\n")
        .filter(Boolean)
        .at(-1);
    expect(last({ ...block, period, unit: "phong-tnmt", byUnit })).toMatch(
      /^Phòng Tài nguyên và Môi trường,1,/,
    );
    expect(last({ ...block, period, agency: "khoi-dat-dai", byUnit })).toMatch(/^Khối đất đai,1,/);
    expect(last({ ...block, period, unit: null, byUnit })).toMatch(/^Toàn cơ quan,1,/);
  });
});
