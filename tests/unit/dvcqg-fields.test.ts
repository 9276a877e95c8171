import { describe, expect, it } from "vitest";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { type DossierEvent, DossierEventSchema } from "../../lib/domain/events/schema";
import { validateEvent } from "../../lib/domain/events/validate";
import { buildIndex } from "../../lib/domain/official/index766";
import { explicitPeriod } from "../../lib/domain/periods";
import { computeReportAndCounts } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { dvcqgToEvents } from "../../lib/http/dvcqg";
import type { Converted } from "../../lib/http/dvcqg-fields";
import { readProjectFile } from "../helpers/fixtures";

/**
 * The national index's inputs read from the portal's own fields (docs/official.md): digitised
 * components, an electronic result and how the result is handed over. Fixture:
 * events/dvcqg/index-fields.json, four dossiers that say yes, no, something bad, and nothing.
 */

function convert(): Converted {
  const result = dvcqgToEvents(JSON.parse(readProjectFile("events/dvcqg/index-fields.json")));
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  const out = result.value;
  for (const e of out.events)
    expect(validateEvent(e, { now: instant("2030-01-01T00:00:00Z") }).ok).toBe(true);
  return out;
}

const of = (out: Converted, suffix: string, type: string) =>
  out.events.find((e) => String(e.dossierId).endsWith(suffix) && e.type === type)?.data;

describe("the index's inputs from the portal's fields", () => {
  it("HoSoCoThanhPhanSoHoa = 1, a result with a file link, HinhThuc 1: digitised, electronic, by post", () => {
    const out = convert();
    expect(of(out, "0201", "dossier.received")).toMatchObject({ digitised: true, channel: "online" });
    expect(of(out, "0201", "dossier.resolved")).toEqual({
      outcome: "approved",
      resultElectronic: true,
      resultChannel: "postal",
    });
    expect(out.events.filter((e) => String(e.dossierId).endsWith("0201")).map((e) => e.type)).toEqual([
      "dossier.received",
      "dossier.resolved",
      "dossier.returned",
    ]);
  });

  it("one digitised component is enough; a result without a link is not electronic; HinhThuc 0 is the desk", () => {
    const out = convert();
    expect(of(out, "0202", "dossier.received")).toMatchObject({ digitised: true });
    expect(of(out, "0202", "dossier.resolved")).toEqual({
      outcome: "approved",
      resultElectronic: false,
      resultChannel: "direct",
    });
  });

  it("bad values cost that field only, each with a problem naming it", () => {
    const out = convert();
    // The dossier flag is unreadable; the one component says no.
    expect(of(out, "0203", "dossier.received")).toMatchObject({ digitised: false });
    expect(of(out, "0203", "dossier.resolved")).toEqual({ outcome: "approved" });
    expect(out.problems.map((p) => [p.path, p.message])).toEqual([
      ["data[2].HoSoCoThanhPhanSoHoa", "expected 1 or 0"],
      ["data[2].DanhSachGiayToKetQua", "expected a list"],
      ["data[2].HinhThuc", "unknown result hand-over 7: left out"],
    ]);
  });

  it("nothing said, nothing recorded: the fields stay absent (older senders keep their meaning)", () => {
    const out = convert();
    expect(of(out, "0204", "dossier.received")).not.toHaveProperty("digitised");
    expect(of(out, "0204", "dossier.resolved")).toEqual({ outcome: "approved" });
  });

  it("keeps only yes/no: no file link, file name or applicant detail leaves the adapter", () => {
    const text = JSON.stringify(convert());
    for (const kept of [
      "https://",
      "nguyen-van-a",
      "Nguyễn Văn A",
      "Trần Thị B",
      "don-dang-ky",
      "KQ.1.004227",
    ])
      expect(text).not.toContain(kept);
    // Fields outside the allowlist are not carried either, even ones the index names.
    expect(text).not.toContain("DuocThanhToanTrucTuyen");
  });

  it("the same snapshot twice gives the same events, the new fields included", () => {
    expect(convert().events).toEqual(convert().events);
  });

  it("feeds indicators 4.1 and 4.2 of the index", () => {
    const events = convert().events.map((e) => DossierEventSchema.parse(e) as DossierEvent);
    const period = explicitPeriod("2022-07-01", "2022-09-30", "2022-Q3");
    const asOf = instant("2022-09-30T17:00:00+07:00");
    const { counts } = computeReportAndCounts(
      events,
      { calendar: WorkingCalendar.official() },
      { period, asOf },
    );
    const index = buildIndex(counts, { period, asOf });
    const find = (id: string) => index.indicators.find((i) => i.id === id);
    // 4.1: two results say whether they are electronic, one is.
    expect(find("4.1")).toMatchObject({ numerator: 1, denominator: 2, rate: 0.5 });
    // 4.2: three dossiers say whether they were digitised; one is digitised with an electronic result.
    expect(find("4.2")).toMatchObject({ numerator: 1, denominator: 3 });
  });
});

describe("numbers where the portal's text is expected", () => {
  const snapshot = (item: Record<string, unknown>) => ({
    service: "DongBoHoSoMC",
    madonvi: "000.30.32.H48",
    isUpdating: true,
    data: [
      {
        MaHoSo: "000.30.32.H48-220711-0301",
        MaTTHC: "1.004227",
        MaLinhVuc: "dat-dai",
        KenhThucHien: "2",
        NgayTiepNhan: "20220711081500",
        NgayHenTra: "20220725170000",
        DonViXuLy: "cn-vpdk-dat-dai",
        TrangThaiHoSo: "2",
        ...item,
      },
    ],
  });

  it("reads a whole number as its digits, and refuses one that has lost digits, naming the field", () => {
    const whole = dvcqgToEvents(snapshot({ TrangThaiHoSo: 2, KenhThucHien: 2 }));
    expect(whole.ok && whole.value.problems).toEqual([]);
    expect(whole.ok && whole.value.events.map((e) => e.type)).toEqual(["dossier.received"]);
    // 1.001990 reads 1.00199 (another procedure); 220606000100000001 reads …000 (another dossier).
    // As the request's JSON reads them.
    for (const [field, written] of [
      ["MaTTHC", "1.001990"],
      ["MaHoSo", "220606000100000001"],
    ] as const) {
      const out = dvcqgToEvents(snapshot({ [field]: JSON.parse(written) }));
      const problems = out.ok ? out.value.problems : out.error;
      expect(problems).toContainEqual(
        expect.objectContaining({
          path: `data[0].${field}`,
          message: "expected text: a code sent as this number loses digits (send it as text)",
        }),
      );
      if (out.ok)
        expect(
          out.value.events.some(
            (e) => e.data && (e.data as { procedureCode?: string }).procedureCode === "1.00199",
          ),
        ).toBe(false);
    }
  });
});
