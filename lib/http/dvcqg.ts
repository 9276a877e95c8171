import { createHash } from "node:crypto";
import type { PauseKind } from "../domain/events/schema";
import { err, ok, type Problem, type Result } from "../domain/result";
import type { Level } from "../domain/rules";
import type { Unit, UnitDirectory } from "../domain/units";
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
 * skipped as a whole, and that is a problem too. A status that makes no event, and a level that
 * cannot be told, get a reason in `notes`. Nothing is dropped silently.
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
 *
 * What the format does not carry, and where it comes from instead (docs/dvcqg.md):
 * - **The level** (province, district, commune; form II.06a's row groups). No dossier field of
 *   the sync carries it: the public senders' dossier objects have none (VietOpenCPS/opencps-v2,
 *   DVCQGIntegrationActionImpl `createSyncDossierBodyRequest`; HuanVu201/DichVuCong_KhoaLuan_PASETO,
 *   `SyncDataToDVCQG.HoSoDongBoDVC` of its SyncLocalDataToDVCQG service). The portal keeps a level
 *   with the agency (its agency catalog `LayDanhMucCoQuan` answers `CAPDONVI` per `MADONVI`) and
 *   with the procedure (`CapThucHien`, a list: one procedure may be done at several levels). So the
 *   level is the processing unit's, from the unit directory ({@link levelOfUnit}); a unit the
 *   directory does not place leaves it unknown, with a note.
 * - **The outcome.** No status says "refused": 9 (processing finished) and 10 (result returned)
 *   end approved and refused dossiers alike. `NgayTuChoi` (the refusal date, which the PASETO
 *   one-stop system above sends beside `NgayKetThucXuLy`; opencps-v2 sends no refusal field) is the
 *   one refusal field public senders send; a finished dossier that carries it was refused
 *   ({@link outcomeOf}). **Verify** against the portal's API specification whether it also marks
 *   refusals at receipt (status 3, which makes no event here anyway).
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

/**
 * A value as part of an event id: as it is when it is already an id's characters (so ids made
 * before stay the same), else a hash of it (a department named `Phòng Tư pháp`: its event was
 * refused for an `eventId` its sender never sent).
 */
const idPart = (value: string) =>
  /^[A-Za-z0-9._-]{1,48}$/.test(value)
    ? value
    : `h${createHash("sha256").update(value).digest("hex").slice(0, 16)}`;

const CHANNEL: Record<string, "direct" | "online" | "postal"> = {
  "1": "direct",
  "2": "online",
  "3": "postal",
};

/**
 * What statuses 5 and 6 mean (docs/dvcqg.md): 5 "Yêu cầu bổ sung giấy tờ" and 6 "Yêu cầu thực
 * hiện nghĩa vụ tài chính" pause the clock (docs/rules.md R3, R5).
 */
const PAUSE_OF_STATUS: Record<number, PauseKind> = { 5: "supplement", 6: "financial_obligation" };

/**
 * Status 7 "Công dân yêu cầu rút hồ sơ" is the applicant's *request* to withdraw, not the end of
 * the dossier: the office still decides on it, and until it does the dossier is open and its
 * clock runs. So 7 makes no event; the dossier ends when a later snapshot says how (8 processing
 * stopped: withdrawn; 9 or 10: resolved), and the answer says so in a note.
 */
const WITHDRAWAL_REQUESTED =
  "status 7 (the applicant asked to withdraw): a request, not a withdrawal; no event: the dossier stays open until a later status ends it (8 processing stopped: withdrawn; 9 or 10: resolved)";

/** Form II.06a's level of each kind of unit in the directory (lib/domain/units.ts). */
const LEVEL_OF_UNIT: Record<Unit["level"], Level | undefined> = {
  province: "province",
  "provincial-department": "province",
  district: "district",
  "district-department": "district",
  commune: "commune",
  // A vertical agency (tax, social insurance, ...) belongs to no local level of its own: it takes
  // the level of the local unit it is placed under in the directory, if any.
  "vertical-agency": undefined,
};

/**
 * The level of a processing unit, from the directory: the unit's own, or, for a vertical agency,
 * that of the nearest unit above it that has one. Undefined when the directory does not list the
 * unit or places it under no local level. Deterministic: the same directory gives the same level.
 */
