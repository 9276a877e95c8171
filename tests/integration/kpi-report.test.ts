import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, inject, it } from "vitest";
import { readSesStore } from "../../dev/local/ses-local";
import { provinceEvents } from "../../dev/province/events";
import { issuedKey, weeklySendKey } from "../../lib/adapters/dynamodb/keys";
import { type ApplyDeps, applyEvent } from "../../lib/app/apply";
import { CLOSE_SEND_DAYS, closeEndedPeriod } from "../../lib/app/kpi-report";
import { sendWeeklyKpi } from "../../lib/app/weekly-kpi";
import { parseDirectoryFile } from "../../lib/domain/agency-directory";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { CountingSettings } from "../../lib/domain/counting";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { computeReport } from "../../lib/domain/report";
import { formatInstant, instant } from "../../lib/domain/time";
import { parseUnitDirectory, UnitDirectory } from "../../lib/domain/units";
import { createApiKey } from "../../lib/http/auth";
import { handleQuery } from "../../lib/http/query-api";
import { apiGet } from "../helpers/api";
import { testTable } from "../helpers/dynamo";
import { ROOT } from "../helpers/fixtures";
import { kpiSendDeps } from "../helpers/kpi-deps";

const file = parseUnitDirectory(JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")));
const units = new UnitDirectory(file.units, file.leadership);

let readerKey = "";

const get = (path: string, query: Record<string, string> = {}) => apiGet(path, query, readerKey);

const settings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  scheme: { kind: "calendar-quarter" },
};

/** KPI-email dependencies on a test table (see kpiSendDeps). */
const sendDeps = (table: Awaited<ReturnType<typeof testTable>>, now: () => number, tag: string) =>
  kpiSendDeps(table.store, settings, units, now, tag);

describe("closed periods", () => {
  it("show an amendment when a later event resolves one of their dossiers earlier", async () => {
    const table = await testTable("amend");
    readerKey = await createApiKey(table.store, {
      name: "dashboard",
      role: "reader",
      source: "dashboard",
      ratePerSecond: 20,
    });
    await table.store.directory.put(file.units, file.leadership);
    let now = instant("2022-10-01T00:30:00+07:00");
    const deps = sendDeps(table, () => now, "amend");
    const applyDeps: ApplyDeps = { ...table.store, settings, units, now: () => now };
    for (let i = 0; i < 3; i++) {
      await applyEvent(applyDeps, {
        eventId: `r${i}`,
        type: "dossier.received",
        occurredAt: "2022-09-05T08:00:00+07:00",
        dossierId: `A-${i}`,
        data: { unitId: "phong-tu-phap", procedureCode: "1.001193", channel: "direct", processingDays: 5 },
      });
    }
    expect((await closeEndedPeriod(deps))?.period).toBe("2022-Q3");
    now = instant("2022-10-03T09:00:00+07:00");
    // A back-filled resolution from September arrives after the close.
    await applyEvent(applyDeps, {
      eventId: "late-1",
      type: "dossier.resolved",
      occurredAt: "2022-09-09T10:00:00+07:00",
      dossierId: "A-1",
      data: { outcome: "approved" },
    });
    // And a rating from September: 5.4 and the satisfaction rate move with it.
    await applyEvent(applyDeps, {
      eventId: "late-2",
      type: "dossier.rated",
      occurredAt: "2022-09-20T10:00:00+07:00",
      dossierId: "A-1",
      data: { score: 5 },
    });
    const api = await handleQuery(deps, get("/kpis", { period: "2022-Q3" }));
    const report = JSON.parse(api.body ?? "");
    expect(report.issued.amended).toBe(true);
    expect(report.issued.changes).toEqual(
      expect.arrayContaining([
        { field: "resolved.total", before: 0, after: 1 },
        { field: "pending.total", before: 3, after: 2 },
        { field: "ratings.total", before: 0, after: 1 },
        { field: "ratings.satisfied", before: 0, after: 1 },
      ]),
    );
    await table.drop();
  }, 60_000);
});

