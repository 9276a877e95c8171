import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyEvent } from "../../lib/app/apply";
import { readKpiReport } from "../../lib/app/kpis";
import { officialOutputs } from "../../lib/app/official";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { CALENDAR_QUARTER, periodByName } from "../../lib/domain/periods";
import { instant } from "../../lib/domain/time";
import { handleIngest } from "../../lib/http/ingest-api";
import { ROOT } from "../helpers/fixtures";
import { ingestHarness } from "../helpers/ingest-harness";

/**
 * The portal's statuses as a reader of the payload understands them, through POST
 * /integrations/dvcqg and the consumer on DynamoDB Local (events/dvcqg/): a withdrawal request
 * leaves the dossier open, the office's stop closes it, a finished status without its end date is
 * a problem naming the field, a refusal date makes a denied resolution, and the level comes from
 * the unit directory, so form II.06a has no "Cấp chưa xác định" row for these dossiers.
 */

let h: Awaited<ReturnType<typeof ingestHarness>>;

beforeAll(async () => {
  h = await ingestHarness("dvcqgportal", "dvcqg-portal");
});
afterAll(async () => h.table.drop());

const settings = { calendar: WorkingCalendar.official(), scheme: CALENDAR_QUARTER };
const now = () => instant("2022-08-01T09:00:00+07:00");

/** Posts a fixture and applies what reached the bus, in order; the answer's status and body. */
async function postAndApply(name: string) {
  h.published.length = 0;
  const body = readFileSync(join(ROOT, "events/dvcqg", `${name}.json`), "utf8");
  const res = await handleIngest(h.deps(), h.post("/integrations/dvcqg", body));
  for (const p of h.published as { detail: DossierEvent }[])
    await applyEvent({ ...h.table.store, settings, now }, p.detail);
  return { status: res.statusCode, answer: JSON.parse(res.body ?? "{}") as Record<string, unknown> };
}

/** Posts a portal body and applies what reached the bus, in order; the answer's status and body. */
async function postBody(body: unknown) {
  h.published.length = 0;
  const res = await handleIngest(h.deps(), h.post("/integrations/dvcqg", JSON.stringify(body)));
  for (const p of h.published as { detail: DossierEvent }[])
    await applyEvent({ ...h.table.store, settings, now }, p.detail);
  return { status: res.statusCode, answer: JSON.parse(res.body ?? "{}") as Record<string, unknown> };
}

const pathsOf = (list: unknown) => ((list ?? []) as { path: string }[]).map((p) => p.path);