export function levelOfUnit(directory: UnitDirectory | undefined, unitId: string): Level | undefined {
  const seen = new Set<string>();
  let unit = directory?.get(unitId);
  while (unit && !seen.has(unit.id)) {
    seen.add(unit.id);
    const level = LEVEL_OF_UNIT[unit.level];
    if (level) return level;
    unit = directory?.get(unit.parentId);
  }
  return undefined;
}

/** What the adapter may look up beyond the body: the unit directory, for the level. */
export interface DvcqgContext {
  units?: UnitDirectory;
}

const asObject = (raw: unknown) =>
  typeof raw === "object" && raw !== null && !Array.isArray(raw)
    ? (raw as Record<string, unknown>)
    : undefined;

export type DvcqgRequest = z.infer<typeof DvcqgRequestSchema>;

/** The sync request's envelope, or every problem with it (its items are read one by one later). */
export function parseDvcqgRequest(body: unknown): Result<DvcqgRequest, Problem[]> {
  const request = DvcqgRequestSchema.safeParse(body);
  if (request.success) return ok(request.data);
  return err(request.error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message })));
}

/** One sync request → the dossier events it says happened (unvalidated: the ingest validates them). */
export function dvcqgToEvents(body: unknown, context: DvcqgContext = {}): Result<Converted, Problem[]> {
  const parsed = parseDvcqgRequest(body);
  return parsed.ok ? ok(convertDvcqg(parsed.value, context)) : parsed;
}

/** A parsed sync request → its events, problems and notes. */
export function convertDvcqg(request: DvcqgRequest, context: DvcqgContext = {}): Converted {
  const out: Converted = { events: [], eventItems: [], problems: [], notes: [] };
  const { madonvi } = request;
  request.data.forEach((raw, index) => {
    convertItem(request, raw, index, madonvi, context, out);
    while (out.eventItems.length < out.events.length) out.eventItems.push(index);
  });
  return out;
}

/** One item of `data` (a dossier's snapshot or a progress item) into `out`. */
function convertItem(
  request: DvcqgRequest,
  raw: unknown,
  index: number,
  madonvi: string,
  context: DvcqgContext,
  out: Converted,
): void {
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
  if (request.service === "CapNhatTienDoHoSoMC") progress(id, f, out);
  else dossier(id, f, madonvi, context, out);
}

/** A progress item: a transfer to its department, and statuses 5 and 6 as they happen (7: a note). */
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
      eventId: idOf(id, `progress:${stamp}:${idPart(department)}`),
      type: "dossier.transferred",
      occurredAt: at,
      dossierId: id,
      data: { toUnitId: department },
    });
  }
  const status = f.status("TrangThai");
  const pauseKind = status === undefined ? undefined : PAUSE_OF_STATUS[status];
  if (pauseKind) out.events.push(pause(id, at, stamp, pauseKind));
  if (status === 7) f.note("TrangThai", WITHDRAWAL_REQUESTED);
  // How a dossier ended (its outcome, result and hand-over) is in its snapshot, not in progress.
  else if (status !== undefined && [1, 3, 8, 9, 10].includes(status))
    f.note(
      "TrangThai",
      `status ${status} in a progress item: no event; a dossier's receipt and end are recorded from its snapshot (DongBoHoSoMC)`,
    );
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

/**
 * How a finished dossier (status 9 or 10) ended, and when: refused when it carries `NgayTuChoi`
 * (the refusal date, see the header), approved otherwise. The end instant is `NgayKetThucXuLy`;
 * a refused dossier without one ended on its refusal date.
 */
function outcomeOf(f: Fields): { outcome: "approved" | "denied"; at?: string } {
  const refused = f.date("NgayTuChoi");
  const finished = f.date("NgayKetThucXuLy");
  if (refused) return { outcome: "denied", at: finished ?? refused };
  return { outcome: "approved", at: finished };
}

