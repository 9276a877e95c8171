import { createHash } from "node:crypto";
import type { PauseKind } from "../domain/events/schema";
import type { Problem } from "../domain/events/validate";
import * as z from "../domain/zod";
import { type Converted, digitisedOf, Fields, resultOf } from "./dvcqg-fields";

/**
 * The national portal's dossier sync format (docs/dvcqg.md) turned into dossier events.
 * Only the fields the monitor uses are read: every other field, the applicant's name, phone,
 * e-mail and identity numbers among them, is dropped here and never stored or logged. Every event
 * id is derived from the dossier code and the fact it records, so the same snapshot twice gives
 * the same events, and a snapshot that goes backwards adds nothing that undoes history.
 *
 * Real senders are imperfect (statuses rewritten, blank fields, two date formats, lists that are
 * empty, null or not lists at all). A bad field costs that field, a bad list item that item, each
 * with a reason in `problems`; only a dossier without a code (nothing to attach events to) is
 * skipped as a whole, and that is a problem too. Nothing is dropped silently.
 *
 * The national index's inputs (docs/official.md) are read from the portal's own fields, by allowlist,
 * as the portal's calculation description ("Mô tả công thức tính chỉ số 766") reads them:
 * - `received.data.digitised`: `HoSoCoThanhPhanSoHoa` (1/0, what ministry and local systems send)
 *   or any `TaiLieuNop[].DuocSoHoa` = 1 (what the portal's own dossiers carry); index 4.2.
 * - `resolved.data.resultElectronic`: a `DanhSachGiayToKetQua[]` item with a result file link
 *   (`DuongDanTepTinKetQua`); an empty list is "no electronic result", an absent one "not said";
 *   indexes 3.3, 4.1, 4.2. Only the yes/no is kept, never the link.
 * - `resolved.data.resultChannel`: `HinhThuc`, the result's hand-over (0 at the one-stop desk,
 *   1 by post; the code list is as public one-stop systems send it, **verify** against the
 *   portal's API specification).
 * - Complaints (`dossier.complaint_received`) are not in this format: the portal takes feedback
 *   (phản ánh, kiến nghị) through its own feedback system, so they come from another source.
 */

/**
 * Supplement rounds kept per dossier: each makes up to two events, and a request may make at most
 * 100 (lib/app/ingest.ts). Ten rounds is far more than a dossier goes through; unbounded lists once
 * turned a 13 KB body into 363 events. Rounds past it are left out, with a problem.
 */
export const MAX_SUPPLEMENTS = 10;

export const DvcqgRequestSchema = z.discriminatedUnion("service", [
  z.object({
    service: z.literal("DongBoHoSoMC"),
    madonvi: z.string().check(z.minLength(1), z.maxLength(64)),
    isUpdating: z.optional(z.boolean()),
    data: z.array(z.unknown()).check(z.minLength(1), z.maxLength(100)),
  }),
  z.object({
    service: z.literal("CapNhatTienDoHoSoMC"),
    madonvi: z.string().check(z.minLength(1), z.maxLength(64)),
    data: z.array(z.unknown()).check(z.minLength(1), z.maxLength(100)),
  }),
]);

const idOf = (dossier: string, fact: string) =>
  `dvcqg:${createHash("sha256").update(dossier).digest("hex").slice(0, 16)}:${fact}`;

const CHANNEL: Record<string, "direct" | "online" | "postal"> = {
  "1": "direct",
  "2": "online",
  "3": "postal",
};

/**
 * What statuses 5, 6 and 7 mean (docs/dvcqg.md; research: the PASETO code's status names). 5
 * "Yêu cầu bổ sung giấy tờ" and 6 "Yêu cầu thực hiện nghĩa vụ tài chính" pause the clock
 * (docs/rules.md R3, R5). 7 "Công dân yêu cầu rút hồ sơ": the applicant asked to withdraw, and
 * the portal's index counts it among the end states, so it closes the dossier as withdrawn.
 */
