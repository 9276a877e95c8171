import { createHash } from "node:crypto";
import { err, ok, type Problem, type Result } from "../domain/result";
import * as z from "../domain/zod";
import { type DvcqgContext, idOf, PAUSE_OF_STATUS, pause, WITHDRAWAL_REQUESTED } from "./dvcqg-facts";
import { type Converted, Fields } from "./dvcqg-fields";
import { dossier } from "./dvcqg-snapshot";

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
 *   level is the processing unit's, from the unit directory (`levelOfUnit`); a unit the
 *   directory does not place leaves it unknown, with a note (./dvcqg-snapshot.ts).
 * - **The outcome.** No status says "refused": 9 (processing finished) and 10 (result returned)
 *   end approved and refused dossiers alike. `NgayTuChoi` (the refusal date, which the PASETO
 *   one-stop system above sends beside `NgayKetThucXuLy`; opencps-v2 sends no refusal field) is the
 *   one refusal field public senders send; a finished dossier that carries it was refused
 *   (`outcomeOf`, ./dvcqg-snapshot.ts). **Verify** against the portal's API specification whether it also marks
 *   refusals at receipt (status 3, which makes no event here anyway).
 */

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

/**
 * A value as part of an event id: as it is when it is already an id's characters (so ids made
 * before stay the same), else a hash of it (a department named `Phòng Tư pháp`: its event was
 * refused for an `eventId` its sender never sent).
 */
const idPart = (value: string) =>
  /^[A-Za-z0-9._-]{1,48}$/.test(value)
    ? value
    : `h${createHash("sha256").update(value).digest("hex").slice(0, 16)}`;

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
  const out: Converted = { events: [], eventItems: [], eventFields: [], problems: [], notes: [] };
  const { madonvi } = request;
  request.data.forEach((raw, index) => {
    convertItem(request, raw, index, madonvi, context, out);
    while (out.eventItems.length < out.events.length) out.eventItems.push(index);
    // Every event of an item names its dossier by the item's code.
    for (let i = out.events.length - 1; i >= 0 && out.eventItems[i] === index; i--)
      out.eventFields[i] = { dossierId: `data[${index}].MaHoSo`, ...out.eventFields[i] };
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
  if (request.service === "CapNhatTienDoHoSoMC") progress(id, f);
  else dossier(id, f, madonvi, context, out);
}

/** A progress item: a transfer to its department, and statuses 5 and 6 as they happen (7: a note). */
function progress(id: string, f: Fields) {
  const at = f.date("ThoiDiemXuLy");
  if (!at) {
    f.problem("ThoiDiemXuLy", "required: a progress item without its instant records nothing; item left out");
    return;
  }
  const stamp = at.replace(/\D/g, "").slice(0, 14);
  // A blank department is no transfer, not a bad item: the status may still say something.
  const department = f.text("PhongBanXuLy");
  if (department) {
    f.emit(
      {
        eventId: idOf(id, `progress:${stamp}:${idPart(department)}`),
        type: "dossier.transferred",
        occurredAt: at,
        dossierId: id,
        data: { toUnitId: department },
      },
      { occurredAt: "ThoiDiemXuLy", "data.toUnitId": "PhongBanXuLy" },
    );
  }
  const status = f.status("TrangThai");
  const pauseKind = status === undefined ? undefined : PAUSE_OF_STATUS[status];
  if (pauseKind) f.emit(pause(id, at, stamp, pauseKind), { occurredAt: "ThoiDiemXuLy" });
  // 2 (accepted) and 4 (in process) after a pause of status 5 or 6 say processing resumed: the
  // only dated end such a pause has when the sender keeps no supplement rounds. The law says a
  // pause lasts from the request to the supplement's receipt (docs/rules.md R3: Decree 61/2018/NĐ-CP
  // Art. 19, clause to verify; a payment wait likewise, R5); that a return to 2 or 4 is that
  // receipt is the monitor's reading of the portal's statuses, since without it the wait would
  // never end, the clock stay stopped and the dossier never fall overdue. The adapter does not know
  // whether a pause is open, so the event ends one if it is and is nothing otherwise (`ifPaused`).
  // Its id sorts after every pause's at the same instant ("unpaused" > "supplement-requested",
  // "pause-…"), so a pause and a return to processing told at one instant end as a pause of no length.
  if (status === 2 || status === 4)
    f.emit(
      {
        eventId: idOf(id, `unpaused:${stamp}`),
        type: "dossier.supplement_received",
        occurredAt: at,
        dossierId: id,
        data: { ifPaused: true },
      },
      { occurredAt: "ThoiDiemXuLy" },
    );
  if (status === 7) f.note("TrangThai", WITHDRAWAL_REQUESTED);
  // How a dossier ended (its outcome, result and hand-over) is in its snapshot, not in progress.
  else if (status !== undefined && [1, 3, 8, 9, 10].includes(status))
    f.note(
      "TrangThai",
      `status ${status} in a progress item: no event; a dossier's receipt and end are recorded from its snapshot (DongBoHoSoMC)`,
    );
}