describe("a province's issued report", () => {
  it("is frozen and read back whole: about 600 KB of JSON for a thousand units, over DynamoDB's 400 KB item", async () => {
    const table = await testTable("issued-province");
    const directory = parseDirectoryFile(
      JSON.parse(readFileSync(join(ROOT, "events/units/province-sample.json"), "utf8")),
      "2025-09-22",
    );
    const period = { name: "2025-Q3", from: "2025-07-01", to: "2025-09-30" };
    const events = provinceEvents({ directory, seed: 23, from: period.from, to: period.to, dossiers: 8_000 });
    const report = computeReport(events, settings, { period, asOf: instant("2025-10-01T00:30:00+07:00") });
    expect(report.byUnit.length).toBeGreaterThan(1_000);
    expect(Buffer.byteLength(JSON.stringify(report))).toBeGreaterThan(400 * 1024);
    const at = instant("2025-10-01T00:30:00+07:00");
    expect(await table.store.reports.putIssued(period.name, report, at)).toBe(true);
    expect(await table.store.reports.putIssued(period.name, report, at + 1)).toBe(false);
    expect(await table.store.reports.getIssued(period.name)).toEqual({ issuedAt: at, report });
    // A weekly snapshot is kept the same way.
    await table.store.reports.putSnapshot(period.name, 86_400_000, report);
    expect((await table.store.reports.snapshotAt(period.name, 2 * 86_400_000))?.report).toEqual(report);
  });

  it("is still read as it was kept before it was compressed (JSON text)", async () => {
    const table = await testTable("issued-text");
    const report = { rolling: false, totals: { received: 1 } };
    await table.store.client.send(
      new PutCommand({
        TableName: table.store.tableName,
        Item: { ...issuedKey("2022-Q3"), issuedAt: 5, report: JSON.stringify(report) },
      }),
    );
    expect(await table.store.reports.getIssued("2022-Q3")).toEqual({ issuedAt: 5, report });
  });
});

