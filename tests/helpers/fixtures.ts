import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The project root. */
export const ROOT = join(import.meta.dirname, "..", "..");

/** The sample event of each type in events/samples/, by file name. */
export function loadSamples(): Map<string, unknown> {
  const dir = join(ROOT, "events", "samples");
  return new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => [f.replace(/\.json$/, ""), JSON.parse(readFileSync(join(dir, f), "utf8"))]),
  );
}

/** A text file of the project, by path from the root. */
export function readProjectFile(path: string): string {
  return readFileSync(join(ROOT, path), "utf8");
}

/**
 * A valid received event whose deadline (1,500 working days) reaches a year without working-day
 * calendar data: applied with a `no_calendar` anomaly (docs/rules.md R6).
 */
export function receivedBeyondCalendar(eventId: string, dossierId: string) {
  return {
    eventId,
    type: "dossier.received" as const,
    occurredAt: "2022-07-01T08:00:00+07:00",
    dossierId,
    data: {
      unitId: "phong-tnmt",
      procedureCode: "1.001990",
      channel: "direct" as const,
      processingDays: 1500,
    },
  };
}

/**
 * A national portal sync body (`POST /integrations/dvcqg`) of one dossier received 2022-07-01 08:00
 * and due 2022-07-08 17:00, with `fields` over those (a status, an end date, a unit).
 */
export function dvcqgSnapshot(code: string, fields: Record<string, unknown>) {
  return {
    service: "DongBoHoSoMC",
    madonvi: "000.30.32.H48",
    isUpdating: false,
    data: [
      {
        MaHoSo: code,
        MaTTHC: "1.001990",
        NgayTiepNhan: "20220701080000",
        NgayHenTra: "20220708170000",
        TrangThaiHoSo: "2",
        DanhSachHoSoBoSung: [],
        ...fields,
      },
    ],
  };
}

/** `n` procedures of a catalog file (one domain, ten working days each), for a province's size. */
export const catalogProcedures = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    code: `1.00${String(i).padStart(4, "0")}`,
    vi: "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
    en: "Registration of changes in land use rights",
    domain: "dat-dai",
    days: 10,
  }));
