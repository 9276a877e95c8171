import { AgencyUnitDirectory } from "../domain/agency-directory";
import type { Level } from "../domain/rules";
import type { Unit, UnitDirectory } from "../domain/units";
import { type DvcqgContext, idOf, PAUSE_OF_STATUS, pause, WITHDRAWAL_REQUESTED } from "./dvcqg-facts";
import { type Converted, digitisedOf, Fields, resultOf } from "./dvcqg-fields";

/**
 * A dossier's snapshot (`DongBoHoSoMC`, ./dvcqg.ts reads the request) turned into the events it
 * shows: its receipt with its level, supplement rounds and pauses, and how it ended.
 */

/**
 * Supplement rounds kept per dossier: each makes up to two events, and a request may make at most
 * 200 (`MAX_DVCQG_EVENTS`, lib/app/ingest.ts). Ten rounds is far more than a dossier goes through; unbounded lists once
 * turned a 13 KB body into 363 events. Rounds past it are left out, with a problem.
 */
export const MAX_SUPPLEMENTS = 10;

const CHANNEL: Record<string, "direct" | "online" | "postal"> = {
  "1": "direct",
  "2": "online",
  "3": "postal",
};

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
 * that of the nearest unit or agency above it that has one (a province's directory places its
 * units under agencies, lib/domain/agencies.ts). Undefined when the directory does not list the
 * unit or places it under no local level. Deterministic: the same directory gives the same level.
 */
export function levelOfUnit(directory: UnitDirectory | undefined, unitId: string): Level | undefined {
  if (!directory) return undefined;
  // A flat directory's tree is one synthetic office: only real agencies may lend a level.
  const tree = directory instanceof AgencyUnitDirectory && !directory.tree.flat ? directory.tree : undefined;
  const nodeOf = (id: string | undefined) =>
    directory.get(id) ?? (id === undefined || tree?.get(id)?.kind !== "agency" ? undefined : tree.get(id));
  const seen = new Set<string>();
  let node: { id: string; level: Unit["level"]; parentId?: string } | undefined = directory.get(unitId);
  while (node && !seen.has(node.id)) {
    seen.add(node.id);
    const level = LEVEL_OF_UNIT[node.level];
    if (level) return level;
    node = nodeOf(node.parentId);
  }
  return undefined;
}

/**
 * How a finished dossier (status 9 or 10) ended, and when: refused when it carries `NgayTuChoi`
 * (the refusal date, see the header), approved otherwise. The end instant is `NgayKetThucXuLy`;
 * a refused dossier without one ended on its refusal date.
 */
function outcomeOf(
  f: Fields,
  refused: string | undefined,
): { outcome: "approved" | "denied"; at?: string; field: string } {
  const finished = f.date("NgayKetThucXuLy");
  if (refused)
    return { outcome: "denied", at: finished ?? refused, field: finished ? "NgayKetThucXuLy" : "NgayTuChoi" };
  return { outcome: "approved", at: finished, field: "NgayKetThucXuLy" };
}

/** A dossier snapshot: every event it shows, each from the fields that could be read. */
export function dossier(id: string, f: Fields, madonvi: string, context: DvcqgContext, out: Converted) {
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
  received(id, f, madonvi, context);
  // The refusal date, read once (a malformed one makes one problem and is no refusal): the
  // outcome's and the waits' alike, so an approved close never keeps a wait open to its end.
  const refused = status === 9 || status === 10 ? f.date("NgayTuChoi") : undefined;
  const resumed = wentOn(status, refused);
  const { openPause, ended } = supplementRounds(id, f, status, resumed, out);
  statusPause(id, f, status, openPause);
  undatedReturn(id, f, status, resumed, ended);
  closing(id, f, status, refused);
}

/**
 * Whether the snapshot shows the dossier's processing went on past any wait: back at processing
 * (2, 4), or finished with its result (9, 10 without a refusal date: an approved result means the
 * supplement came). A refused close (`NgayTuChoi`) may be a dossier refused because the supplement
 * never came, which waited to its end.
 */
function wentOn(status: number | undefined, refused: string | undefined): boolean {
  return status === 2 || status === 4 || ((status === 9 || status === 10) && refused === undefined);
}

/** The receipt, when the snapshot has its date and procedure. */
function received(id: string, f: Fields, madonvi: string, context: DvcqgContext): void {
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
  else if (unitField === undefined && f.has("DonViXuLy"))
    // Sent but unreadable: counted under the sending agency instead, the dossier would stay there,
    // since a later snapshot's receipt tells the first again (the first stands).
    f.problemLeads(
      "DonViXuLy",
      "no dossier.received (later events wait as orphans), not counted under the sending agency",
    );
  else {
    const digitised = digitisedOf(f);
    const level = levelOfUnit(context.units, unit);
    if (!level)
      f.note(
        unitField ? "DonViXuLy" : "/madonvi",
        `the unit ${unit} has no level in the unit directory (not listed, or under no province, district or commune): level unknown, counted under "Cấp chưa xác định" on form II.06a`,
        true,
      );
    f.emit(
      {
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
      },
      {
        occurredAt: "NgayTiepNhan",
        "data.unitId": unitField ? "DonViXuLy" : "/madonvi",
        "data.level": unitField ? "DonViXuLy" : "/madonvi",
        // `digitisedOf` reads the flag, else the documents' (./dvcqg-fields.ts).
        "data.digitised": f.has("HoSoCoThanhPhanSoHoa") ? "HoSoCoThanhPhanSoHoa" : "TaiLieuNop",
        "data.procedureCode": "MaTTHC",
        "data.channel": "KenhThucHien",
        "data.dueAt": "NgayHenTra",
        "data.domain": "MaLinhVuc",
      },
    );
  }
}