describe("the close email", () => {
  it("goes once per language, and still goes after SES failed once (the period frozen all the same)", async () => {
    const table = await testTable("close-retry");
    const adviser = { name: "Adviser", email: "adviser@ubnd.example.org", locale: "en" as const };
    const withEnglish = new UnitDirectory(file.units, [...file.leadership, adviser]);
    let now = instant("2022-10-01T00:30:00+07:00");
    const base = kpiSendDeps(table.store, settings, withEnglish, () => now, "close-retry");
    let failing = true;
    const deps = {
      ...base,
      mailer: {
        send: async (m: Parameters<typeof base.mailer.send>[0]) => {
          if (failing && m.to.includes("chu-tich@ubnd.example.org")) throw new Error("SES: Throttling");
          return base.mailer.send(m);
        },
      },
    };
    await applyEvent(
      { ...table.store, settings, units: withEnglish, now: () => now },
      {
        eventId: "c-1",
        type: "dossier.received",
        occurredAt: "2022-09-05T08:00:00+07:00",
        dossierId: "C-1",
        data: { unitId: "phong-tu-phap", procedureCode: "1.001193", channel: "direct", processingDays: 5 },
      },
    );
    // The Vietnamese email fails; the English one goes all the same, and the run fails.
    await expect(closeEndedPeriod(deps)).rejects.toThrow("SES: Throttling");
    expect(await table.store.reports.getIssued("2022-Q3")).toBeDefined();
    failing = false;
    // The retry (Lambda's, or the next day's run) sends what was not sent, and only that.
    expect(await closeEndedPeriod(deps)).toMatchObject({ period: "2022-Q3", sent: ["vi"], alreadySent: 1 });
    expect(await closeEndedPeriod(deps)).toMatchObject({ period: "2022-Q3", sent: [], alreadySent: 2 });
    const mail = (await readSesStore(inject("sesEndpoint"))).filter((m) => m.from === base.from);
    expect(mail.map((m) => m.destination.to)).toEqual([
      ["adviser@ubnd.example.org"],
      ["chu-tich@ubnd.example.org", "pho-chu-tich@ubnd.example.org"],
    ]);
    expect(mail[0]?.subject).toMatch(/^\[KPI report/);
    expect(mail[1]?.subject).toMatch(/^\[Báo cáo KPI — chốt kỳ\]/);
    // A week after the freeze the close is done: nothing is sent, nor tried again.
    now += (CLOSE_SEND_DAYS + 1) * 86_400_000;
    await table.doc.send(
      new DeleteCommand({
        TableName: table.tableName,
        Key: weeklySendKey({ week: "close:2022-Q3", locale: "en", agency: "" }),
      }),
    );
    expect(await closeEndedPeriod(deps)).toBeUndefined();
    await table.drop();
  }, 60_000);

  it("does not close a period nothing was counted in (the first night after a deployment), and closes it once it holds a dossier", async () => {
    const table = await testTable("close-empty");
    const now = instant("2022-10-01T00:30:00+07:00");
    const deps = kpiSendDeps(table.store, settings, units, () => now, "close-empty");
    expect(await closeEndedPeriod(deps)).toEqual({
      period: "2022-Q3",
      sent: [],
      alreadySent: 0,
      empty: true,
    });
    expect(await table.store.reports.getIssued("2022-Q3")).toBeUndefined();
    const sent = async () =>
      (await readSesStore(inject("sesEndpoint"))).filter((m) => m.from === deps.from).length;
    expect(await sent()).toBe(0);
    // The office's history imported: the next night closes the period and sends its email.
    await applyEvent(
      { ...table.store, settings, units, now: () => now },
      {
        eventId: "e-1",
        type: "dossier.received",
        occurredAt: "2022-09-05T08:00:00+07:00",
        dossierId: "E-1",
        data: { unitId: "phong-tu-phap", procedureCode: "1.001193", channel: "direct", processingDays: 5 },
      },
    );
    expect(await closeEndedPeriod(deps)).toMatchObject({ period: "2022-Q3", sent: ["vi"] });
    expect((await table.store.reports.getIssued("2022-Q3"))?.report).toMatchObject({
      received: { total: 1 },
    });
    expect(await sent()).toBe(1);
    await table.drop();
  }, 60_000);

  it("compares with the previous period as it ended, not with its last Monday's snapshot", async () => {
    const table = await testTable("close-previous");
    await table.store.directory.put(file.units, file.leadership);
    // 2025-06-30 is a Monday: Q2's last weekly snapshot, 1.7 days before Q3's length into Q2.
    let now = instant("2025-06-30T07:30:00+07:00");
    const deps = sendDeps(table, () => now, "close-previous");
    const apply = (e: DossierEvent) => applyEvent({ ...table.store, settings, units, now: () => now }, e);
    const received = (id: string, at: string): DossierEvent => ({
      eventId: `${id}-r`,
      type: "dossier.received",
      occurredAt: at,
      dossierId: id,
      data: { unitId: "phong-tu-phap", procedureCode: "1.001193", channel: "direct", processingDays: 5 },
    });
    await apply(received("P-1", "2025-06-23T08:00:00+07:00"));
    expect((await sendWeeklyKpi(deps))?.period).toBe("2025-Q2");
    // After the snapshot, Q2 receives one more dossier: its final figures are 2, the snapshot's 1.
    now = instant("2025-06-30T10:00:00+07:00");
    await apply(received("P-2", "2025-06-30T09:00:00+07:00"));
    now = instant("2025-07-07T09:00:00+07:00");
    await apply(received("P-3", "2025-07-07T08:00:00+07:00"));
    now = instant("2025-10-01T00:30:00+07:00");
    expect((await closeEndedPeriod(deps))?.period).toBe("2025-Q3");
    const [, close] = (await readSesStore(inject("sesEndpoint"))).filter((m) => m.from === deps.from);
    expect(close?.subject).toMatch(/chốt kỳ/);
    expect(close?.body.html).toContain("Kỳ trước Quý II/2025");
    expect(close?.body.html).not.toContain("cùng thời điểm");
    await table.drop();
  }, 60_000);

  it("takes back only its own claim of an email: never a mark another run sent after taking the claim over", async () => {
    const table = await testTable("weekly-marks");
    const marks = table.store.weeklySends;
    const send = { week: "2026-11-30", locale: "vi" as const, agency: "tinh" };
    const first = 1_000_000;
    expect(await marks.claim(send, first, 120_000)).toBe(true);
    // Its lease passes; another run takes the email over and sends it.
    expect(await marks.claim(send, first + 60_000, 120_000)).toBe(false);
    const second = first + 130_000;
    expect(await marks.claim(send, second, 120_000)).toBe(true);
    await marks.sent(send, "msg-2", second + 1_000);
    // The first run fails late and takes back its claim: the mark stays.
    await marks.release(send, first);
    expect(await marks.claim(send, second + 400_000, 120_000)).toBe(false);
    // A run's own unsent claim is taken back, so the retry may send it.
    const other = { ...send, locale: "en" as const };
    expect(await marks.claim(other, first, 120_000)).toBe(true);
    await marks.release(other, first);
    expect(await marks.claim(other, first + 1_000, 120_000)).toBe(true);
    // A claim renewed just before its email is sent (the build took 100 s) holds from then on:
    // no other run takes it over past its first lease, and the sent-mark keeps it.
    const slow = { ...send, agency: "so-tp" };
    expect(await marks.claim(slow, first, 120_000)).toBe(true);
    expect(await marks.renew(slow, first, first + 100_000, 120_000)).toBe(true);
    expect(await marks.claim(slow, first + 130_000, 120_000)).toBe(false);
    // A run whose claim another run took over (its lease passed) may not renew it, nor send.
    expect(await marks.claim(slow, first + 230_000, 120_000)).toBe(true);
    expect(await marks.renew(slow, first, first + 240_000, 120_000)).toBe(false);
    await marks.sent(slow, "msg-3", first + 241_000);
    expect(await marks.renew(slow, first + 230_000, first + 242_000, 120_000)).toBe(false);
    await table.drop();
  });
});

describe("the query API", () => {
  it("answers bad parameters with 400 naming them, unknown things with 404, and lists dossiers by SLA state", async () => {
    const table = await testTable("api");
    readerKey = await createApiKey(table.store, {
      name: "dashboard",
      role: "reader",
      source: "dashboard",
      ratePerSecond: 20,
    });
    const now = instant("2022-07-12T09:00:00+07:00");
    const deps = {
      ...table.store,
      calendar: settings.calendar,
      scheme: settings.scheme,
      units,
      now: () => now,
    };
    await applyEvent(
      { ...table.store, settings, units, now: () => now },
      {
        eventId: "r1",
        type: "dossier.received",
        occurredAt: "2022-07-04T08:00:00+07:00",
        dossierId: "Q-1",
        data: { unitId: "phong-tnmt", procedureCode: "1.001990", channel: "direct", processingDays: 3 },
      },
    );
    expect((await handleQuery(deps, get("/kpis/export", { format: "pdf" }))).statusCode).toBe(400);
    const bad = await handleQuery(deps, get("/dossiers", { unit: "phong-tnmt", sla: "late" }));
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body ?? "").problems[0].path).toBe("sla");
    expect((await handleQuery(deps, get("/kpis", { period: "2022-Q9" }))).statusCode).toBe(404);
    expect((await handleQuery(deps, get("/dossiers/nope"))).statusCode).toBe(404);
    const list = JSON.parse(
      (await handleQuery(deps, get("/dossiers", { unit: "phong-tnmt", sla: "overdue" }))).body ?? "",
    );
    expect(list.items.map((d: { dossierId: string }) => d.dossierId)).toEqual(["Q-1"]);
    const one = JSON.parse((await handleQuery(deps, get("/dossiers/Q-1"))).body ?? "");
    expect(one.state.kpiDueAt).toBe("2022-07-07T17:00:00+07:00");
    expect(one.timeline).toHaveLength(1);
    await table.drop();
  }, 60_000);
});

