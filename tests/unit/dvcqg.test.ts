import { describe, expect, it } from "vitest";
import { AgencyUnitDirectory, parseDirectoryFile } from "../../lib/domain/agency-directory";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { validateEvent } from "../../lib/domain/events/validate";
import { projectDossier } from "../../lib/domain/projection";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory, UnitDirectory } from "../../lib/domain/units";
import { dvcqgToEvents } from "../../lib/http/dvcqg";
import { type DvcqgContext, retoldReceipt } from "../../lib/http/dvcqg-facts";
import { type Converted, parseDvcqgDate } from "../../lib/http/dvcqg-fields";
import { levelOfUnit } from "../../lib/http/dvcqg-snapshot";
import { readProjectFile } from "../helpers/fixtures";

/** A fixture of events/dvcqg/ through the adapter: what it made, checked against the contract. */
function convert(name: string, context?: DvcqgContext): Converted {
  return convertBody(JSON.parse(readProjectFile(`events/dvcqg/${name}`)), context);
}

/** A portal body through the adapter, checked as {@link convert} checks a fixture's. */
function convertBody(body: unknown, context?: DvcqgContext): Converted {
  const result = dvcqgToEvents(body, context);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  const out = result.value;
  for (const e of out.events)
    expect(validateEvent(e, { now: instant("2030-01-01T00:00:00Z") }).ok).toBe(true);
  // The applicant's details never leave the adapter.
  for (const personal of ["Nguyễn Văn A", "0900000000", "nguoi-nop@example.org", "Trần Thị B"])
    expect(JSON.stringify(out)).not.toContain(personal);
  return out;
}

/** The dossier the portal bodies make, through the adapter and the projection (official calendar). */
function projectBodies(...bodies: unknown[]) {
  const events = bodies.flatMap((b) => convertBody(b).events) as unknown as DossierEvent[];
  return projectDossier(events[0]?.dossierId as string, events, { calendar: WorkingCalendar.official() });
}

const facts = (out: Converted) =>
  out.events.map((e) => ({ type: e.type, occurredAt: e.occurredAt, data: e.data }));
const paths = (out: Converted) => out.problems.map((p) => p.path);
const notePaths = (out: Converted) => out.notes.map((p) => p.path);
const typesOf = (out: Converted) => out.events.map((e) => [e.dossierId, e.type, e.occurredAt]);

/** The seed's unit directory (events/units/seed-units.json): district departments. */
const seedUnits = () => {
  const file = parseUnitDirectory(JSON.parse(readProjectFile("events/units/seed-units.json")));
  return new UnitDirectory(file.units, file.leadership);
};

describe("portal dates", () => {
  it("reads both formats, local time without an offset, and the offset when there is one", () => {
    const at = (t: string) => parseDvcqgDate(t);
    expect(at("20220711081500")).toEqual({ ok: true, value: "2022-07-11T08:15:00+07:00" });
    expect(at("2022-07-11T08:15:00")).toEqual({ ok: true, value: "2022-07-11T08:15:00+07:00" });
    expect(at("2022-07-11T08:15:00.123")).toEqual({ ok: true, value: "2022-07-11T08:15:00+07:00" });
    expect(at("2022-07-11T01:15:00Z")).toEqual({ ok: true, value: "2022-07-11T08:15:00+07:00" });
    expect(at("2022-07-11T08:15:00+0700")).toEqual({ ok: true, value: "2022-07-11T08:15:00+07:00" });
    expect(at("2022-02-30T09:00:00").ok).toBe(false);
    expect(at("25/07/2022 17:00").ok).toBe(false);
    // A time or offset that does not exist, and years before 2000, are problems, not moved.
    for (const t of [
      "20220606087500",
      "20220606081599",
      "2022-06-06T08:15:00+99:99",
      "2022-06-06T08:15:00+14:30",
      "2022-06-06T08:15:00-14:01",
      "00220711081500",
    ])
      expect(at(t).ok, t).toBe(false);
    expect(at("2022-06-06T08:15:00+14:00")).toEqual({ ok: true, value: "2022-06-06T01:15:00+07:00" });
  });
});

describe("an unreadable processing unit", () => {
  it("makes no receipt, rather than one counted under the sending agency for good", () => {
    const body = JSON.parse(readProjectFile("events/dvcqg/snapshot-3-resolved.json"));
    body.data[0].DonViXuLy = "x".repeat(70);
    const out = convertBody(body);
    expect(out.events.map((e) => e.type)).not.toContain("dossier.received");
    expect(out.problems).toEqual([
      {
        index: 0,
        path: "data[0].DonViXuLy",
        message:
          "longer than 64 characters: no dossier.received (later events wait as orphans), not counted under the sending agency",
      },
    ]);
    // Blank, it is the sending agency's own dossier, as before.
    body.data[0].DonViXuLy = "";
    expect(convertBody(body).events.find((e) => e.type === "dossier.received")?.data).toMatchObject({
      unitId: "000.30.32.H48",
    });
  });
});