/** The supplement rounds' pauses and resumptions; whether the last round is still open, and the rounds it ends. */
function supplementRounds(
  id: string,
  f: Fields,
  status: number | undefined,
  /** Whether the snapshot shows processing went on past any wait ({@link wentOn}). */
  resumed: boolean,
  out: Converted,
): { openPause: boolean; ended: Set<string> } {
  const rounds = f.list("DanhSachHoSoBoSung");
  if (rounds.length > MAX_SUPPLEMENTS)
    f.problem(
      "DanhSachHoSoBoSung",
      `${rounds.length} supplement rounds: the first ${MAX_SUPPLEMENTS} are kept, the rest left out`,
    );
  const kept = rounds.slice(0, MAX_SUPPLEMENTS);
  let openPause = false;
  const ended = new Set<string>();
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
      r.emit(pause(id, requested, stamp, kind), { occurredAt: "NgayBoSung" });
      if (supplied) ended.add(requested);
      else if (last && !resumed) openPause = true;
      else {
        undatedRoundEnd(id, r, requested, stamp, last ? `status ${status}` : "a later round");
        ended.add(requested);
      }
    }
    if (supplied) {
      // A dated answer applies first at its instant (it answers the wait open before it: docs/events.md
      // "Order, duplicates, conflicts"). A round asked and answered at one instant (senders that date
      // to the day) is told as the answer to the pause of that instant (`ifPaused`, after its request
      // in the ids' order): a pause of no length, not an answer to nothing and a pause left open.
      const atOnce = supplied === requested;
      const data = { ...(newDue ? { dueAt: newDue } : {}), ...(atOnce ? { ifPaused: true as const } : {}) };
      r.emit(
        {
          eventId: idOf(
            id,
            `${atOnce ? "supplement-same-instant" : "supplement-received"}:${supplied.replace(/\D/g, "").slice(0, 14)}`,
          ),
          type: "dossier.supplement_received",
          occurredAt: supplied,
          dossierId: id,
          data,
        },
        { occurredAt: "NgayTiepNhanBoSung", "data.dueAt": "NgayHenTraMoi" },
      );
    }
  });

  return { openPause, ended };
}

/** A wait's end the source showed without dating it: at the wait's start, `undated` (docs/events.md). */
const undatedEnd = (id: string, at: string, stamp: string) => ({
  eventId: idOf(id, `undated-return:${stamp}`),
  type: "dossier.supplement_received",
  occurredAt: at,
  dossierId: id,
  data: { ifPaused: true as const, undated: true as const },
});

/**
 * A round left unanswered while the snapshot shows the wait over (status 2 or 4, an approved close,
 * or a later round requested): it ends where it began, so the clock runs through it, since a pause lasts only to the
 * supplement's receipt (docs/rules.md R3; Decree 61/2018/NĐ-CP Art. 19, clause to verify) and an
 * end nobody dated must not stop the clock for good (`undated`). A later return before the next
 * pause or the close (this round's `NgayTiepNhanBoSung` in a later snapshot, or a progress item back
 * at 2 or 4) dates the end instead (lib/domain/pauses.ts `supersededUndatedEnds`).
 */
function undatedRoundEnd(id: string, r: Fields, requested: string, stamp: string, over: string): void {
  r.emit(undatedEnd(id, requested, stamp), { occurredAt: "NgayBoSung" });
  r.note(
    "NgayTiepNhanBoSung",
    `${over} shows this round's wait over, but it has no NgayTiepNhanBoSung: the wait is recorded as ended where it began, so the clock runs, until NgayTiepNhanBoSung or a progress item (CapNhatTienDoHoSoMC) with TrangThai 4 and ThoiDiemXuLy dates its end`,
  );
}

/**
 * Status 2 or 4, or an approved close, with a pause's start (`NgayYeuCauBoSung`) that no listed round answers: the wait
 * (a supplement or a payment, status 5 or 6 in an earlier snapshot or a progress item) is over,
 * but this snapshot cannot say when. Like an unanswered round ({@link undatedRoundEnd}) it ends
 * where it began, marked `undated`, so the clock runs through it: an end nobody dated must not stop
 * the clock for good (docs/rules.md R3, R5). An inferred end ends a wait of either kind and is
 * nothing when no wait is open (lib/domain/pauses.ts `resume`), so which kind it was, no longer
 * shown, does not matter. A later return of the portal's before the next pause or the close (a
 * progress item back at 2 or 4) dates the end instead.
 */