const PAUSE_OF_STATUS: Record<number, PauseKind> = { 5: "supplement", 6: "financial_obligation" };

const asObject = (raw: unknown) =>
  typeof raw === "object" && raw !== null && !Array.isArray(raw)
    ? (raw as Record<string, unknown>)
    : undefined;

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
    const path = `data[${index}]`;
    const item = asObject(raw);
    if (!item) {
      out.problems.push({ index, path, message: "expected an object; item left out" });
      return;
    }
    const f = new Fields(item, path, index, out);
    const id = f.text("MaHoSo");
    if (!id) {
      f.problem("MaHoSo", "required: without the dossier code nothing can be recorded; item left out");
      return;
    }
    if (request.data.service === "CapNhatTienDoHoSoMC") progress(id, f, out);
    else dossier(id, f, madonvi, out);
  });
  return out;
}

/** A progress item: a transfer to its department, and statuses 5, 6 and 7 as they happen. */
function progress(id: string, f: Fields, out: Converted) {
  const at = f.date("ThoiDiemXuLy");
  if (!at) {
    f.problem("ThoiDiemXuLy", "required: a progress item without its instant records nothing; item left out");
    return;
  }
  const stamp = at.replace(/\D/g, "").slice(0, 14);
  // A blank department is no transfer, not a bad item: the status may still say something.
  const department = f.text("PhongBanXuLy");
  if (department) {
    out.events.push({
      eventId: idOf(id, `progress:${stamp}:${department}`),
      type: "dossier.transferred",
      occurredAt: at,
      dossierId: id,
      data: { toUnitId: department },
    });
  }
  const status = f.status("TrangThai");
  const pauseKind = status === undefined ? undefined : PAUSE_OF_STATUS[status];
  if (pauseKind) out.events.push(pause(id, at, stamp, pauseKind));
  if (status === 7) out.events.push(withdrawn(id, at, stamp));
}

function pause(id: string, at: string, stamp: string, kind: PauseKind) {
  return {
    // The kind is part of the fact: a supplement wait and a payment wait on one date are two facts.
    eventId: idOf(id, `${kind === "supplement" ? "supplement-requested" : `pause-${kind}`}:${stamp}`),
    type: "dossier.supplement_requested",
    occurredAt: at,
    dossierId: id,
    data: kind === "supplement" ? {} : { pauseKind: kind },
  };
}

function withdrawn(id: string, at: string, stamp: string) {
  return {
    eventId: idOf(id, `withdrawal-requested:${stamp}`),
    type: "dossier.withdrawn",
    occurredAt: at,
    dossierId: id,
    data: {},
  };
}