describe("the portal's statuses through the route and the consumer", () => {
  it("7 leaves the dossier open with a note; 8 then closes it as withdrawn", async () => {
    const request = await postAndApply("status-7-withdrawal");
    expect(request.status).toBe(200);
    expect(request.answer).toMatchObject({ accepted: 1, rejected: 0 });
    expect(pathsOf(request.answer.notes)).toEqual(["data[0].TrangThaiHoSo"]);
    const open = await h.table.store.dossiers.get("000.30.32.H48-220711-0104");
    expect(open?.closedAt).toBeUndefined();
    expect(open?.level).toBe("district");

    const stopped = await postAndApply("status-8-stopped");
    expect(stopped.status).toBe(200);
    // The received event is the one already applied: a duplicate, not a second dossier.
    expect(stopped.answer).toMatchObject({ accepted: 1, duplicate: 1, rejected: 0 });
    const { log, dossier } = await h.table.store.dossiers.getWithLog("000.30.32.H48-220711-0104");
    expect(log.map((e) => e.type)).toEqual(["dossier.received", "dossier.withdrawn"]);
    expect(dossier?.closedAt).toBe(instant("2022-07-18T10:00:00+07:00"));
  });

  it("9 or 10 without NgayKetThucXuLy: 207, a rejected item naming the field; 9 stays open, 10 closes at its hand-over", async () => {
    const { status, answer } = await postAndApply("status-9-no-end-date");
    expect(status).toBe(207);
    expect(pathsOf(answer.problems)).toEqual(["data[0].NgayKetThucXuLy", "data[1].NgayKetThucXuLy"]);
    expect(answer.rejected).toBe(2);
    const dossier = await h.table.store.dossiers.get("000.30.32.H48-220711-0301");
    expect(dossier?.received).toBe(true);
    expect(dossier?.closedAt).toBeUndefined();
    // As its problem says: the hand-over (NgayTra) is the resolution's instant.
    const returned = await h.table.store.dossiers.get("000.30.32.H48-220711-0302");
    expect(returned?.closedAt).toBe(instant("2022-07-26T09:00:00+07:00"));
  });

  it("a payment wait (6) ends when a progress item says 4: the stored dossier runs again, its due instant moved", async () => {
    const waiting = await postAndApply("status-6-payment");
    expect(waiting.answer).toMatchObject({ accepted: 2, rejected: 0 });
    const paused = await h.table.store.dossiers.get("000.30.32.H48-220711-0102");
    expect(paused?.paused).toBe(true);
    const resumed = await postAndApply("progress-resumed");
    expect(resumed.status).toBe(200);
    expect(resumed.answer).toMatchObject({ accepted: 1, rejected: 0 });
    const dossier = await h.table.store.dossiers.get("000.30.32.H48-220711-0102");
    expect(dossier?.paused).toBe(false);
    expect(dossier?.anomalies).toEqual([]);
    // Thu 14 10:00 to Mon 18 10:00: two working days, so due two working days after the 25th.
    expect(dossier?.kpiDueAt).toBe(instant("2022-07-27T17:00:00+07:00"));
    expect(dossier?.pausedByKind?.financial_obligation).toBe(16 * 3_600_000);
  });

  it("a snapshot at 4 with an unanswered round: the stored dossier runs and counts overdue, until a later snapshot dates the return", async () => {
    const period = periodByName(CALENDAR_QUARTER, "2022-Q3");
    if (!period) throw new Error("no period 2022-Q3");
    const unit = async () =>
      (await readKpiReport(h.table.store.counters, period, { asOf: now() })).byUnit.find(
        (b) => b.unit === "cn-vpdk-dat-dai",
      );
    const before = await unit();
    const undated = JSON.parse(readFileSync(join(ROOT, "events/dvcqg/status-6-payment.json"), "utf8"));
    undated.data[0].MaHoSo = "000.30.32.H48-220711-0905";
    undated.data[0].TrangThaiHoSo = "4";
    const first = await postBody(undated);
    expect(first.answer).toMatchObject({ accepted: 3, rejected: 0 });
    expect(pathsOf(first.answer.notes)).toContain("data[0].DanhSachHoSoBoSung[0].NgayTiepNhanBoSung");
    const running = await h.table.store.dossiers.get("000.30.32.H48-220711-0905");
    expect(running?.paused).toBe(false);
    expect(running?.kpiDueAt).toBe(instant("2022-07-25T17:00:00+07:00"));
    // On 1 August, a week past its due instant: overdue in the counters, not pending within.
    const late = await unit();
    expect(late?.pending.overdue).toBe((before?.pending.overdue ?? 0) + 1);
    expect(late?.pending.withinDeadline).toBe(before?.pending.withinDeadline ?? 0);

    const dated = structuredClone(undated);
    dated.data[0].DanhSachHoSoBoSung[0].NgayTiepNhanBoSung = "20220718100000";
    dated.data[0].DanhSachHoSoBoSung[0].NgayHenTraMoi = "20220805170000";
    expect((await postBody(dated)).answer).toMatchObject({ accepted: 1, duplicate: 2, rejected: 0 });
    const answered = await h.table.store.dossiers.get("000.30.32.H48-220711-0905");
    expect(answered?.kpiDueAt).toBe(instant("2022-08-05T17:00:00+07:00"));
    expect(answered?.pausedByKind?.supplement).toBe(16 * 3_600_000);
    expect(answered?.anomalies).toEqual([]);
    const within = await unit();
    expect(within?.pending.overdue).toBe(before?.pending.overdue ?? 0);
    expect(within?.pending.withinDeadline).toBe((before?.pending.withinDeadline ?? 0) + 1);
  });

  it("a refusal date makes the stored resolution denied; no refusal date, approved", async () => {
    const { status, answer } = await postAndApply("status-10-refused");
    expect(status).toBe(200);
    expect(answer.rejected).toBe(0);
    const outcomes = [];
    for (const suffix of ["0303", "0304", "0305"]) {
      const { log } = await h.table.store.dossiers.getWithLog(`000.30.32.H48-220711-${suffix}`);
      const resolved = log.find((e) => e.type === "dossier.resolved");
      outcomes.push(resolved?.type === "dossier.resolved" ? resolved.data.outcome : undefined);
    }
    expect(outcomes).toEqual(["denied", "denied", "approved"]);
  });

  it("form II.06a counts these dossiers under the district level of their unit, none level unknown", async () => {
    const period = periodByName(CALENDAR_QUARTER, "2022-Q3");
    if (!period) throw new Error("no period 2022-Q3");
    const { form } = await officialOutputs(
      { ...h.table.store, units: await h.table.store.directory.get(), now },
      period,
    );
    const levels = form.rows.filter((r) => r.kind === "level");
    expect(levels.map((r) => r.level)).toContain("district");
    expect(levels.map((r) => r.level)).not.toContain("(none)");
    expect(levels.map((r) => r.label)).not.toContain("Cấp chưa xác định");
  });

  it("a later snapshot with another appointment and unit is the receipt told again: a duplicate with a note, nothing quarantined", async () => {
    const post = postBody;
    const first = JSON.parse(readFileSync(join(ROOT, "events/dvcqg/status-6-payment.json"), "utf8"));
    first.data[0].MaHoSo = "000.30.32.H48-220711-0904";
    expect((await post(first)).answer).toMatchObject({ accepted: 2, duplicate: 0 });
    const later = structuredClone(first);
    later.data[0].NgayHenTra = "20220727170000";
    later.data[0].DonViXuLy = "phong-tnmt";
    const retold = await post(later);
    expect(retold.status).toBe(200);
    expect(retold.answer).toMatchObject({ accepted: 0, duplicate: 2, rejected: 0 });
    expect(h.published).toEqual([]);
    // Named by the fields the portal sent; the event's paths in the message.
    expect(pathsOf(retold.answer.notes)).toEqual(["data[0].NgayHenTra", "data[0].DonViXuLy"]);
    const dossier = await h.table.store.dossiers.get("000.30.32.H48-220711-0904");
    expect(dossier?.unitId).toBe("cn-vpdk-dat-dai");
    expect((await h.table.store.quarantine.list()).filter((q) => q.dossierId === dossier?.dossierId)).toEqual(
      [],
    );
    // Another receipt date is not the same fact: the consumer keeps it as a conflict.
    const moved = structuredClone(first);
    moved.data[0].NgayTiepNhan = "20220712081500";
    expect((await post(moved)).answer).toMatchObject({ accepted: 1 });
    const quarantined = await h.table.store.quarantine.list();
    expect(quarantined.filter((q) => q.dossierId === dossier?.dossierId).map((q) => q.reason)).toEqual([
      expect.stringMatching(/^conflict/),
    ]);
  });

  it("takes a full request of 100 progress items with a department and status 4: 200 events, not 413", async () => {
    h.published.length = 0;
    const body = JSON.stringify({
      service: "CapNhatTienDoHoSoMC",
      madonvi: "000.30.32.H48",
      data: Array.from({ length: 100 }, (_, i) => ({
        MaHoSo: `000.30.32.H48-220711-1${String(i).padStart(3, "0")}`,
        ThoiDiemXuLy: "20220712100000",
        PhongBanXuLy: "phong-tnmt",
        TrangThai: "4",
      })),
    });
    const res = await handleIngest(h.deps(), h.post("/integrations/dvcqg", body));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body ?? "{}")).toMatchObject({ accepted: 200, rejected: 0 });
  });

  it("names a refused snapshot's fields as the portal sent them: the unit, a round's date", async () => {
    h.published.length = 0;
    const body = JSON.parse(readFileSync(join(ROOT, "events/dvcqg/status-6-payment.json"), "utf8"));
    body.data[0].MaHoSo = "000.30.32.H48-220711-0903";
    body.data[0].DonViXuLy = "khong-co-trong-danh-ba";
    body.data[0].DanhSachHoSoBoSung[0].NgayBoSung = "20990714100000";
    const res = await handleIngest(h.deps(), h.post("/integrations/dvcqg", JSON.stringify(body)));
    const answer = JSON.parse(res.body ?? "{}") as {
      results: { status: string; problems?: { path: string; message: string }[] }[];
    };
    expect(res.statusCode).toBe(400);
    expect(answer.results.map((r) => [r.status, pathsOf(r.problems)])).toEqual([
      ["rejected", ["data[0].DonViXuLy"]],
      ["rejected", ["data[0].DanhSachHoSoBoSung[0].NgayBoSung"]],
    ]);
    expect(answer.results[0]?.problems?.[0]?.message).toMatch(/\(event field data\.unitId\)$/);
  });

  it("answers each event with the item of data it came from, and hashes a department's name into its id", async () => {
    h.published.length = 0;
    const transfer = (dossier: string, department: string) => ({
      MaHoSo: dossier,
      ThoiDiemXuLy: "20220712100000",
      PhongBanXuLy: department,
      TrangThai: "4",
    });
    const body = JSON.stringify({
      service: "CapNhatTienDoHoSoMC",
      madonvi: "000.30.32.H48",
      data: [
        { ThoiDiemXuLy: "20220712100000" },
        transfer("000.30.32.H48-220711-0901", "phong-tnmt"),
        transfer("000.30.32.H48-220711-0902", "Phòng Tư pháp"),
      ],
    });
    const res = await handleIngest(h.deps(), h.post("/integrations/dvcqg", body));
    const answer = JSON.parse(res.body ?? "{}") as {
      results: {
        index: number;
        item: number;
        status: string;
        problems?: { path: string; message: string }[];
      }[];
      problems: { path: string }[];
    };
    expect(res.statusCode).toBe(207);
    // data[0] made no event (its problem names it); data[1] and data[2] two each: the transfer,
    // and the return to processing (status 4) that ends a pause if one is open.
    expect(pathsOf(answer.problems)).toEqual(["data[0].MaHoSo"]);
    expect(answer.results.map((r) => [r.index, r.item, r.status])).toEqual([
      [0, 1, "accepted"],
      [1, 1, "accepted"],
      [2, 2, "rejected"],
      [3, 2, "accepted"],
    ]);
    // Refused for the unit the directory does not have, not for an id its sender never sent, and
    // named by the field the portal sent (the event's path kept in the message).
    expect(pathsOf(answer.results[2]?.problems)).toEqual(["data[2].PhongBanXuLy"]);
    const refused = answer.results[2]?.problems ?? [];
    expect(refused[0]?.message).toMatch(/\(event field data\.toUnitId\)$/);
  });
});