function undatedReturn(
  id: string,
  f: Fields,
  status: number | undefined,
  resumed: boolean,
  ended: ReadonlySet<string>,
): void {
  if (!resumed) return;
  const since = f.date("NgayYeuCauBoSung");
  if (!since || ended.has(since)) return;
  f.emit(undatedEnd(id, since, since.replace(/\D/g, "").slice(0, 14)), { occurredAt: "NgayYeuCauBoSung" });
  f.note(
    "NgayYeuCauBoSung",
    `status ${status} after a wait begun at NgayYeuCauBoSung that no listed round answers: a wait open at NgayYeuCauBoSung is recorded as ended where it began, so the clock runs, until a progress item (CapNhatTienDoHoSoMC) with TrangThai 4 and ThoiDiemXuLy, or a round's NgayTiepNhanBoSung, dates its end`,
  );
}

/** A pause the status shows (5, 6) without an open round in the list. */
function statusPause(id: string, f: Fields, status: number | undefined, openPause: boolean): void {
  const pauseKind = status === undefined ? undefined : PAUSE_OF_STATUS[status];
  if (pauseKind && !openPause) {
    // Statuses 5 and 6 with no open round in the list: the portal's request date, when sent.
    const since = f.date("NgayYeuCauBoSung");
    if (since)
      f.emit(pause(id, since, since.replace(/\D/g, "").slice(0, 14), pauseKind), {
        occurredAt: "NgayYeuCauBoSung",
      });
    else
      f.problem(
        "TrangThaiHoSo",
        `status ${status} (${pauseKind === "supplement" ? "supplement requested" : "payment requested"}) with no open supplement round and no NgayYeuCauBoSung: the pause has no date and is not recorded; send a progress update (CapNhatTienDoHoSoMC) with ThoiDiemXuLy`,
      );
  }
}

/** How the dossier ended, by its status: withdrawn, stopped, resolved, returned. */
function closing(id: string, f: Fields, status: number | undefined, refused: string | undefined): void {
  // Each date is read once: a malformed one makes one problem.
  const handedOver = status === 10 ? f.date("NgayTra") : undefined;
  if (status === 7) f.note("TrangThaiHoSo", WITHDRAWAL_REQUESTED);
  else if (status === 8) {
    // 8 "Dừng xử lý": processing stopped without a result (the usual end of a granted withdrawal).
    const finished = f.date("NgayKetThucXuLy");
    if (finished)
      f.emit(
        {
          eventId: idOf(id, "stopped"),
          type: "dossier.withdrawn",
          occurredAt: finished,
          dossierId: id,
          data: {},
        },
        { occurredAt: "NgayKetThucXuLy" },
      );
    else if (!f.has("NgayKetThucXuLy"))
      f.problem(
        "NgayKetThucXuLy",
        "status 8 (processing stopped) with no end date: the end is not recorded and the dossier stays open; send NgayKetThucXuLy",
      );
  } else if (status === 9 || status === 10) {
    const { outcome, at, field } = outcomeOf(f, refused);
    if (at) {
      f.emit(
        {
          eventId: idOf(id, "resolved"),
          type: "dossier.resolved",
          occurredAt: at,
          dossierId: id,
          data: { outcome, ...resultOf(f) },
        },
        { occurredAt: field },
      );
    } else if (!f.has("NgayKetThucXuLy")) {
      // A bad date already has its problem; a blank one is this one. Some senders send 9 for
      // 5, 6 and 8 (docs/dvcqg.md) and leave the end date blank: without it nothing says when,
      // or whether, processing finished.
      // Status 10 dated by its hand-over is closed by it (the projection takes a return without a
      // resolution as the resolution, at the hand-over): the answer says so, not "stays open".
      f.problem(
        "NgayKetThucXuLy",
        handedOver
          ? "status 10 (result returned) with no end date: the dossier counts as resolved when it was handed over (NgayTra), which may be later than processing finished; send NgayKetThucXuLy"
          : `status ${status} (${status === 9 ? "processing finished" : "result returned"}) with no end date: the resolution is not recorded and the dossier stays open; send NgayKetThucXuLy (a sender that sends 9 for 5, 6 or 8 should send the real status)`,
      );
    }
  }
  if (handedOver) {
    f.emit(
      {
        eventId: idOf(id, "returned"),
        type: "dossier.returned",
        occurredAt: handedOver,
        dossierId: id,
        data: {},
      },
      { occurredAt: "NgayTra" },
    );
  } else if (status === 10 && !f.has("NgayTra")) {
    // A bad date already has its problem; a blank one is said here, so that the missing
    // hand-over is not silent (the resolution, if dated, is recorded all the same).
    f.note(
      "NgayTra",
      "status 10 (result returned) with no hand-over date: the hand-over is not recorded; send NgayTra",
    );
  }
}