/** A dossier snapshot: every event it shows, each from the fields that could be read. */
function dossier(id: string, f: Fields, madonvi: string, context: DvcqgContext, out: Converted) {
  const status = f.status("TrangThaiHoSo");
  if (status === undefined) f.problem("TrangThaiHoSo", "no usable status: only dated facts are recorded");
  // 1 = newly registered and 3 = not accepted: nothing was received for processing yet.
  if (status === 1 || status === 3) {
    f.note(
      "TrangThaiHoSo",
      status === 1
        ? "status 1 (newly registered): not received for processing yet; no event"
        : "status 3 (not accepted): no dossier was received for processing; no event",
    );
    return;
  }
  received(id, f, madonvi, context, out);
  const openPause = supplementRounds(id, f, status, out);
  statusPause(id, f, status, openPause, out);
  closing(id, f, status, out);
}

/** The receipt, when the snapshot has its date and procedure. */
function received(id: string, f: Fields, madonvi: string, context: DvcqgContext, out: Converted): void {
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
  const unitField = f.text("DonViXuLy");
  const unit = unitField ?? madonvi;
  if (!receivedAt)
    f.problem("NgayTiepNhan", "no receipt date: no dossier.received (later events wait as orphans)");
  else if (!procedure)
    f.problem("MaTTHC", "no procedure code: no dossier.received (later events wait as orphans)");
  else {
    const digitised = digitisedOf(f);
    const level = levelOfUnit(context.units, unit);
    if (!level)
      f.note(
        unitField ? "DonViXuLy" : "madonvi",
        `the unit ${unit} has no level in the unit directory (not listed, or under no province, district or commune): level unknown, counted under "Cấp chưa xác định" on form II.06a`,
      );
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
        ...(level ? { level } : {}),
        ...(digitised === undefined ? {} : { digitised }),
      },
    });
  }
}

/** The supplement rounds' pauses and resumptions; whether the last round is still open. */
function supplementRounds(id: string, f: Fields, status: number | undefined, out: Converted): boolean {
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

  return openPause;
}

/** A pause the status shows (5, 6) without an open round in the list. */
function statusPause(
  id: string,
  f: Fields,
  status: number | undefined,
  openPause: boolean,
  out: Converted,
): void {
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
}

/** How the dossier ended, by its status: withdrawn, stopped, resolved, returned. */
function closing(id: string, f: Fields, status: number | undefined, out: Converted): void {
  if (status === 7) f.note("TrangThaiHoSo", WITHDRAWAL_REQUESTED);
  else if (status === 8) {
    // 8 "Dừng xử lý": processing stopped without a result (the usual end of a granted withdrawal).
    const finished = f.date("NgayKetThucXuLy");
    if (finished)
      out.events.push({
        eventId: idOf(id, "stopped"),
        type: "dossier.withdrawn",
        occurredAt: finished,
        dossierId: id,
        data: {},
      });
    else if (!f.has("NgayKetThucXuLy"))
      f.problem(
        "NgayKetThucXuLy",
        "status 8 (processing stopped) with no end date: the end is not recorded and the dossier stays open; send NgayKetThucXuLy",
      );
  } else if (status === 9 || status === 10) {
    const { outcome, at } = outcomeOf(f);
    if (at) {
      out.events.push({
        eventId: idOf(id, "resolved"),
        type: "dossier.resolved",
        occurredAt: at,
        dossierId: id,
        data: { outcome, ...resultOf(f) },
      });
    } else if (!f.has("NgayKetThucXuLy")) {
      // A bad date already has its problem; a blank one is this one. Some senders send 9 for
      // 5, 6 and 8 (docs/dvcqg.md) and leave the end date blank: without it nothing says when,
      // or whether, processing finished.
      f.problem(
        "NgayKetThucXuLy",
        `status ${status} (${status === 9 ? "processing finished" : "result returned"}) with no end date: the resolution is not recorded and the dossier stays open; send NgayKetThucXuLy (a sender that sends 9 for 5, 6 or 8 should send the real status)`,
      );
    }
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
  } else if (status === 10 && !f.has("NgayTra")) {
    // A bad date already has its problem; a blank one is said here, so that the missing
    // hand-over is not silent (the resolution, if dated, is recorded all the same).
    f.note(
      "NgayTra",
      "status 10 (result returned) with no hand-over date: the hand-over is not recorded; send NgayTra",
    );
  }
}