/** A dossier snapshot: every event it shows, each from the fields that could be read. */
function dossier(id: string, f: Fields, madonvi: string, out: Converted) {
  const status = f.status("TrangThaiHoSo");
  if (status === undefined) f.problem("TrangThaiHoSo", "no usable status: only dated facts are recorded");
  // 1 = newly registered and 3 = not accepted: nothing was received for processing yet.
  if (status === 1 || status === 3) return;
  const receivedAt = f.date("NgayTiepNhan");
  const procedure = f.text("MaTTHC");
  const due = f.date("NgayHenTra");
  const domain = f.text("MaLinhVuc");
  const channelCode = f.text("KenhThucHien", 8);
  let channel = CHANNEL[channelCode ?? "1"];
  if (!channel) {
    f.problem("KenhThucHien", `unknown channel ${channelCode}: counted as direct`);
    channel = "direct";
  }
  // A blank unit is the sending agency's own dossier.
  const unit = f.text("DonViXuLy") ?? madonvi;
  if (!receivedAt)
    f.problem("NgayTiepNhan", "no receipt date: no dossier.received (later events wait as orphans)");
  else if (!procedure)
    f.problem("MaTTHC", "no procedure code: no dossier.received (later events wait as orphans)");
  else {
    const digitised = digitisedOf(f);
    out.events.push({
      eventId: idOf(id, "received"),
      type: "dossier.received",
      occurredAt: receivedAt,
      dossierId: id,
      data: {
        unitId: unit,
        procedureCode: procedure,
        channel,
        ...(due ? { dueAt: due } : {}),
        ...(domain ? { domain } : {}),
        ...(digitised === undefined ? {} : { digitised }),
      },
    });
  }

  const rounds = f.list("DanhSachHoSoBoSung");
  if (rounds.length > MAX_SUPPLEMENTS)
    f.problem(
      "DanhSachHoSoBoSung",
      `${rounds.length} supplement rounds: the first ${MAX_SUPPLEMENTS} are kept, the rest left out`,
    );
  const kept = rounds.slice(0, MAX_SUPPLEMENTS);
  let openPause = false;
  kept.forEach((round, i) => {
    const r = new Fields(round, `${f.path}.DanhSachHoSoBoSung[${i}]`, f.index, out);
    const requested = r.date("NgayBoSung");
    const supplied = r.date("NgayTiepNhanBoSung");
    const newDue = r.date("NgayHenTraMoi");
    const last = i === kept.length - 1;
    if (requested) {
      // The open round of a dossier waiting on payment (status 6) is that wait (docs/rules.md R5).
      const kind = last && !supplied && status === 6 ? "financial_obligation" : "supplement";
      const stamp = requested.replace(/\D/g, "").slice(0, 14);
      out.events.push(pause(id, requested, stamp, kind));
      if (!supplied) openPause = true;
    }
    if (supplied) {
      out.events.push({
        eventId: idOf(id, `supplement-received:${supplied.replace(/\D/g, "").slice(0, 14)}`),
        type: "dossier.supplement_received",
        occurredAt: supplied,
        dossierId: id,
        data: newDue ? { dueAt: newDue } : {},
      });
    }
  });

  const pauseKind = status === undefined ? undefined : PAUSE_OF_STATUS[status];
  if (pauseKind && !openPause) {
    // Statuses 5 and 6 with no open round in the list: the portal's request date, when sent.
    const since = f.date("NgayYeuCauBoSung");
    if (since) out.events.push(pause(id, since, since.replace(/\D/g, "").slice(0, 14), pauseKind));
    else
      f.problem(
        "TrangThaiHoSo",
        `status ${status} (${pauseKind === "supplement" ? "supplement requested" : "payment requested"}) with no open supplement round and no NgayYeuCauBoSung: the pause has no date and is not recorded; send a progress update (CapNhatTienDoHoSoMC) with ThoiDiemXuLy`,
      );
  }

  const finished = f.date("NgayKetThucXuLy");
  if (status === 7) {
    if (finished) out.events.push(withdrawn(id, finished, finished.replace(/\D/g, "").slice(0, 14)));
    else
      f.problem(
        "NgayKetThucXuLy",
        "status 7 (the applicant asked to withdraw) with no end date: the withdrawal is not recorded",
      );
  } else if (finished && status === 8) {
    out.events.push({
      eventId: idOf(id, "stopped"),
      type: "dossier.withdrawn",
      occurredAt: finished,
      dossierId: id,
      data: {},
    });
  } else if (finished && (status === 9 || status === 10)) {
    // Some senders send 9 for 5, 6 and 8: a finish date is what makes a resolution.
    out.events.push({
      eventId: idOf(id, "resolved"),
      type: "dossier.resolved",
      occurredAt: finished,
      dossierId: id,
      data: { outcome: "approved", ...resultOf(f) },
    });
  }
  const handedOver = f.date("NgayTra");
  if (handedOver && status === 10) {
    out.events.push({
      eventId: idOf(id, "returned"),
      type: "dossier.returned",
      occurredAt: handedOver,
      dossierId: id,
      data: {},
    });
  }
}