describe("the portal fixtures (events/dvcqg/)", () => {
  it("status 5 with an empty supplement list: a supplement pause from NgayYeuCauBoSung", () => {
    const out = convert("status-5-empty-list.json");
    expect(out.problems).toEqual([]);
    expect(facts(out)).toEqual([
      {
        type: "dossier.received",
        occurredAt: "2022-07-11T08:15:00+07:00",
        data: {
          unitId: "cn-vpdk-dat-dai",
          procedureCode: "1.004227",
          channel: "direct",
          dueAt: "2022-07-25T17:00:00+07:00",
          domain: "dat-dai",
        },
      },
      { type: "dossier.supplement_requested", occurredAt: "2022-07-13T09:00:00+07:00", data: {} },
    ]);
  });

  it("status 6 with an open round: a financial-obligation pause (docs/rules.md R5)", () => {
    const out = convert("status-6-payment.json");
    expect(out.problems).toEqual([]);
    expect(facts(out).slice(1)).toEqual([
      {
        type: "dossier.supplement_requested",
        occurredAt: "2022-07-14T10:00:00+07:00",
        data: { pauseKind: "financial_obligation" },
      },
    ]);
  });

  it("status 6 with an empty list and no date: the dossier is kept, the undated pause is a problem", () => {
    const out = convert("status-6-empty-list.json");
    expect(facts(out).map((e) => e.type)).toEqual(["dossier.received"]);
    expect(paths(out)).toEqual(["data[0].TrangThaiHoSo"]);
    expect(out.problems[0]?.message).toMatch(/payment requested.*CapNhatTienDoHoSoMC/);
  });

  it("a progress item with status 6 and a blank department: the pause, no transfer, no rejection", () => {
    const out = convert("progress-blank-department.json");
    expect(out.problems).toEqual([]);
    expect(facts(out)).toEqual([
      {
        type: "dossier.supplement_requested",
        occurredAt: "2022-07-14T10:00:00+07:00",
        data: { pauseKind: "financial_obligation" },
      },
    ]);
    // The same pause as the snapshot's open round of status-6-payment.json: one event id.
    const snapshot = convert("status-6-payment.json");
    expect(out.events[0]?.eventId).toBe(snapshot.events[1]?.eventId);
  });

  it("status 7 is the applicant's request to withdraw: no withdrawal, the dossier stays open, a note says why", () => {
    const out = convert("status-7-withdrawal.json");
    expect(out.problems).toEqual([]);
    // Even with an end date sent: a request is not the end of the dossier.
    expect(facts(out).map((e) => [e.type, e.occurredAt])).toEqual([
      ["dossier.received", "2022-07-11T08:15:00+07:00"],
    ]);
    expect(notePaths(out)).toContain("data[0].TrangThaiHoSo");
    expect(out.notes.find((n) => n.path === "data[0].TrangThaiHoSo")?.message).toMatch(
      /status 7.*request, not a withdrawal/,
    );
    const projection = projectDossier("000.30.32.H48-220711-0104", out.events as unknown as DossierEvent[], {
      calendar: WorkingCalendar.official(),
    });
    expect(projection.closedAt).toBeUndefined();
  });

  it("a progress item with status 7: no event, a note", () => {
    const out = convert("progress-withdrawal-request.json");
    expect(out.events).toEqual([]);
    expect(out.problems).toEqual([]);
    expect(notePaths(out)).toEqual(["data[0].TrangThai"]);
    expect(JSON.stringify(out)).not.toContain("Trần Thị B");
  });

  it("a progress item with status 9: no event (the snapshot carries the end), a note", () => {
    const out = convert("progress-finished.json");
    expect(out.events).toEqual([]);
    expect(out.problems).toEqual([]);
    expect(out.notes.map((n) => [n.path, n.message])).toEqual([
      ["data[0].TrangThai", expect.stringMatching(/status 9 in a progress item: no event/)],
    ]);
    // A routine progress status says nothing more than its transfer.
    expect(convert("progress-transfer.json").notes).toEqual([]);
  });

  it("status 8 once the office stopped processing (the granted withdrawal): withdrawn at the end date", () => {
    const out = convert("status-8-stopped.json");
    expect(out.problems).toEqual([]);
    expect(facts(out).map((e) => [e.type, e.occurredAt])).toEqual([
      ["dossier.received", "2022-07-11T08:15:00+07:00"],
      ["dossier.withdrawn", "2022-07-18T10:00:00+07:00"],
    ]);
    // The request before it and the end after it are one dossier: the same received event.
    expect(out.events[0]?.eventId).toBe(convert("status-7-withdrawal.json").events[0]?.eventId);
  });

  it("status 9 or 10 with a blank end date: no resolution event, a problem naming NgayKetThucXuLy that says what happens", () => {
    const out = convert("status-9-no-end-date.json");
    expect(typesOf(out)).toEqual([
      ["000.30.32.H48-220711-0301", "dossier.received", "2022-07-11T08:15:00+07:00"],
      ["000.30.32.H48-220711-0302", "dossier.received", "2022-07-11T08:15:00+07:00"],
      // The hand-over is a fact of its own; the resolution's instant is still unknown.
      ["000.30.32.H48-220711-0302", "dossier.returned", "2022-07-26T09:00:00+07:00"],
    ]);
    expect(paths(out)).toEqual(["data[0].NgayKetThucXuLy", "data[1].NgayKetThucXuLy"]);
    expect(out.problems[0]?.message).toMatch(/status 9 \(processing finished\) with no end date/);
    expect(out.problems[0]?.message).toMatch(/stays open/);
    // Status 10 has its hand-over date: the dossier closes at it, and the answer says so.
    expect(out.problems[1]?.message).toMatch(/status 10 \(result returned\) with no end date/);
    expect(out.problems[1]?.message).toMatch(/counts as resolved when it was handed over \(NgayTra\)/);
    expect(out.problems[1]?.message).not.toMatch(/stays open/);
  });

  it("status 10 with a blank hand-over date: the resolution, no hand-over, and a note naming NgayTra", () => {
    const payload = JSON.parse(readProjectFile("events/dvcqg/status-10-refused.json"));
    const first = payload.data[0];
    delete first.NgayTra;
    const result = dvcqgToEvents({ ...payload, data: [first] });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    const out = result.value;
    expect(out.problems).toEqual([]);
    expect(out.events.map((e) => e.type)).toEqual(["dossier.received", "dossier.resolved"]);
    expect(notePaths(out)).toContain("data[0].NgayTra");
    const note = out.notes.find((n) => n.path === "data[0].NgayTra");
    expect(note?.message).toMatch(/status 10 \(result returned\) with no hand-over date/);
  });

  it("the outcome is the payload's: a refusal date makes it denied, none approved", () => {
    const out = convert("status-10-refused.json");
    expect(out.problems).toEqual([]);
    const resolved = out.events
      .filter((e) => e.type === "dossier.resolved")
      .map((e) => [e.dossierId, e.occurredAt, e.data]);
    expect(resolved).toEqual([
      [
        "000.30.32.H48-220711-0303",
        "2022-07-20T16:00:00+07:00",
        { outcome: "denied", resultElectronic: false, resultChannel: "direct" },
      ],
      // Refused with no end date: processing ended on the refusal date.
      ["000.30.32.H48-220711-0304", "2022-07-22T11:00:00+07:00", { outcome: "denied" }],
      // A blank refusal date refuses nothing.
      ["000.30.32.H48-220711-0305", "2022-07-22T15:00:00+07:00", { outcome: "approved" }],
    ]);
    expect(out.events.filter((e) => e.type === "dossier.returned").map((e) => e.dossierId)).toEqual([
      "000.30.32.H48-220711-0303",
    ]);
  });

  it("statuses 1 and 3 make no event, each with a note", () => {
    const out = convert("status-1-3-not-received.json");
    expect(out.events).toEqual([]);
    expect(out.problems).toEqual([]);
    expect(notePaths(out)).toEqual(["data[0].TrangThaiHoSo", "data[1].TrangThaiHoSo"]);
    expect(out.notes.map((n) => n.message)).toEqual([
      expect.stringMatching(/status 1 \(newly registered\)/),
      expect.stringMatching(/status 3 \(not accepted\)/),
    ]);
  });

  it("the level is the processing unit's, from the unit directory; unknown with a note otherwise", () => {
    const directory = parseUnitDirectory({
      leadership: [{ name: "Lãnh đạo", email: "lanh-dao@example.org" }],
      units: [
        ...seedUnits().units,
        ...[
          ["so-tnmt", "provincial-department", undefined],
          ["ubnd-xa-a", "commune", undefined],
          ["chi-cuc-thue-huyen", "vertical-agency", "ubnd-huyen"],
          ["ubnd-huyen", "district", undefined],
          ["bhxh-tinh", "vertical-agency", undefined],
        ].map(([id, level, parentId]) => ({
          id,
          nameVi: `Đơn vị ${id}`,
          nameEn: `Unit ${id}`,
          level,
          ...(parentId ? { parentId } : {}),
          head: { name: "Trưởng", email: "truong@example.org" },
        })),
      ],
    });
    const units = new UnitDirectory(directory.units, directory.leadership);
    const out = convert("levels.json", { units });
    expect(out.problems).toEqual([]);
    expect(out.events.map((e) => [e.dossierId, (e.data as { level?: string }).level])).toEqual([
      ["000.30.32.H48-220711-0311", "district"],
      ["000.30.32.H48-220711-0312", "province"],
      ["000.30.32.H48-220711-0313", "commune"],
      // A vertical agency takes the level of the local unit it is placed under.
      ["000.30.32.H48-220711-0314", "district"],
      ["000.30.32.H48-220711-0315", undefined],
      ["000.30.32.H48-220711-0316", undefined],
      // A blank unit is the sender's (madonvi), which this directory does not list.
      ["000.30.32.H48-220711-0317", undefined],
    ]);
    expect(notePaths(out)).toEqual(["data[4].DonViXuLy", "data[5].DonViXuLy", "madonvi"]);
    expect(out.notes[0]?.message).toMatch(/bhxh-tinh.*level unknown.*Cấp chưa xác định/);
    // Without a directory nothing is guessed: every level unknown, each with its note.
    const bare = convert("levels.json");
    expect(bare.events.every((e) => (e.data as { level?: string }).level === undefined)).toBe(true);
    expect(bare.notes).toHaveLength(7);
  });

  it("in a province's directory a vertical agency takes the level of the agency it is placed under", () => {
    const head = { name: "Trưởng", email: "truong@example.org" };
    const agency = (id: string, level: string, parentId?: string) => ({
      id,
      nameVi: `Cơ quan ${id}`,
      nameEn: `Agency ${id}`,
      level,
      ...(parentId ? { parentId } : {}),
    });
    const unit = (id: string, level: string, parentId: string) => ({
      id,
      nameVi: `Đơn vị ${id}`,
      nameEn: `Unit ${id}`,
      level,
      parentId,
      head,
    });
    const file = parseDirectoryFile(
      {
        leadership: [{ name: "Lãnh đạo", email: "lanh-dao@example.org" }],
        agencies: [agency("tinh", "province"), agency("xa-a", "commune", "tinh")],
        units: [unit("bhxh-xa-a", "vertical-agency", "xa-a"), unit("bhxh-tinh", "vertical-agency", "tinh")],
      },
      "2025-08-01",
    );
    const units = new AgencyUnitDirectory(file.units, file.leadership, file.integrations, file.agencies);
    expect(levelOfUnit(units, "bhxh-xa-a")).toBe("commune");
    expect(levelOfUnit(units, "bhxh-tinh")).toBe("province");
    expect(levelOfUnit(units, "xa-a")).toBeUndefined();
    // A flat directory's one office lends no level: a vertical agency under nothing stays unknown.
    const flat = new AgencyUnitDirectory(file.units, file.leadership, file.integrations, []);
    expect(levelOfUnit(flat, "bhxh-xa-a")).toBeUndefined();
  });

  it("blank optional fields: the unit is the sender's, the channel direct, nothing rejected", () => {
    const out = convert("blank-department.json");
    expect(out.problems).toEqual([]);
    expect(facts(out)).toEqual([
      {
        type: "dossier.received",
        occurredAt: "2022-07-11T08:15:00+07:00",
        data: {
          unitId: "000.30.32.H48",
          procedureCode: "1.004227",
          channel: "direct",
          dueAt: "2022-07-25T17:00:00+07:00",
        },
      },
    ]);
  });

  it("ISO dates, with and without fraction or offset, in the dossier and in its lists", () => {
    const out = convert("iso-dates.json");
    expect(out.problems).toEqual([]);
    expect(facts(out)).toEqual([
      {
        type: "dossier.received",
        occurredAt: "2022-07-11T08:15:00+07:00",
        data: {
          unitId: "cn-vpdk-dat-dai",
          procedureCode: "1.004227",
          channel: "online",
          dueAt: "2022-07-25T17:00:00+07:00",
          domain: "dat-dai",
        },
      },
      { type: "dossier.supplement_requested", occurredAt: "2022-07-13T09:00:00+07:00", data: {} },
      {
        type: "dossier.supplement_received",
        occurredAt: "2022-07-14T10:00:00+07:00",
        data: { dueAt: "2022-07-26T17:00:00+07:00" },
      },
      // An empty DanhSachGiayToKetQua: the portal counts no electronic result (index 4.1).
      {
        type: "dossier.resolved",
        occurredAt: "2022-07-22T09:30:00+07:00",
        data: { outcome: "approved", resultElectronic: false },
      },
    ]);
  });

  it("a bad field costs that field, a bad item that item, each with a reason; never the dossier", () => {
    const out = convert("bad-fields.json");
    expect(paths(out)).toEqual([
      "data[0].NgayHenTra",
      "data[0].DanhSachHoSoBoSung[2]",
      "data[0].DanhSachHoSoBoSung[0].NgayBoSung",
    ]);
    expect(facts(out)).toEqual([
      // No appointment: the due instant comes from the catalog instead.
      {
        type: "dossier.received",
        occurredAt: "2022-07-11T08:15:00+07:00",
        data: { unitId: "cn-vpdk-dat-dai", procedureCode: "1.004227", channel: "direct", domain: "dat-dai" },
      },
      { type: "dossier.supplement_requested", occurredAt: "2022-07-15T09:00:00+07:00", data: {} },
      { type: "dossier.supplement_received", occurredAt: "2022-07-18T08:00:00+07:00", data: {} },
    ]);
  });

  it("the same snapshot twice gives the same events, ids included", () => {
    for (const name of [
      "status-6-payment.json",
      "iso-dates.json",
      "bad-fields.json",
      "status-8-stopped.json",
      "status-9-no-end-date.json",
      "status-10-refused.json",
      "levels.json",
    ]) {
      const first = convert(name, { units: seedUnits() });
      expect(first.events.length).toBeGreaterThan(0);
      expect(convert(name, { units: seedUnits() })).toEqual(first);
      // Distinct facts, distinct ids.
      const ids = first.events.map((e) => e.eventId);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it("status 6 maps to a pause that moves the KPI due instant like a supplement pause", () => {
    const payment = convert("status-6-payment.json").events as unknown as DossierEvent[];
    const resumed: DossierEvent = {
      eventId: "resume",
      type: "dossier.supplement_received",
      occurredAt: "2022-07-18T10:00:00+07:00",
      dossierId: payment[0]?.dossierId as string,
      data: {},
    };
    const asSupplement = payment.map((e) =>
      e.type === "dossier.supplement_requested" ? ({ ...e, data: {} } as DossierEvent) : e,
    );
    const calendar = WorkingCalendar.official();
    const fin = projectDossier(resumed.dossierId, [...payment, resumed], { calendar });
    const sup = projectDossier(resumed.dossierId, [...asSupplement, resumed], { calendar });
    // Thu 10:00 to Mon 10:00: two working days paused, so due two working days later.
    expect(fin.kpiDueAt).toBe(instant("2022-07-27T17:00:00+07:00"));
    expect(fin.kpiDueAt).toBe(sup.kpiDueAt);
    expect(fin.pausedByKind).toEqual({
      supplement: 0,
      financial_obligation: 16 * 3_600_000,
      other_agency: 0,
    });
    expect(sup.pausedByKind.supplement).toBe(16 * 3_600_000);
    // Waiting on fees is not a supplement request (docs/rules.md R3 counts supplement requests only).
    expect(fin.supplementRequests).toBe(0);
    expect(sup.supplementRequests).toBe(1);
  });

  it("a payment round answered in a later snapshot is the same pause, not a second one", () => {
    // The first snapshot: status 6, the round open (a payment wait). The next: the round answered
    // and the dossier back in process (4), the round now told as a supplement.
    const open = JSON.parse(readProjectFile("events/dvcqg/status-6-payment.json"));
    const answered = structuredClone(open);
    answered.data[0].TrangThaiHoSo = "4";
    answered.data[0].DanhSachHoSoBoSung[0].NgayTiepNhanBoSung = "20220718100000";
    const first = convertBody(open).events as unknown as DossierEvent[];
    const second = convertBody(answered).events as unknown as DossierEvent[];
    const pauses = second.filter((e) => e.type === "dossier.supplement_requested");
    // The later snapshot names the round otherwise: a different fact id, both stored.
    expect(pauses.map((e) => e.data)).toEqual([{}]);
    expect(first.find((e) => e.type === "dossier.supplement_requested")?.eventId).not.toBe(
      pauses[0]?.eventId,
    );
    const calendar = WorkingCalendar.official();
    const dossierId = first[0]?.dossierId as string;
    // In either order of arrival (the projection orders by the contract, not by arrival).
    for (const events of [
      [...first, ...second],
      [...second, ...first],
    ]) {
      const state = projectDossier(dossierId, events, { calendar });
      expect(state.anomalies).toEqual([]);
      expect(state.pauses).toHaveLength(1);
      // Thu 10:00 to Mon 10:00: two working days, waiting on payment, not on a supplement.
      expect(state.pausedByKind).toEqual({
        supplement: 0,
        financial_obligation: 16 * 3_600_000,
        other_agency: 0,
      });
      expect(state.supplementRequests).toBe(0);
      expect(state.kpiDueAt).toBe(instant("2022-07-27T17:00:00+07:00"));
    }
  });

  it("a pause of status 6 with no rounds ends when a progress item says 4: the clock runs again", () => {
    // The sender keeps no supplement rounds: the pause is dated by NgayYeuCauBoSung only.
    const body = JSON.parse(readProjectFile("events/dvcqg/status-6-payment.json"));
    body.data[0].DanhSachHoSoBoSung = [];
    body.data[0].NgayYeuCauBoSung = "20220714100000";
    const paused = convertBody(body).events as unknown as DossierEvent[];
    const progress = convert("progress-resumed.json");
    expect(progress.problems).toEqual([]);
    expect(facts(progress)).toEqual([
      {
        type: "dossier.supplement_received",
        occurredAt: "2022-07-18T10:00:00+07:00",
        data: { ifPaused: true },
      },
    ]);
    const resumed = progress.events as unknown as DossierEvent[];
    const calendar = WorkingCalendar.official();
    const dossierId = paused[0]?.dossierId as string;
    // Without it the wait never ends: the clock stays stopped and the dossier is never overdue.
    const never = projectDossier(dossierId, paused, { calendar });
    expect(never.clockStopped).toBe(true);
    for (const events of [
      [...paused, ...resumed],
      [...resumed, ...paused],
    ]) {
      const state = projectDossier(dossierId, events, { calendar });
      expect(state.anomalies).toEqual([]);
      expect(state.clockStopped).toBe(false);
      expect(state.pauses).toEqual([
        {
          from: instant("2022-07-14T10:00:00+07:00"),
          to: instant("2022-07-18T10:00:00+07:00"),
          kind: "financial_obligation",
          inferredEnd: resumed[0]?.eventId,
        },
      ]);
      // Thu 10:00 to Mon 10:00: two working days paused, as a dated answer would give.
      expect(state.kpiDueAt).toBe(instant("2022-07-27T17:00:00+07:00"));
    }
    // An inferred resumption that carries a new due instant (another source's) sets it.
    const withDue = {
      ...resumed[0],
      data: { ifPaused: true, dueAt: "2022-08-05T17:00:00+07:00" },
    } as DossierEvent;
    const given = projectDossier(dossierId, [...paused, withDue], { calendar });
    expect(given.kpiDueAt).toBe(instant("2022-08-05T17:00:00+07:00"));
    expect(given.anomalies).toEqual([]);
  });

  it("a wait a result ends: approved, the clock ran through it (the dossier late); refused, it waited to the end", () => {
    // Received Mon 11 July 08:15, due Mon 25 July 17:00; a round asked Wed 13 July, its answer
    // never sent; finished Fri 29 July 10:00.
    const closed = (status: string, refused?: string) => {
      const body = JSON.parse(readProjectFile("events/dvcqg/snapshot-3-resolved.json"));
      body.data[0].TrangThaiHoSo = status;
      body.data[0].NgayKetThucXuLy = "20220729100000";
      if (status === "10") body.data[0].NgayTra = "20220729110000";
      if (refused) body.data[0].NgayTuChoi = refused;
      body.data[0].DanhSachHoSoBoSung = [{ NgayBoSung: "20220713100000" }];
      return convertBody(body);
    };
    const calendar = WorkingCalendar.official();
    for (const status of ["9", "10"]) {
      const approved = closed(status).events as unknown as DossierEvent[];
      expect(approved.map((e) => e.eventId).some((id) => /undated-return:20220713100000$/.test(id))).toBe(
        true,
      );
      const state = projectDossier(approved[0]?.dossierId as string, approved, { calendar });
      // Before, the pause lasted to the close: due 10 August, and the dossier on time.
      expect(state.kpiDueAt).toBe(instant("2022-07-25T17:00:00+07:00"));
      expect(state.resolvedAt).toBe(instant("2022-07-29T10:00:00+07:00"));
      // Refused: the supplement may never have come; the wait stays open to the end.
      const denied = closed(status, "20220729100000").events as unknown as DossierEvent[];
      expect(denied.some((e) => e.eventId.includes("undated-return"))).toBe(false);
      const waited = projectDossier(denied[0]?.dossierId as string, denied, { calendar });
      expect(waited.kpiDueAt).toBeGreaterThan(instant("2022-07-29T10:00:00+07:00"));
      // A refusal date sent unreadable is no refusal (its problem named): approved, and the wait
      // ended as for any approved close, never kept open to it.
      const garbled = closed(status, "29/07/2022 x");
      expect(garbled.problems.map((p) => p.path)).toContain("data[0].NgayTuChoi");
      const garbledEvents = garbled.events as unknown as DossierEvent[];
      expect(garbledEvents.some((e) => e.eventId.includes("undated-return"))).toBe(true);
      expect(garbledEvents.find((e) => e.type === "dossier.resolved")?.data).toMatchObject({
        outcome: "approved",
      });
    }
  });

  it("a wait by status alone that a snapshot at 2 or 4 shows over ends where it began, until a progress item dates it", () => {
    const snapshot = (status: string) => {
      const body = JSON.parse(readProjectFile("events/dvcqg/status-6-payment.json"));
      body.data[0].DanhSachHoSoBoSung = [];
      body.data[0].NgayYeuCauBoSung = "20220714100000";
      body.data[0].TrangThaiHoSo = status;
      return convertBody(body);
    };
    const since = "2022-07-14T10:00:00+07:00";
    const paused = snapshot("6").events as unknown as DossierEvent[];
    const calendar = WorkingCalendar.official();
    const dossierId = paused[0]?.dossierId as string;
    for (const status of ["2", "4"]) {
      const out = snapshot(status);
      expect(out.problems).toEqual([]);
      expect(facts(out).slice(1)).toEqual([
        { type: "dossier.supplement_received", occurredAt: since, data: { ifPaused: true, undated: true } },
      ]);
      expect(out.events[1]?.eventId).toMatch(/undated-return:20220714100000$/);
      // (the other note says the unit has no level: no directory here)
      expect(notePaths(out)).toEqual(["data[0].DonViXuLy", "data[0].NgayYeuCauBoSung"]);
      expect(out.notes[1]?.message).toMatch(/CapNhatTienDoHoSoMC/);
      const shownOver = out.events as unknown as DossierEvent[];
      // Before, the wait stayed open for good: the clock stopped and the dossier never overdue.
      for (const events of [
        [...paused, ...shownOver],
        [...shownOver, ...paused],
      ]) {
        const state = projectDossier(dossierId, events, { calendar });
        expect(state.anomalies).toEqual([]);
        expect(state.clockStopped).toBe(false);
        expect(state.pauses).toEqual([
          {
            from: instant(since),
            to: instant(since),
            kind: "financial_obligation",
            inferredEnd: shownOver[1]?.eventId,
          },
        ]);
        // Received Tue 12 July; the wait counts for nothing: the first appointment stands.
        expect(state.kpiDueAt).toBe(instant("2022-07-25T17:00:00+07:00"));
      }
      // A progress item back at 4 dates the end instead: Thu 10:00 to Mon 10:00 paused.
      const resumed = convert("progress-resumed.json").events as unknown as DossierEvent[];
      const dated = projectDossier(dossierId, [...resumed, ...shownOver, ...paused], { calendar });
      expect(dated.anomalies).toEqual([]);
      expect(dated.pauses).toEqual([
        {
          from: instant(since),
          to: instant("2022-07-18T10:00:00+07:00"),
          kind: "financial_obligation",
          inferredEnd: resumed[0]?.eventId,
        },
      ]);
      expect(dated.kpiDueAt).toBe(instant("2022-07-27T17:00:00+07:00"));
    }
    // A department posting its progress items under its own key, granted the unit by the directory,
    // dates the end too; a source the directory does not grant does not.
    const own = (events: DossierEvent[], source: string) =>
      events.map((e) => ({ ...e, source }) as DossierEvent);
    const portal = [
      ...own(paused, "igate"),
      ...own(snapshot("4").events as unknown as DossierEvent[], "igate"),
    ];
    const departments = own(
      convert("progress-resumed.json").events as unknown as DossierEvent[],
      "phong-mot-cua",
    );
    const admits = (source: string | undefined) => source === "phong-mot-cua";
    const granted = projectDossier(dossierId, [...departments, ...portal], { calendar, admits });
    expect(granted.pauses.map((p) => p.to)).toEqual([instant("2022-07-18T10:00:00+07:00")]);
    expect(granted.kpiDueAt).toBe(instant("2022-07-27T17:00:00+07:00"));
    const refused = projectDossier(dossierId, [...departments, ...portal], { calendar });
    expect(refused.pauses.map((p) => p.to)).toEqual([instant(since)]);
    expect(refused.kpiDueAt).toBe(instant("2022-07-25T17:00:00+07:00"));
    // A snapshot at 4 that was never seen paused: the end is nothing (no pause, no anomaly).
    const alone = projectDossier(dossierId, snapshot("4").events as unknown as DossierEvent[], { calendar });
    expect(alone.anomalies).toEqual([]);
    expect(alone.pauses).toEqual([]);
    // A round that answers it: nothing to say, no undated end.
    const body = JSON.parse(readProjectFile("events/dvcqg/status-6-payment.json"));
    Object.assign(body.data[0], { NgayYeuCauBoSung: "20220714100000", TrangThaiHoSo: "4" });
    body.data[0].DanhSachHoSoBoSung = [
      { NgayBoSung: "20220714100000", NgayTiepNhanBoSung: "20220718100000" },
    ];
    const answered = convertBody(body);
    expect(notePaths(answered)).toEqual(["data[0].DonViXuLy"]);
    expect(
      (answered.events as unknown as DossierEvent[]).filter((e) => e.eventId.includes("undated-return")),
    ).toEqual([]);
  });

  it("a progress item's pause hours after a round asked that day is that wait told exactly, once a snapshot shows it over undated", () => {
    const calendar = WorkingCalendar.official();
    // A sender that dates rounds to the day (00:00) and progress items to the second.
    const snapshot = (status: string) => {
      const body = JSON.parse(readProjectFile("events/dvcqg/status-6-payment.json"));
      body.data[0].TrangThaiHoSo = status;
      body.data[0].DanhSachHoSoBoSung[0].NgayBoSung = "20220714000000";
      return convertBody(body).events as unknown as DossierEvent[];
    };
    const progress = (status: string, at: string, department = "") => {
      const body = JSON.parse(readProjectFile("events/dvcqg/progress-resumed.json"));
      Object.assign(body.data[0], { TrangThai: status, ThoiDiemXuLy: at, PhongBanXuLy: department });
      return convertBody(body).events as unknown as DossierEvent[];
    };
    // The wait begins at the exact telling (09:30), not at the day-dated round (00:00).
    const asked = "2022-07-14T09:30:00+07:00";
    const told = [...snapshot("5"), ...progress("5", "2022-07-14T09:30:00.000"), ...snapshot("4")];
    const dossierId = told[0]?.dossierId as string;
    const undated = told.find((e) => e.eventId.includes("undated-return"));
    for (const events of [told, [...told].reverse()]) {
      const state = projectDossier(dossierId, events, { calendar });
      // Before, a second wait opened at 09:30: a false second supplement request, the clock stopped for good.
      expect(state.anomalies).toEqual([]);
      expect(state.supplementRequests).toBe(1);
      expect(state.clockStopped).toBe(false);
      expect(state.pauses).toEqual([
        { from: instant(asked), to: instant(asked), kind: "supplement", inferredEnd: undated?.eventId },
      ]);
    }
    // Told with a department (a transfer at the same instant), the same wait.
    const withDepartment = [
      ...snapshot("5"),
      ...progress("5", "2022-07-14T09:30:00.000", "phong-tnmt"),
      ...snapshot("4"),
    ];
    const moved = projectDossier(dossierId, withDepartment, { calendar });
    expect(moved.unitId).toBe("phong-tnmt");
    expect(moved.supplementRequests).toBe(1);
    expect(moved.anomalies).toEqual([]);
    expect(moved.pauses.map((p) => [p.from, p.to])).toEqual([[instant(asked), instant(asked)]]);
    // A progress item back at 4 dates the wait's end, from the round's request.
    const resumed = progress("4", "2022-07-18T10:00:00.000");
    const dated = projectDossier(dossierId, [...resumed, ...told], { calendar });
    expect(dated.anomalies).toEqual([]);
    expect(dated.pauses).toEqual([
      {
        from: instant(asked),
        to: instant("2022-07-18T10:00:00+07:00"),
        kind: "supplement",
        inferredEnd: resumed[0]?.eventId,
      },
    ]);
    // A round told first at status 6 (a payment wait), then renamed a supplement once a snapshot
    // at 4 shows it over: the progress item's telling at 6 that morning, or at 5, is that wait.
    const paymentFirst = (progressStatus: string) => {
      const body = (status: string) => {
        const b = JSON.parse(readProjectFile("events/dvcqg/status-6-payment.json"));
        b.data[0].TrangThaiHoSo = status;
        b.data[0].DanhSachHoSoBoSung[0].NgayBoSung = "20220714000000";
        return convertBody(b).events as unknown as DossierEvent[];
      };
      return projectDossier(
        dossierId,
        [...body("6"), ...progress(progressStatus, "2022-07-14T09:30:00.000"), ...body("4")],
        { calendar },
      );
    };
    for (const [status, kind] of [
      ["6", "financial_obligation"],
      ["5", "supplement"],
    ]) {
      const state = paymentFirst(status as string);
      expect(state.anomalies, status).toEqual([]);
      expect(state.clockStopped, status).toBe(false);
      expect(
        state.pauses.map((p) => [p.from, p.to, p.kind]),
        status,
      ).toEqual([[instant(asked), instant(asked), kind]]);
    }
    // A request on another day is another wait: the second request stays a breach.
    const nextDay = [...snapshot("5"), ...progress("5", "2022-07-15T09:30:00.000"), ...snapshot("4")];
    const second = projectDossier(dossierId, nextDay, { calendar });
    expect(second.supplementRequests).toBe(2);
    expect(second.anomalies.map((a) => a.kind)).toEqual(["second_supplement_request"]);
  });

  it("a round a snapshot at 2 or 4 leaves unanswered ends where it began: the clock runs until a dated return", () => {
    const at = (status: string, answeredAt?: string) => {
      const body = JSON.parse(readProjectFile("events/dvcqg/status-6-payment.json"));
      body.data[0].TrangThaiHoSo = status;
      if (answeredAt) body.data[0].DanhSachHoSoBoSung[0].NgayTiepNhanBoSung = answeredAt;
      return convertBody(body);
    };
    const requested = "2022-07-14T10:00:00+07:00";
    for (const status of ["2", "4"]) {
      const out = at(status);
      expect(facts(out).slice(1)).toEqual([
        { type: "dossier.supplement_requested", occurredAt: requested, data: {} },
        {
          type: "dossier.supplement_received",
          occurredAt: requested,
          data: { ifPaused: true, undated: true },
        },
      ]);
      expect(out.events[2]?.eventId).toMatch(/undated-return:20220714100000$/);
      expect(notePaths(out)).toContain("data[0].DanhSachHoSoBoSung[0].NgayTiepNhanBoSung");
      // The wait by status alone is not told twice.
      expect(notePaths(out)).not.toContain("data[0].NgayYeuCauBoSung");
    }
    // Still waiting (5), or closed by a refusal while waiting (10): the pause stays open.
    for (const status of ["5", "10"]) {
      const body = JSON.parse(readProjectFile("events/dvcqg/status-6-payment.json"));
      body.data[0].TrangThaiHoSo = status;
      Object.assign(body.data[0], { NgayKetThucXuLy: "20220801100000", NgayTuChoi: "20220801100000" });
      const out = convertBody(body);
      expect(
        out.events.filter((e) => e.type === "dossier.supplement_received"),
        status,
      ).toEqual([]);
      expect(notePaths(out)).not.toContain("data[0].DanhSachHoSoBoSung[0].NgayTiepNhanBoSung");
    }

    const calendar = WorkingCalendar.official();
    const project = (...events: { events: unknown[] }[]) => {
      const all = events.flatMap((o) => o.events) as DossierEvent[];
      return projectDossier(all[0]?.dossierId as string, all, { calendar });
    };
    // Due Mon 25 July 17:00: with the wait undated the clock ran through it, and the dossier is late.
    const undated = project(at("4"));
    expect(undated.paused).toBe(false);
    expect(undated.kpiDueAt).toBe(instant("2022-07-25T17:00:00+07:00"));
    expect(undated.supplementRequests).toBe(1);
    expect(undated.anomalies).toEqual([]);
    // A later snapshot dates the return: the same dossier as if the wait had been seen open (5).
    const dated = project(at("4"), at("4", "20220718100000"));
    const seenOpen = project(at("5"), at("4", "20220718100000"));
    expect(dated.kpiDueAt).toBe(instant("2022-07-27T17:00:00+07:00"));
    expect(dated.kpiDueAt).toBe(seenOpen.kpiDueAt);
    expect(dated.pauses).toEqual(seenOpen.pauses);
    expect(dated.pausedByKind).toEqual(seenOpen.pausedByKind);
    expect(dated.anomalies).toEqual([]);
    // So does a progress item back at 4, whichever the order of the requests.
    const body = JSON.parse(readProjectFile("events/dvcqg/progress-resumed.json"));
    body.data[0].ThoiDiemXuLy = "2022-07-18T10:00:00.000";
    const progress = convertBody(body);
    for (const order of [
      [at("4"), progress],
      [progress, at("4")],
    ]) {
      const state = project(...order);
      expect(state.pauses.map((p) => [p.from, p.to])).toEqual([
        [instant(requested), instant("2022-07-18T10:00:00+07:00")],
      ]);
      expect(state.kpiDueAt).toBe(instant("2022-07-27T17:00:00+07:00"));
    }
    // A period that ended before the dated return saw the dossier waiting, as it was: projected at
    // Sun 17 July with the return of Mon 18 July known, it is paused, not running.
    const before = instant("2022-07-17T12:00:00+07:00");
    const answeredLater = [...at("4").events, ...at("4", "20220718100000").events] as DossierEvent[];
    const atSunday = projectDossier(
      answeredLater[0]?.dossierId as string,
      answeredLater,
      { calendar },
      before,
    );
    expect(atSunday.paused).toBe(true);
    // Closed (Fri 15 July) before the return was dated: the end stays where it began.
    const closed = JSON.parse(readProjectFile("events/dvcqg/status-6-payment.json"));
    Object.assign(closed.data[0], {
      TrangThaiHoSo: "9",
      NgayKetThucXuLy: "20220715100000",
      DanhSachHoSoBoSung: [],
    });
    const late = project(at("4"), convertBody(closed), progress);
    expect(late.pauses[0]?.to).toBe(instant(requested));
  });

  it("a pause and a return told at one instant stay a pause of no length: a later return to 4 moves nothing", () => {
    const snapshot = convert("status-6-payment.json").events.filter((e) => e.type === "dossier.received");
    const progress = (t: string, status: string) => {
      const body = JSON.parse(readProjectFile("events/dvcqg/progress-resumed.json"));
      body.data[0].ThoiDiemXuLy = t;
      body.data[0].TrangThai = status;
      return convertBody(body).events;
    };
    const events = [
      ...snapshot,
      ...progress("2022-07-14T10:00:00.000", "5"),
      ...progress("2022-07-14T10:00:00.000", "4"),
      ...progress("2022-07-22T10:00:00.000", "4"),
    ] as unknown as DossierEvent[];
    const state = projectDossier(events[0]?.dossierId as string, events, {
      calendar: WorkingCalendar.official(),
    });
    expect(state.pauses.map((p) => [p.from, p.to])).toEqual([
      [instant("2022-07-14T10:00:00+07:00"), instant("2022-07-14T10:00:00+07:00")],
    ]);
    expect(state.kpiDueAt).toBe(instant("2022-07-25T17:00:00+07:00"));
  });

  it("a round asked and answered at one instant (dates to the day) is a pause of no length, not one left open", () => {
    const body = JSON.parse(readProjectFile("events/dvcqg/status-6-payment.json"));
    body.data[0].TrangThaiHoSo = "4";
    Object.assign(body.data[0].DanhSachHoSoBoSung[0], {
      NgayBoSung: "20220714000000",
      NgayTiepNhanBoSung: "20220714000000",
    });
    const state = projectBodies(body);
    expect(state.paused).toBe(false);
    expect(state.anomalies).toEqual([]);
    expect(state.pauses).toHaveLength(1);
  });

  it("rounds back to back on one day: the first answered, then the second asked, two pauses", () => {
    const body = JSON.parse(readProjectFile("events/dvcqg/status-6-payment.json"));
    body.data[0].TrangThaiHoSo = "4";
    const [first] = body.data[0].DanhSachHoSoBoSung;
    body.data[0].DanhSachHoSoBoSung = [
      { ...first, NgayBoSung: "20220714000000", NgayTiepNhanBoSung: "20220718000000" },
      { ...first, NgayBoSung: "20220718000000", NgayTiepNhanBoSung: "20220721000000" },
    ];
    const state = projectBodies(body);
    expect(state.supplementRequests).toBe(2);
    expect(state.pauses.map((p) => [p.from, p.to])).toEqual([
      [instant("2022-07-14T00:00:00+07:00"), instant("2022-07-18T00:00:00+07:00")],
      [instant("2022-07-18T00:00:00+07:00"), instant("2022-07-21T00:00:00+07:00")],
    ]);
    expect(state.anomalies.map((a) => a.kind)).toEqual(["second_supplement_request"]);
  });

  it("a payment wait begun at the instant a round was answered is a pause of its own, still open", () => {
    const body = JSON.parse(readProjectFile("events/dvcqg/status-6-payment.json"));
    const [first] = body.data[0].DanhSachHoSoBoSung;
    body.data[0].DanhSachHoSoBoSung = [
      { ...first, NgayBoSung: "20220714100000", NgayTiepNhanBoSung: "20220718100000" },
      { ...first, NgayBoSung: "20220718100000" },
    ];
    const state = projectBodies(body);
    expect(state.pauses.map((p) => [p.kind, p.from, p.to])).toEqual([
      ["supplement", instant("2022-07-14T10:00:00+07:00"), instant("2022-07-18T10:00:00+07:00")],
      ["financial_obligation", instant("2022-07-18T10:00:00+07:00"), undefined],
    ]);
    expect(state.paused).toBe(true);
    expect(state.anomalies).toEqual([]);
  });

  it("an answer and the resolution of one instant: the answer's new due instant counts", () => {
    const body = JSON.parse(readProjectFile("events/dvcqg/status-6-payment.json"));
    Object.assign(body.data[0], { TrangThaiHoSo: "9", NgayKetThucXuLy: "20220718100000" });
    Object.assign(body.data[0].DanhSachHoSoBoSung[0], {
      NgayTiepNhanBoSung: "20220718100000",
      NgayHenTraMoi: "20220720170000",
    });
    const state = projectBodies(body);
    expect(state.kpiDueAt).toBe(instant("2022-07-20T17:00:00+07:00"));
    expect(state.anomalies).toEqual([]);
  });

  it("an undated round later answered at the instant the next round was asked: each pause its own end", () => {
    const waiting = JSON.parse(readProjectFile("events/dvcqg/status-6-payment.json"));
    waiting.data[0].TrangThaiHoSo = "5";
    const [first] = waiting.data[0].DanhSachHoSoBoSung;
    waiting.data[0].DanhSachHoSoBoSung = [first, { ...first, NgayBoSung: "20220718100000" }];
    const dated = structuredClone(waiting);
    dated.data[0].DanhSachHoSoBoSung[0].NgayTiepNhanBoSung = "20220718100000";
    const events = [
      ...convertBody(waiting).events,
      ...convertBody(dated).events,
    ] as unknown as DossierEvent[];
    const state = projectDossier(events[0]?.dossierId as string, events, {
      calendar: WorkingCalendar.official(),
    });
    expect(state.pauses.map((p) => [p.from, p.to])).toEqual([
      [instant("2022-07-14T10:00:00+07:00"), instant("2022-07-18T10:00:00+07:00")],
      [instant("2022-07-18T10:00:00+07:00"), undefined],
    ]);
    expect(state.paused).toBe(true);
  });

  it("an unanswered round a later round follows ends where it began; both count as supplement requests", () => {
    const body = JSON.parse(readProjectFile("events/dvcqg/status-6-payment.json"));
    body.data[0].TrangThaiHoSo = "5";
    const [first] = body.data[0].DanhSachHoSoBoSung;
    body.data[0].DanhSachHoSoBoSung = [first, { ...first, NgayBoSung: "20220720100000" }];
    const out = convertBody(body);
    expect(notePaths(out)).toContain("data[0].DanhSachHoSoBoSung[0].NgayTiepNhanBoSung");
    expect(notePaths(out)).not.toContain("data[0].DanhSachHoSoBoSung[1].NgayTiepNhanBoSung");
    const events = out.events as unknown as DossierEvent[];
    const state = projectDossier(events[0]?.dossierId as string, events, {
      calendar: WorkingCalendar.official(),
    });
    expect(state.supplementRequests).toBe(2);
    expect(state.paused).toBe(true);
    expect(state.pauses.map((p) => [p.from, p.to])).toEqual([
      [instant("2022-07-14T10:00:00+07:00"), instant("2022-07-14T10:00:00+07:00")],
      [instant("2022-07-20T10:00:00+07:00"), undefined],
    ]);
    expect(state.anomalies.map((a) => a.kind)).toEqual(["second_supplement_request"]);
  });

  it("status 4 in a progress item with no pause open changes nothing and flags nothing", () => {
    const received = convert("status-6-payment.json").events.filter(
      (e) => e.type === "dossier.received",
    ) as unknown as DossierEvent[];
    const resumed = convert("progress-resumed.json").events as unknown as DossierEvent[];
    const calendar = WorkingCalendar.official();
    const dossierId = received[0]?.dossierId as string;
    const alone = projectDossier(dossierId, received, { calendar });
    const state = projectDossier(dossierId, [...received, ...resumed], { calendar });
    expect(state.anomalies).toEqual([]);
    expect(state.pauses).toEqual([]);
    expect(state.kpiDueAt).toBe(alone.kpiDueAt);
    // A dated resumption with no pause at all is still an anomaly.
    const dated = { ...resumed[0], eventId: "dated", data: {} } as DossierEvent;
    const flagged = projectDossier(dossierId, [...received, dated], { calendar });
    expect(flagged.anomalies.map((a) => a.kind)).toEqual(["resume_without_pause"]);
  });

  it("a round's dated answer and the progress item's return to 4 end one pause, whichever comes first", () => {
    const open = JSON.parse(readProjectFile("events/dvcqg/status-6-payment.json"));
    const answered = structuredClone(open);
    answered.data[0].TrangThaiHoSo = "4";
    answered.data[0].DanhSachHoSoBoSung[0].NgayTiepNhanBoSung = "20220718100000";
    const snapshots = [
      ...convertBody(open).events,
      ...convertBody(answered).events,
    ] as unknown as DossierEvent[];
    const calendar = WorkingCalendar.official();
    const dossierId = snapshots[0]?.dossierId as string;
    // The return to 4 an hour before the dated answer ends the pause then; an hour after, it is nothing.
    for (const [thoiDiem, end] of [
      ["2022-07-18T09:00:00.000", "2022-07-18T09:00:00+07:00"],
      ["2022-07-18T11:00:00.000", "2022-07-18T10:00:00+07:00"],
    ]) {
      const body = JSON.parse(readProjectFile("events/dvcqg/progress-resumed.json"));
      body.data[0].ThoiDiemXuLy = thoiDiem;
      const progress = convertBody(body).events as unknown as DossierEvent[];
      const state = projectDossier(dossierId, [...progress, ...snapshots], { calendar });
      expect(state.anomalies).toEqual([]);
      expect(state.pauses).toHaveLength(1);
      expect(state.pauses[0]?.to).toBe(instant(end as string));
      expect(state.clockStopped).toBe(false);
    }
  });

  it("a dated answer after the return to 4 gives its new due instant; a second one is an anomaly", () => {
    const open = JSON.parse(readProjectFile("events/dvcqg/status-6-payment.json"));
    const answered = structuredClone(open);
    answered.data[0].TrangThaiHoSo = "4";
    answered.data[0].DanhSachHoSoBoSung[0].NgayTiepNhanBoSung = "20220718100000";
    answered.data[0].DanhSachHoSoBoSung[0].NgayHenTraMoi = "20220801170000";
    const body = JSON.parse(readProjectFile("events/dvcqg/progress-resumed.json"));
    body.data[0].ThoiDiemXuLy = "2022-07-18T09:00:00.000";
    const events = [
      ...convertBody(open).events,
      ...convertBody(answered).events,
      ...convertBody(body).events,
    ] as unknown as DossierEvent[];
    const calendar = WorkingCalendar.official();
    const dossierId = events[0]?.dossierId as string;
    const state = projectDossier(dossierId, events, { calendar });
    expect(state.anomalies).toEqual([]);
    // Ended at the return to 4; the round's new appointment is the due instant, not the moved one.
    expect(state.pauses[0]?.to).toBe(instant("2022-07-18T09:00:00+07:00"));
    expect(state.kpiDueAt).toBe(instant("2022-08-01T17:00:00+07:00"));
    expect(state.appointmentAt).toBe(instant("2022-08-01T17:00:00+07:00"));
    const stray = {
      ...(events.find(
        (e) => e.type === "dossier.supplement_received" && !("ifPaused" in e.data),
      ) as DossierEvent),
      eventId: "stray",
      occurredAt: "2022-07-19T10:00:00+07:00",
    } as DossierEvent;
    const again = projectDossier(dossierId, [...events, stray], { calendar });
    expect(again.anomalies.map((a) => [a.kind, a.eventId])).toEqual([["resume_without_pause", "stray"]]);
  });

  it("a dated answer that gives back the due instants drops the no_calendar its pause's inferred end met", () => {
    // The official calendar has no 2039 or 2040: a pause inferred to end there cannot move the due
    // instants, until the round's answer gives the new one.
    const d = "NO-CAL-1";
    const e = (eventId: string, type: string, occurredAt: string, data: object) =>
      ({ eventId, type, occurredAt, dossierId: d, data }) as DossierEvent;
    const events = [
      e("r", "dossier.received", "2039-12-01T08:00:00+07:00", {
        unitId: "phong-tu-phap",
        procedureCode: "1.001193",
        channel: "direct",
        dueAt: "2039-12-15T17:00:00+07:00",
      }),
      e("p", "dossier.supplement_requested", "2039-12-10T09:00:00+07:00", {}),
      e("i", "dossier.supplement_received", "2040-01-05T09:00:00+07:00", { ifPaused: true }),
    ];
    const calendar = WorkingCalendar.official();
    const inferred = projectDossier(d, events, { calendar });
    expect(inferred.anomalies.map((a) => [a.kind, a.eventId])).toEqual([["no_calendar", "i"]]);
    expect(inferred.kpiDueAt).toBeUndefined();
    const answered = projectDossier(
      d,
      [
        ...events,
        e("a", "dossier.supplement_received", "2040-01-05T10:00:00+07:00", {
          dueAt: "2040-01-20T17:00:00+07:00",
        }),
      ],
      { calendar },
    );
    expect(answered.kpiDueAt).toBe(instant("2040-01-20T17:00:00+07:00"));
    expect(answered.anomalies).toEqual([]);
  });

  it("a return to processing before the receipt or after the close is no anomaly; at a pause's instant it ends it", () => {
    const snapshot = convert("status-6-payment.json").events as unknown as DossierEvent[];
    const [receipt] = snapshot;
    const dossierId = receipt?.dossierId as string;
    const at = (t: string) => {
      const body = JSON.parse(readProjectFile("events/dvcqg/progress-resumed.json"));
      body.data[0].ThoiDiemXuLy = t;
      body.data[0].TrangThai = "2";
      return convertBody(body).events as unknown as DossierEvent[];
    };
    const calendar = WorkingCalendar.official();
    const resolved = {
      eventId: "end",
      type: "dossier.resolved",
      occurredAt: "2022-07-20T10:00:00+07:00",
      dossierId,
      data: { outcome: "approved" },
    } as DossierEvent;
    // Status 2 before the receipt (a sender's clock a little behind); another after the close.
    const state = projectDossier(
      dossierId,
      [...snapshot, ...at("2022-07-11T08:00:00.000"), resolved, ...at("2022-07-21T10:00:00.000")],
      { calendar },
    );
    expect(state.timeline.map((e) => e.type).slice(0, 2)).toEqual([
      "dossier.supplement_received",
      "dossier.received",
    ]);
    expect(state.anomalies).toEqual([]);
    // A dated answer there is still an anomaly.
    const dated = { ...at("2022-07-11T08:00:00.000")[0], eventId: "dated", data: {} } as DossierEvent;
    expect(
      projectDossier(dossierId, [...snapshot, dated], { calendar }).anomalies.map((a) => a.kind),
    ).toEqual(["before_received"]);
    // A pause and a return to 4 at one instant: a pause of no length, a payment's or a supplement's.
    for (const kind of ["6", "5"]) {
      const pausedThen = JSON.parse(readProjectFile("events/dvcqg/progress-blank-department.json"));
      pausedThen.data[0].TrangThai = kind;
      pausedThen.data[0].ThoiDiemXuLy = "2022-07-14T10:00:00.000";
      const tie = projectDossier(
        dossierId,
        [
          receipt as DossierEvent,
          ...(convertBody(pausedThen).events as unknown as DossierEvent[]),
          ...at("2022-07-14T10:00:00.000"),
        ],
        { calendar },
      );
      expect(
        tie.pauses.map((p) => [p.from, p.to]),
        kind,
      ).toEqual([[instant("2022-07-14T10:00:00+07:00"), instant("2022-07-14T10:00:00+07:00")]]);
      expect(tie.clockStopped).toBe(false);
    }
  });

  it("reads a bad hand-over or end date once: one problem each", () => {
    const body = JSON.parse(readProjectFile("events/dvcqg/status-10-refused.json"));
    const first = body.data[0];
    // No end date and no refusal: the no-end-date branch reads the hand-over too.
    delete first.NgayKetThucXuLy;
    delete first.NgayTuChoi;
    first.NgayTra = "2022-13-45";
    const out = convertBody({ ...body, data: [first] });
    expect(paths(out).filter((p) => p === "data[0].NgayTra")).toHaveLength(1);
    const second = structuredClone(body.data[0]);
    second.NgayKetThucXuLy = "not a date";
    second.NgayTuChoi = "20220720160000";
    const refused = convertBody({ ...body, data: [second] });
    expect(paths(refused).filter((p) => p === "data[0].NgayKetThucXuLy")).toHaveLength(1);
  });

  it("a receipt told again: only its appointment, unit, level, digitisation or domain may change", () => {
    const [receipt] = convert("status-6-payment.json").events as unknown as DossierEvent[];
    const r = receipt as Extract<DossierEvent, { type: "dossier.received" }>;
    const told = (e: Partial<typeof r>, data: Partial<typeof r.data> = {}) =>
      ({ ...r, ...e, data: { ...r.data, ...data } }) as DossierEvent;
    expect(retoldReceipt(r, told({}, { dueAt: "2022-07-27T17:00:00+07:00", unitId: "phong-tnmt" }))).toEqual([
      "data.dueAt",
      "data.unitId",
    ]);
    expect(retoldReceipt(r, told({}, { level: "district", digitised: true }))).toEqual([
      "data.digitised",
      "data.level",
    ]);
    // Another date, procedure or channel is not the same receipt; nor is a receipt not the adapter's.
    expect(retoldReceipt(r, told({ occurredAt: "2022-07-12T08:15:00+07:00" }))).toBeUndefined();
    expect(retoldReceipt(r, told({}, { procedureCode: "1.000001" }))).toBeUndefined();
    expect(
      retoldReceipt(r, told({}, { channel: "online", dueAt: "2022-07-27T17:00:00+07:00" })),
    ).toBeUndefined();
    const own = { ...r, eventId: "igate-1" } as DossierEvent;
    expect(
      retoldReceipt(own, { ...own, data: { ...r.data, unitId: "phong-tnmt" } } as DossierEvent),
    ).toBeUndefined();
  });

  it("a second pause while paused is still flagged", () => {
    const payment = convert("status-6-payment.json").events as unknown as DossierEvent[];
    const request = payment.find((e) => e.type === "dossier.supplement_requested") as DossierEvent;
    const later: DossierEvent = { ...request, eventId: "again", occurredAt: "2022-07-15T10:00:00+07:00" };
    const sameKindSameInstant: DossierEvent = { ...request, eventId: `${request.eventId}:again` };
    const calendar = WorkingCalendar.official();
    for (const extra of [later, sameKindSameInstant]) {
      const state = projectDossier(request.dossierId, [...payment, extra], { calendar });
      expect(state.anomalies.map((a) => [a.kind, a.eventId])).toEqual([["already_paused", extra.eventId]]);
    }
  });
});