/**
 * Two weekly KPI emails for a table with the sample units and one dossier received a week before
 * `first`: at `first`, then at `second`. Returns the two emails as SES local stored them.
 */
async function twoWeeklyEmails(tag: string, first: string, second: string) {
  const table = await testTable(tag);
  await table.store.directory.put(file.units, file.leadership);
  let now = instant(first);
  const deps = sendDeps(table, () => now, tag);
  await applyEvent(
    { ...table.store, settings, units, now: () => now },
    {
      eventId: `${tag}-1`,
      type: "dossier.received",
      occurredAt: formatInstant(now - 7 * 86_400_000),
      dossierId: `${tag}-1`,
      data: { unitId: "phong-vhtt", procedureCode: "1.001029", channel: "online", processingDays: 5 },
    },
  );
  const periods = [(await sendWeeklyKpi(deps))?.period];
  now = instant(second);
  periods.push((await sendWeeklyKpi(deps))?.period);
  const mails = (await readSesStore(inject("sesEndpoint"))).filter((m) => m.from === deps.from);
  await table.drop();
  return { mails, periods };
}

describe("weekly email", () => {
  it("keeps a snapshot so the next period shows the same point beside it", async () => {
    const { mails, periods } = await twoWeeklyEmails(
      "weekly",
      "2022-07-11T07:30:00+07:00",
      "2022-10-11T07:30:00+07:00",
    );
    expect(periods).toEqual(["2022-Q3", "2022-Q4"]);
    expect(mails).toHaveLength(2);
    expect(mails[1]?.body.html).toContain("Quý III/2022 (cùng thời điểm)");
    // It leads with the national index (the previous period's beside it, from the snapshot), then the form.
    const html = mails[1]?.body.html ?? "";
    const at = (s: string) => html.indexOf(s);
    expect(at("Chỉ số phục vụ người dân, doanh nghiệp")).toBeGreaterThan(0);
    expect(at("Chỉ số phục vụ người dân, doanh nghiệp")).toBeLessThan(at("Biểu số II.06a/VPCP/KSTT"));
    expect(at("Biểu số II.06a/VPCP/KSTT")).toBeLessThan(at("Tổng hồ sơ tiếp nhận"));
    expect(html).toContain("Kỳ trước Quý III/2022 (cùng thời điểm)");
    expect(mails[1]?.body.text).toContain("- 2.1 Tiến độ giải quyết (đúng hạn, trong hạn): ");
    // Trend lines as inline PNG parts of the message, each named by the HTML's `cid:`: the first
    // period's indicators have figures; the second one's have none yet, so no line to draw.
    for (const [n, mail] of mails.entries()) {
      const body = mail.body.html ?? "";
      expect(body).not.toMatch(/<svg|<script/);
      const images = [...body.matchAll(/<img src="([^"]*)"/g)].map((m) => m[1] ?? "");
      if (n === 0) expect(images.length).toBeGreaterThan(0);
      for (const src of images) expect(src).toMatch(/^cid:/);
      const pngs = mail.attachments.filter((a) => a.related && a.contentType === "image/png");
      expect(pngs.map((a) => `cid:${a.cid}`).sort()).toEqual([...images].sort());
    }
  }, 60_000);

  it("warns leadership when the coming year has no working-day calendar yet", async () => {
    const { mails } = await twoWeeklyEmails(
      "calendar",
      "2026-08-03T07:30:00+07:00",
      "2026-11-30T07:30:00+07:00",
    );
    expect(mails).toHaveLength(2);
    const warning = "Chưa có lịch ngày nghỉ, ngày làm bù năm 2027 (còn 31 ngày)";
    expect(mails[0]?.body.html).not.toContain("năm 2027");
    expect(mails[1]?.body.html).toContain(warning);
    expect(mails[1]?.body.text).toContain(warning);
  }, 60_000);
});
