import { describe, expect, it } from "vitest";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { validateEvent } from "../../lib/domain/events/validate";
import { projectDossier } from "../../lib/domain/projection";
import { instant } from "../../lib/domain/time";
import { dvcqgToEvents } from "../../lib/http/dvcqg";
import { type Converted, parseDvcqgDate } from "../../lib/http/dvcqg-fields";
import { readProjectFile } from "../helpers/fixtures";

/** A fixture of events/dvcqg/ through the adapter: what it made, checked against the contract. */
function convert(name: string): Converted {
  const out = dvcqgToEvents(JSON.parse(readProjectFile(`events/dvcqg/${name}`)));
  if ("error" in out) throw new Error(JSON.stringify(out.error));
  for (const e of out.events)
    expect(validateEvent(e, { now: instant("2030-01-01T00:00:00Z") }).ok).toBe(true);
  // The applicant's details never leave the adapter.
  for (const personal of ["Nguyễn Văn A", "0900000000", "nguoi-nop@example.org", "Trần Thị B"])
    expect(JSON.stringify(out)).not.toContain(personal);
  return out;
}

const facts = (out: Converted) =>
  out.events.map((e) => ({ type: e.type, occurredAt: e.occurredAt, data: e.data }));
const paths = (out: Converted) => out.problems.map((p) => p.path);

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

  it("status 7 (the applicant asked to withdraw): withdrawn at the end date", () => {
    const out = convert("status-7-withdrawal.json");
    expect(out.problems).toEqual([]);
    expect(facts(out).map((e) => [e.type, e.occurredAt])).toEqual([
      ["dossier.received", "2022-07-11T08:15:00+07:00"],
      ["dossier.withdrawn", "2022-07-15T14:30:00+07:00"],
    ]);
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

  it("the same snapshot twice gives the same event ids", () => {
    for (const name of ["status-6-payment.json", "iso-dates.json", "bad-fields.json"]) {
      const ids = (o: Converted) => o.events.map((e) => e.eventId);
      expect(ids(convert(name))).toEqual(ids(convert(name)));
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
});
