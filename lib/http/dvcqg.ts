import { createHash } from "node:crypto";
import * as z from "zod";
import type { Problem } from "../domain/events/validate";
import { formatInstant, OFFSET_MS } from "../domain/time";

/**
 * The national portal's dossier sync format (../shared/spec/dvcqg.md) turned into dossier events.
 * Only the fields the monitor uses are read: every other field, the applicant's name, phone,
 * e-mail and identity numbers among them, is dropped here and never stored or logged. Every event
 * id is derived from the dossier code and the fact it records, so the same snapshot twice gives
 * the same events, and a snapshot that goes backwards adds nothing that undoes history.
 */

const DateText = z.string().regex(/^\d{14}$/, "expected yyyyMMddHHmmss");
const Optional = <T extends z.ZodType>(s: T) =>
  z.preprocess((v) => (v === "" || v === null ? undefined : v), s.optional());

const SupplementSchema = z.object({
  NgayBoSung: Optional(DateText),
  NgayTiepNhanBoSung: Optional(DateText),
  NgayHenTraTruoc: Optional(DateText),
  NgayHenTraMoi: Optional(DateText),
});

/**
 * Supplement rounds kept per dossier: each makes up to two events, and a request may make at most
 * 100 (lib/app/ingest.ts). Ten rounds is far more than a dossier goes through; unbounded lists once
 * turned a 13 KB body into 363 events.
 */
export const MAX_SUPPLEMENTS = 10;
const Code = z.union([z.string().max(8), z.number()]);

const DossierSchema = z.object({
  MaHoSo: z.string().min(1).max(64),
  MaTTHC: z.string().min(1).max(64),
  MaLinhVuc: Optional(z.string().max(64)),
  KenhThucHien: Optional(Code),
  NgayTiepNhan: Optional(DateText),
  NgayHenTra: Optional(DateText),
  TrangThaiHoSo: Code.transform(Number).pipe(z.number().int().min(1).max(10)),
  NgayKetThucXuLy: Optional(DateText),
  NgayTra: Optional(DateText),
  DonViXuLy: Optional(z.string().max(64)),
  DanhSachHoSoBoSung: Optional(z.array(SupplementSchema).max(MAX_SUPPLEMENTS)),
});

const ProgressSchema = z.object({
  MaHoSo: z.string().min(1).max(64),
  ThoiDiemXuLy: DateText,
  PhongBanXuLy: z.string().min(1).max(64),
  TrangThai: Optional(Code),
});

export const DvcqgRequestSchema = z.discriminatedUnion("service", [
  z.object({
    service: z.literal("DongBoHoSoMC"),
    madonvi: z.string().min(1).max(64),
    isUpdating: z.boolean().optional(),
    data: z.array(z.unknown()).min(1).max(100),
  }),
  z.object({
    service: z.literal("CapNhatTienDoHoSoMC"),
    madonvi: z.string().min(1).max(64),
    data: z.array(z.unknown()).min(1).max(100),
  }),
]);

/** `20220606081500` (local time) → `2022-06-06T08:15:00+07:00`. */
export function dvcqgInstant(text: string): string {
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((i, k) =>
    Number(text.slice(i, i + (k === 0 ? 4 : 2))),
  );
  return formatInstant(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s) - OFFSET_MS);
}

const idOf = (dossier: string, fact: string) =>
  `dvcqg:${createHash("sha256").update(dossier).digest("hex").slice(0, 16)}:${fact}`;

const CHANNEL: Record<string, "direct" | "online" | "postal"> = {
  "1": "direct",
  "2": "online",
  "3": "postal",
};

export interface Converted {
  events: Record<string, unknown>[];
  problems: (Problem & { index: number })[];
}

/** One sync request → the dossier events it says happened (unvalidated: the ingest validates them). */
export function dvcqgToEvents(body: unknown): Converted | { error: Problem[] } {
  const request = DvcqgRequestSchema.safeParse(body);
  if (!request.success) {
    return {
      error: request.error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message })),
    };
  }
  const out: Converted = { events: [], problems: [] };
  const { madonvi } = request.data;
  request.data.data.forEach((raw, index) => {
    if (request.data.service === "CapNhatTienDoHoSoMC") {
      const p = ProgressSchema.safeParse(raw);
      if (!p.success) {
        for (const i of p.error.issues)
          out.problems.push({ index, path: `data[${index}].${i.path.join(".")}`, message: i.message });
        return;
      }
      const at = p.data.ThoiDiemXuLy;
      out.events.push({
        eventId: idOf(p.data.MaHoSo, `progress:${at}:${p.data.PhongBanXuLy}`),
        type: "dossier.transferred",
        occurredAt: dvcqgInstant(at),
        dossierId: p.data.MaHoSo,
        data: { toUnitId: p.data.PhongBanXuLy },
      });
      return;
    }
    const parsed = DossierSchema.safeParse(raw);
    if (!parsed.success) {
      for (const i of parsed.error.issues)
        out.problems.push({ index, path: `data[${index}].${i.path.join(".")}`, message: i.message });
      return;
    }
    const d = parsed.data;
    const id = d.MaHoSo;
    const status = d.TrangThaiHoSo;
    // 1 = newly registered and 3 = not accepted: nothing was received for processing yet.
    if (status === 1 || status === 3 || !d.NgayTiepNhan) return;
    out.events.push({
      eventId: idOf(id, "received"),
      type: "dossier.received",
      occurredAt: dvcqgInstant(d.NgayTiepNhan),
      dossierId: id,
      data: {
        unitId: d.DonViXuLy || madonvi,
        procedureCode: d.MaTTHC,
        channel: CHANNEL[String(d.KenhThucHien ?? "1")] ?? "direct",
        ...(d.NgayHenTra ? { dueAt: dvcqgInstant(d.NgayHenTra) } : {}),
        ...(d.MaLinhVuc ? { domain: d.MaLinhVuc } : {}),
      },
    });
    for (const s of d.DanhSachHoSoBoSung ?? []) {
      if (s.NgayBoSung) {
        out.events.push({
          eventId: idOf(id, `supplement-requested:${s.NgayBoSung}`),
          type: "dossier.supplement_requested",
          occurredAt: dvcqgInstant(s.NgayBoSung),
          dossierId: id,
          data: {},
        });
      }
      if (s.NgayTiepNhanBoSung) {
        out.events.push({
          eventId: idOf(id, `supplement-received:${s.NgayTiepNhanBoSung}`),
          type: "dossier.supplement_received",
          occurredAt: dvcqgInstant(s.NgayTiepNhanBoSung),
          dossierId: id,
          data: s.NgayHenTraMoi ? { dueAt: dvcqgInstant(s.NgayHenTraMoi) } : {},
        });
      }
    }
    // Some senders send 9 for 5, 6 and 8: a finish date is what makes a resolution.
    if (d.NgayKetThucXuLy && status === 8) {
      out.events.push({
        eventId: idOf(id, "stopped"),
        type: "dossier.withdrawn",
        occurredAt: dvcqgInstant(d.NgayKetThucXuLy),
        dossierId: id,
        data: {},
      });
    } else if (d.NgayKetThucXuLy && (status === 9 || status === 10)) {
      out.events.push({
        eventId: idOf(id, "resolved"),
        type: "dossier.resolved",
        occurredAt: dvcqgInstant(d.NgayKetThucXuLy),
        dossierId: id,
        data: { outcome: "approved" },
      });
    }
    if (d.NgayTra && status === 10) {
      out.events.push({
        eventId: idOf(id, "returned"),
        type: "dossier.returned",
        occurredAt: dvcqgInstant(d.NgayTra),
        dossierId: id,
        data: {},
      });
    }
  });
  return out;
}
