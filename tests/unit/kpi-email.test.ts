import type { SESv2Client, SendEmailCommand, SendEmailCommandInput } from "@aws-sdk/client-sesv2";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { sesMailer } from "../../lib/adapters/ses";
import { type KpiEmail, sendFailures, sendKpiEmail } from "../../lib/app/kpi-report";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { parseOfficeHours } from "../../lib/domain/calendar/calendar-data";
import { DossierEventSchema } from "../../lib/domain/events/schema";
import { buildForm } from "../../lib/domain/official/form";
import { buildIndex } from "../../lib/domain/official/index766";
import { DEFAULT_OFFICIAL_SETTINGS } from "../../lib/domain/official/settings";
import { explicitPeriod } from "../../lib/domain/periods";
import { NONE_COUNTED, type PendingAlert } from "../../lib/domain/records";
import { computeReportAndCounts, type Report } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { renderDigest } from "../../lib/render/email/digest";
import { type KpiEmailInput, renderKpiEmail } from "../../lib/render/email/kpi";
import { indexText } from "../../lib/render/index-text";
import { loadSamples } from "../helpers/fixtures";

/**
 * The leadership email's trend lines: one PNG per computed indicator, shown by `cid:`
 * and sent as an inline part under that Content-ID, with the figures in its alt text and the text
 * part. What is sent is read where it leaves the adapter: the SES request's simple content.
 */

const settings = { calendar: WorkingCalendar.official() };
const period = explicitPeriod("2022-04-01", "2022-06-30", "2022-Q2");
const samples = loadSamples();
const events = ["dossier.received", "dossier.resolved", "dossier.complaint_received"].map((t) =>
  DossierEventSchema.parse(samples.get(t)),
);
const targets = { "2.1": 0.95 } as const;
const at = (asOf: string) => {
  const { report, counts } = computeReportAndCounts(events, settings, { period, asOf: instant(asOf) });
  return { report, counts, index: buildIndex(counts, { period, asOf: instant(asOf), targets }) };
};

/** A weekly KPI email of a report with nothing else to say, unless `more` gives it. */
const weekly = (report: Report, more: Partial<KpiEmailInput> = {}) =>
  renderKpiEmail({
    locale: "vi",
    kind: "weekly",
    report,
    unitNames: new Map(),
    longestOverdue: [],
    quality: { orphans: NONE_COUNTED, possiblyClosed: 0, quarantined: NONE_COUNTED },
    ...more,
  });

function email(locale: "vi" | "en", firstLabel = "11/04"): ReturnType<typeof renderKpiEmail> {
  const now = at("2022-07-01T00:00:00+07:00");
  return renderKpiEmail({
    locale,
    kind: "close",
    report: now.report,
    unitNames: new Map(),
    longestOverdue: [],
    quality: { orphans: NONE_COUNTED, possiblyClosed: 0, quarantined: NONE_COUNTED },
    official: {
      locale,
      index: now.index,
      trend: [
        { label: firstLabel, index: at("2022-04-11T08:00:00+07:00").index },
        { label: "16/05", index: at("2022-05-16T08:00:00+07:00").index },
        { label: locale === "vi" ? "hiện tại" : "now", index: now.index },
      ],
      form: buildForm(now.counts, {
        period,
        asOf: instant("2022-07-01T00:00:00+07:00"),
        settings: DEFAULT_OFFICIAL_SETTINGS,
      }),
    },
  });
}

describe("names, never codes", () => {
  const catalog = {
    procedures: new Map([
      [
        "1.001234",
        { code: "1.001234", vi: "Cấp phép lưu hành xe", en: "Vehicle permit", domain: "giao-thong", days: 5 },
      ],
    ]),
    domains: { "giao-thong": { vi: "Giao thông vận tải", en: "Transport" } },
  };
  const overdue = {
    dossierId: "HS-4",
    unitId: "phong-tu-phap",
    unitName: "Phòng Tư pháp",
    procedureCode: "1.001234",
    procedureName: { vi: "Cấp phép lưu hành xe", en: "Vehicle permit" },
    domain: "giao-thong",
    domainName: { vi: "Giao thông vận tải", en: "Transport" },
    kpiDueAt: instant("2022-06-20T17:00:00+07:00"),
    overdueWorkingDays: 8,
  };

  it("the KPI email's longest overdue: the unit, procedure and domain named in the email's language", () => {
    const now = at("2022-07-01T00:00:00+07:00");
    const base = email("en");
    expect(base.html).not.toContain("HS-4");
    const en = renderKpiEmail({
      locale: "en",
      kind: "weekly",
      report: now.report,
      unitNames: new Map([["phong-tu-phap", "Justice Office"]]),
      longestOverdue: [overdue],
      quality: { orphans: NONE_COUNTED, possiblyClosed: 0, quarantined: NONE_COUNTED },
    });
    expect(en.html).toContain("Justice Office");
    expect(en.html).toContain("Vehicle permit (1.001234)");
    expect(en.html).toContain("Transport");
    expect(en.html).not.toContain("Phòng Tư pháp");
    // Due in a year without calendar data (docs/rules.md R6): its working days unknown, the line kept.
    const unknown = renderKpiEmail({
      locale: "vi",
      kind: "weekly",
      report: now.report,
      unitNames: new Map(),
      longestOverdue: [{ ...overdue, overdueWorkingDays: null }],
      quality: { orphans: NONE_COUNTED, possiblyClosed: 0, quarantined: NONE_COUNTED },
    });
    expect(unknown.text).toMatch(/- HS-4 \| [^\n]* \| Quá hạn \(ngày làm việc\): —/);
  });

  it("says a data-quality count read up to its bound is the least there are", () => {
    const { report } = at("2022-07-01T00:00:00+07:00");
    const bounded = { count: 10_000, atLeast: true };
    const quality = { orphans: bounded, possiblyClosed: 0, quarantined: { count: 37, atLeast: false } };
    const vi = weekly(report, { quality });
    expect(vi.text).toContain("Ít nhất 10.000 hồ sơ có sự kiện nhưng chưa có sự kiện tiếp nhận");
    expect(vi.text).toContain("37 sự kiện chưa áp dụng được");
    expect(vi.html).toContain("Ít nhất 10.000 hồ sơ có sự kiện");
    const en = weekly(report, { locale: "en", quality: { ...quality, quarantined: bounded } });
    expect(en.text).toContain("At least 10,000 events could not be applied");
    // Some left unread, none of those read waiting: still said, as the least there are.
    const none = weekly(report, { quality: { ...quality, quarantined: { count: 0, atLeast: true } } });
    expect(none.text).toContain("Ít nhất 0 sự kiện chưa áp dụng được");
  });

  it("an amendment names its figures in the email's language, not by the report's field names", () => {
    const now = at("2022-07-01T00:00:00+07:00");
    const amended = (locale: "vi" | "en") =>
      renderKpiEmail({
        locale,
        kind: "weekly",
        report: now.report,
        unitNames: new Map(),
        longestOverdue: [],
        quality: { orphans: NONE_COUNTED, possiblyClosed: 0, quarantined: NONE_COUNTED },
        amendment: {
          issuedAt: instant("2022-07-01T00:30:00+07:00"),
          changes: [{ field: "resolved.late", before: 1200, after: 1234 }],
        },
      });
    expect(amended("vi").text).toContain("Đã giải quyết, trễ hạn: 1.200 → 1.234");
    // Dates as Vietnamese write them, in the email and in the index's text.
    expect(amended("vi").text).toContain("Kỳ báo cáo 01/04/2022 – 30/06/2022");
    expect(indexText(now.index, "vi")).toMatch(
      /kỳ Quý II\/2022 \(01\/04\/2022 – 30\/06\/2022\), số liệu tính đến 30\/06\/2022 23:59/,
    );
    expect(amended("en").text).toContain("Resolved, late: 1,200 → 1,234");
    expect(amended("en").html).not.toContain("resolved.late");
    // Form II.06a's figures grouped as the rest of the email.
    const withForm = (locale: "vi" | "en") =>
      renderKpiEmail({
        locale,
        kind: "weekly",
        report: now.report,
        unitNames: new Map(),
        longestOverdue: [],
        quality: { orphans: NONE_COUNTED, possiblyClosed: 0, quarantined: NONE_COUNTED },
        official: {
          locale,
          index: now.index,
          trend: [],
          form: {
            ...buildForm(now.counts, {
              period,
              asOf: instant("2022-07-01T00:00:00+07:00"),
              settings: DEFAULT_OFFICIAL_SETTINGS,
            }),
            rows: [{ kind: "total", stt: "", label: "T", values: { receivedTotal: 1234 } }] as never,
          },
        },
      }).html;
    expect(withForm("en")).toContain(">1,234<");
    expect(withForm("vi")).toContain(">1.234<");
  });

  it("the index says what its computed figures rest on: in the text, and under the email's table", () => {
    const now = at("2022-07-01T00:00:00+07:00");
    const online = now.index.indicators.find((i) => i.id === "3.3");
    expect(online?.rate).not.toBeNull();
    const text = indexText(now.index, "vi");
    expect(text).toContain(
      "Ghi chú:\n- 2.1: Hồ sơ chưa hoàn thành đã yêu cầu bổ sung hơn 01 lần tính quá hạn",
    );
    expect(text).toContain("- 3.3: Tỷ lệ đồng bộ (1.4) lấy bằng 1");
    expect(indexText(now.index, "en")).toContain("- 3.3: The sync rate (1.4) is taken as 1");
    // An indicator not computed says why on its own line, and has no note.
    expect(text).not.toMatch(/- 2\.2: /);
    const email = (locale: "vi" | "en") =>
      weekly(now.report, { locale, official: { locale, index: now.index, trend: [] } });
    expect(email("vi").html).toContain("<li>3.3: Tỷ lệ đồng bộ (1.4) lấy bằng 1");
    expect(email("vi").text).toContain("Ghi chú:\n  2.1: ");
    expect(email("en").text).toContain("  3.3: The sync rate (1.4) is taken as 1");
  });

  it("the digest: the deployment's catalog names the procedure and domain", () => {
    const alert = {
      unitId: "phong-tu-phap",
      kind: "overdue",
      key: 1,
      dossier: {
        dossierId: "HS-4",
        procedureCode: "1.001234",
        domain: "giao-thong",
        kpiDueAt: instant("2022-07-01T17:00:00+07:00"),
      },
    } as unknown as PendingAlert;
    const digest = (locale: "vi" | "en") =>
      renderDigest({
        locale,
        unitName: "Phòng Tư pháp",
        alerts: [alert],
        now: instant("2022-07-04T08:00:00+07:00"),
        calendar: WorkingCalendar.official(),
        catalog,
      }).text;
    expect(digest("vi")).toContain("Cấp phép lưu hành xe (1.001234)");
    expect(digest("vi")).toContain("Giao thông vận tải");
    expect(digest("en")).toContain("Vehicle permit (1.001234)");
    expect(digest("en")).toContain("Transport");
    // The hours the deployment counts, in the footer.
    const eight = renderDigest({
      locale: "vi",
      unitName: "Phòng Tư pháp",
      alerts: [alert],
      now: instant("2022-07-04T08:00:00+07:00"),
      calendar: WorkingCalendar.official([], parseOfficeHours("08:00-12:00,13:00-17:00")),
      catalog,
    }).text;
    expect(eight).toContain("(08:00–12:00, 13:00–17:00, trừ ngày nghỉ)");
    expect(digest("vi")).toContain("(07:00–11:30, 13:30–17:00, trừ ngày nghỉ)");
  });
});

/** An SES client that keeps each SendEmail request it is given and accepts it. */
function capturingSes(): { client: SESv2Client; sent: SendEmailCommandInput[] } {
  const sent: SendEmailCommandInput[] = [];
  const client = {
    send: async (command: SendEmailCommand) => {
      sent.push(command.input);
      return { MessageId: `m-${sent.length}` };
    },
  } as unknown as SESv2Client;
  return { client, sent };
}

describe("an agency's email whose form cannot be made for the period", () => {
  it("says why instead of the form, in both languages, and shows the index", () => {
    const now = at("2022-07-01T00:00:00+07:00");
    for (const locale of ["vi", "en"] as const) {
      const mail = renderKpiEmail({
        locale,
        kind: "weekly",
        report: now.report,
        unitNames: new Map(),
        longestOverdue: [],
        quality: { orphans: NONE_COUNTED, possiblyClosed: 0, quarantined: NONE_COUNTED },
        official: { locale, index: now.index, trend: [] },
      });
      const said =
        locale === "vi"
          ? "Biểu II.06a của cơ quan, đơn vị này không lập được cho kỳ này"
          : "This agency's form II.06a cannot be made for this period";
      expect(mail.html).toContain(said.replace("'", "&#39;"));
      expect(mail.text).toContain(said);
      expect(mail.text).toContain("2.1");
      expect(mail.html).not.toContain("Biểu số II.06a");
    }
  });
});

describe("the KPI email's trend lines", () => {
  it("shows one image per computed indicator, each a PNG part named by its cid, with the figures in words", async () => {
    const rendered = email("vi");
    const computed = at("2022-07-01T00:00:00+07:00").index.indicators.filter((i) => i.rate !== null);
    expect(computed.length).toBeGreaterThan(0);
    expect(rendered.images).toHaveLength(computed.length);
    const cids = [...rendered.html.matchAll(/<img src="cid:([^"]+)"/g)].map((m) => m[1] as string);
    expect(cids).toHaveLength(computed.length);
    expect(new Set(cids).size).toBe(cids.length);
    // No remote image and no SVG: only what travels inside the message.
    expect(rendered.html).not.toMatch(/<svg|<script|src="(?!cid:)/);

    const kpi: KpiEmail = {
      ...rendered,
      attachments: [{ filename: "a.csv", content: Buffer.from("x"), contentType: "text/csv" }],
      report: at("2022-07-01T00:00:00+07:00").report as KpiEmail["report"],
      index: at("2022-07-01T00:00:00+07:00").index,
    };
    const { client, sent } = capturingSes();
    const messageId = await sendKpiEmail(
      {
        mailer: sesMailer(client, { configurationSet: "kpi-set" }),
        from: "monitor@example.gov.vn",
        suppression: { addresses: async () => new Set<string>() },
      },
      kpi,
      [{ name: "Lãnh đạo", email: "lanhdao@example.gov.vn" }],
    );
    expect(messageId).toBe("m-1");
    expect(sent).toHaveLength(1);
    const input = sent[0] as SendEmailCommandInput;
    expect(input.Destination?.ToAddresses).toEqual(["lanhdao@example.gov.vn"]);
    expect(input.ConfigurationSetName).toBe("kpi-set");
    const simple = input.Content?.Simple;
    expect(input.Content?.Raw).toBeUndefined();
    // The text part and the HTML that names the images, as rendered, in UTF-8.
    expect(simple?.Subject).toEqual({ Data: rendered.subject, Charset: "UTF-8" });
    expect(simple?.Body?.Html).toEqual({ Data: rendered.html, Charset: "UTF-8" });
    expect(simple?.Body?.Text).toEqual({ Data: rendered.text, Charset: "UTF-8" });
    const parts = simple?.Attachments ?? [];
    expect(parts).toHaveLength(1 + cids.length);
    for (const cid of cids) {
      const part = parts.find((p) => p.ContentId === cid);
      expect(part, cid).toBeDefined();
      // SES takes a Content-ID of at most 78 characters (API v2 `Attachment`).
      expect(cid.length).toBeLessThanOrEqual(78);
      expect(part?.ContentType).toBe("image/png");
      expect(part?.ContentDisposition).toBe("INLINE");
      expect(part?.ContentTransferEncoding).toBe("BASE64");
      const body = Buffer.from(part?.RawContent as Uint8Array);
      const png = PNG.sync.read(body);
      expect([png.width, png.height]).toEqual([240, 56]);
      expect(body.equals(rendered.images.find((i) => i.cid === cid)?.content as Buffer)).toBe(true);
    }
    // The spreadsheet stays an attachment, first, with no Content-ID: nothing in the HTML names it.
    expect(parts[0]).toMatchObject({
      FileName: "a.csv",
      ContentType: "text/csv",
      ContentDisposition: "ATTACHMENT",
    });
    expect(parts[0]?.ContentId).toBeUndefined();
    expect(Buffer.from(parts[0]?.RawContent as Uint8Array).toString("utf8")).toBe("x");

    // 2.1 on-time progress: nothing to count in April and May (—), then resolved late and complained
    // about (0 %), against its 95 % target.
    const alt = rendered.html.match(/<img src="cid:trend-\d+-2-1@[^"]+"[^>]* alt="([^"]+)"/)?.[1];
    expect(alt).toBe(
      "Diễn biến theo tuần của chỉ số 2.1 Tiến độ giải quyết (đúng hạn, trong hạn): 11/04 —, 16/05 —, hiện tại 0%; mục tiêu 95%",
    );
    expect(rendered.text).toContain("  Diễn biến theo tuần: 11/04 —, 16/05 —, hiện tại 0%; mục tiêu 95%");
  });

  it("shows 2.1's points beside its rate, like the other indicators, in the HTML and the text part", () => {
    const rendered = email("vi");
    // The one sample dossier was resolved late: 2.1 is 0 %, and so are its points.
    const row = rendered.html.split("<tr").find((r) => r.includes("2.1 Tiến độ giải quyết"));
    expect(row).toMatch(/<td [^>]*>0%<br><span [^>]*>điểm = tỷ lệ × điểm tối đa<\/span><\/td>/);
    expect(rendered.text).toMatch(
      /^- 2\.1 Tiến độ giải quyết .*: 0% \(0\/1\); đạt 0% số điểm tối đa \(điểm = tỷ lệ × điểm tối đa\)/m,
    );
  });

  it("sends a message without files or images (a digest) with no attachment at all", async () => {
    const { client, sent } = capturingSes();
    await sesMailer(client).send({
      from: "monitor@example.gov.vn",
      to: ["a@example.gov.vn", "b@example.gov.vn"],
      subject: "[Cảnh báo hồ sơ] Phòng Tư pháp",
      html: "<p>Hồ sơ quá hạn</p>",
      text: "Hồ sơ quá hạn\n",
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.Destination?.ToAddresses).toEqual(["a@example.gov.vn", "b@example.gov.vn"]);
    expect(sent[0]?.ConfigurationSetName).toBeUndefined();
    expect(sent[0]?.Content?.Simple?.Body?.Text?.Data).toBe("Hồ sơ quá hạn\n");
    expect(sent[0]?.Content?.Simple?.Attachments).toBeUndefined();
  });

  it("escapes what goes into the alt text", () => {
    const rendered = email("en", '"><img src=x onerror=alert(1)>&');
    expect(rendered.html).not.toContain('"><img src=x');
    expect(rendered.html).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;");
    expect(rendered.html).toMatch(/alt="Weekly trend of 2\.1 /);
  });
});

describe("a KPI email run that could not send some emails", () => {
  it("fails with an error that names no email address, in its message or its causes", () => {
    const refused = new Error(
      "Email address is not verified. The following identities failed the check: lanh-dao@ubnd.example.org, <pho@x.vn>",
    );
    const error = sendFailures("weekly KPI emails", [refused, "throttled for chu-tich@example.org"], 3);
    expect(error.message).toBe(
      "weekly KPI emails: 2 not sent (Email address is not verified. The following identities failed the check: [address], <[address]>), 3 sent; the retry sends the rest",
    );
    expect(error.errors.map((e: Error) => e.message)).toEqual([
      "Email address is not verified. The following identities failed the check: [address], <[address]>",
      "throttled for [address]",
    ]);
    expect(JSON.stringify({ m: error.message, e: error.errors.map((e: Error) => e.message) })).not.toContain(
      "@",
    );
  });
});

describe("the KPI email of a node with no unit of its own", () => {
  it("has no empty chart of units, and says in text as in HTML that nothing is overdue", () => {
    const now = at("2022-07-01T00:00:00+07:00");
    const render = (byUnit: typeof now.report.byUnit) =>
      weekly({ ...now.report, byUnit }, { agencyName: "UBND tỉnh" });
    const chart = "Tỷ lệ giải quyết đúng hạn theo đơn vị";
    expect(render(now.report.byUnit).html).toContain(chart);
    const province = render([]);
    expect(province.html).not.toContain(chart);
    expect(province.html).toContain("Không có hồ sơ quá hạn.");
    expect(province.text).toContain("Hồ sơ quá hạn lâu nhất:\nKhông có hồ sơ quá hạn.");
  });
});

describe("the KPI email's bars", () => {
  it("colour each unit's on-time rate by rateTone, as the dashboard does", () => {
    const now = at("2022-07-01T00:00:00+07:00");
    const unit = now.report.byUnit[0] as (typeof now.report.byUnit)[number];
    // 0.92: green on the dashboard before, amber in the email; now amber in both.
    const byUnit = [0.97, 0.92, 0.5].map((onTime, i) => ({
      ...unit,
      unit: `u${i}`,
      rates: { ...unit.rates, onTime },
    }));
    const html = weekly({ ...now.report, byUnit }, {}).html;
    const colours = [...html.matchAll(/width:(\d+(?:\.\d+)?)%;background:(#[0-9a-f]{6})/g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(colours).toEqual([
      ["50", "#c62828"],
      ["92", "#e0a100"],
      ["97", "#2e7d32"],
    ]);
  });
});

describe("the KPI email's data quality", () => {
  it("says how many new appointments in the period were a second one, in each language", () => {
    const received = DossierEventSchema.parse(samples.get("dossier.received"));
    const extension = (id: string, at: string, newDueAt: string) =>
      DossierEventSchema.parse({
        eventId: id,
        type: "dossier.deadline_extended",
        occurredAt: at,
        dossierId: received.dossierId,
        data: { newDueAt, apologyIssued: true },
      });
    const twice = [
      received,
      extension("x1", "2022-06-15T09:00:00+07:00", "2022-06-24T17:00:00+07:00"),
      extension("x2", "2022-06-22T09:00:00+07:00", "2022-06-29T17:00:00+07:00"),
    ];
    const { report } = computeReportAndCounts(twice, settings, {
      period,
      asOf: instant("2022-07-01T00:00:00+07:00"),
    });
    expect(report.dataQuality.anomalies.second_extension).toBe(1);
    const render = (locale: "vi" | "en", r = report) =>
      renderKpiEmail({
        locale,
        kind: "weekly",
        report: r,
        unitNames: new Map(),
        longestOverdue: [],
        quality: { orphans: NONE_COUNTED, possiblyClosed: 0, quarantined: NONE_COUNTED },
      }).text;
    expect(render("vi")).toContain("- 1 lần hẹn lại ngày trả kết quả lần thứ hai trở lên trong kỳ");
    expect(render("en")).toContain(
      "- Second or later new appointments given in the period: 1 (a dossier may be given a new appointment only once).",
    );
    // One appointment only: nothing said.
    const once = computeReportAndCounts(twice.slice(0, 2), settings, {
      period,
      asOf: instant("2022-07-01T00:00:00+07:00"),
    }).report;
    expect(render("vi", once)).not.toContain("hẹn lại ngày trả kết quả lần thứ hai");
  });

  it("says how many apology letters came after their deadline, in each language", () => {
    const received = DossierEventSchema.parse(samples.get("dossier.received"));
    const asOf = instant("2022-07-01T00:00:00+07:00");
    const late = (at: string) =>
      computeReportAndCounts(
        [
          received,
          DossierEventSchema.parse({
            eventId: "x1",
            type: "dossier.deadline_extended",
            occurredAt: at,
            dossierId: received.dossierId,
            data: { newDueAt: "2022-06-29T17:00:00+07:00", apologyIssued: true },
          }),
        ],
        settings,
        { period, asOf },
      ).report;
    const render = (locale: "vi" | "en", report: ReturnType<typeof late>) => weekly(report, { locale }).text;
    // The sample is due Mon 20 June 17:00 (docs/rules.md R4: its apology by Fri 17 June 17:00).
    const onDueDay = late("2022-06-20T09:00:00+07:00");
    expect(onDueDay.dataQuality.anomalies.late_apology).toBe(1);
    expect(render("vi", onDueDay)).toContain(
      "- 1 văn bản xin lỗi, hẹn lại ngày trả kết quả gửi sau hạn trong kỳ",
    );
    expect(render("en", onDueDay)).toContain(
      "- Apology letters sent after their deadline in the period: 1 (",
    );
    expect(render("vi", late("2022-06-17T09:00:00+07:00"))).not.toContain("văn bản xin lỗi, hẹn lại");
  });

  it("says how many supplement requests were a second one, strict setting or not, finished or not", () => {
    const received = DossierEventSchema.parse(samples.get("dossier.received"));
    const event = (id: string, type: string, at: string) =>
      DossierEventSchema.parse({
        eventId: id,
        type,
        occurredAt: at,
        dossierId: received.dossierId,
        data: {},
      });
    const twice = [
      received,
      event("s1", "dossier.supplement_requested", "2022-06-15T09:00:00+07:00"),
      event("a1", "dossier.supplement_received", "2022-06-16T09:00:00+07:00"),
      event("s2", "dossier.supplement_requested", "2022-06-20T09:00:00+07:00"),
      event("a2", "dossier.supplement_received", "2022-06-21T09:00:00+07:00"),
    ];
    const asOf = instant("2022-07-01T00:00:00+07:00");
    const render = (locale: "vi" | "en", events = twice, strict = false) =>
      weekly(
        computeReportAndCounts(events, { ...settings, strictSupplementRule: strict }, { period, asOf })
          .report,
        {
          locale,
        },
      ).text;
    for (const strict of [false, true])
      expect(render("vi", twice, strict)).toContain(
        "- 1 lần yêu cầu bổ sung hồ sơ lần thứ hai trở lên trong kỳ: việc hướng dẫn bổ sung chỉ được thực hiện một lần, đầy đủ.",
      );
    expect(render("en")).toContain(
      "- Second or later supplement requests in the period: 1 (an office asks for a supplement once, in full).",
    );
    expect(render("vi", twice.slice(0, 3))).not.toContain("yêu cầu bổ sung hồ sơ lần thứ hai");
  });
});

describe("the time the figures are taken at", () => {
  it("is the period's end in a close email sent after it, in the subject and under the title", () => {
    for (const locale of ["vi", "en"] as const) {
      const sent = email(locale);
      // Taken 2022-07-01 00:00, after the period: its figures stand as of 30/06/2022 23:59.
      expect(sent.subject).toContain(
        locale === "vi" ? "số liệu đến 30/06/2022 23:59" : "as of 30/06/2022 23:59",
      );
      expect(sent.text).toContain(
        locale === "vi"
          ? "Kỳ báo cáo 01/04/2022 – 30/06/2022, số liệu tính đến 30/06/2022 23:59"
          : "Period 01/04/2022 – 30/06/2022, figures as of 30/06/2022 23:59",
      );
      expect(sent.subject).not.toContain("01/07/2022");
    }
  });
});

describe("the plain-text part", () => {
  it("says what the HTML says: rolling figures, the received channels, the previous period, an amendment's difference", () => {
    const rolling = at("2022-05-16T08:00:00+07:00");
    const previous = at("2022-04-11T08:00:00+07:00");
    const { html, text } = weekly(
      { ...rolling.report, rolling: true },
      { previous: { label: "Quý I/2022", report: previous.report } },
    );
    expect(html).toContain("Số liệu đang cập nhật");
    expect(text).toContain("Số liệu đang cập nhật: kỳ báo cáo chưa kết thúc.");
    expect(text).toContain("Tiếp nhận (Trực tuyến/Trực tiếp/Bưu chính/Kỳ trước chuyển sang)");
    expect(text).toContain("| Kỳ trước Quý I/2022");
    const r = rolling.report;
    const p = previous.report;
    expect(text).toContain(
      `Toàn cơ quan | ${r.received.total} (${r.received.online}/${r.received.direct}/${r.received.postal}/${r.received.carriedOver}) |`,
    );
    expect(text).toMatch(new RegExp(`\\| ${p.received.total} / [^|\\n]+\\n`));
    const amended = weekly(rolling.report, {
      amendment: {
        issuedAt: instant("2022-07-01T00:30:00+07:00"),
        changes: [{ field: "resolved.late", before: 1234, after: 1200 }],
      },
    });
    expect(amended.text).toContain("1.234 → 1.200 (-34)");
  });
});

describe("the index's change since the previous period", () => {
  it("is the change between the rates as shown: no '-0', and 'unchanged' when they show the same", () => {
    const now = at("2022-07-01T00:00:00+07:00");
    const withRate = (rate: number) => ({
      ...now.index,
      indicators: now.index.indicators.map((i) => (i.id === "2.1" ? { ...i, rate } : i)),
    });
    const render = (rate: number, before: number) =>
      weekly(now.report, {
        official: {
          locale: "vi",
          index: withRate(rate),
          previous: { label: "Quý I/2022", index: withRate(before) },
          trend: [],
        },
      }).html;
    // 95 % against 95,01 % as shown: one hundredth down, never "-0".
    expect(render(0.95004, 0.95006)).toMatch(/<b>95%<\/b><\/td><td[^>]*>95,01% \(-0,01 điểm phần trăm\)/);
    expect(render(0.950049, 0.950041)).toContain("95% (không đổi)");
    expect(render(0.95004, 0.95006)).not.toContain("-0 điểm");
  });
});

describe("the KPI email's table of units", () => {
  it("has the withdrawn column, so a row's received adds up to what it shows", () => {
    const { report } = at("2022-07-01T00:00:00+07:00");
    const withdrawn = {
      ...report,
      withdrawn: 1234,
      byUnit: report.byUnit.map((u) => ({ ...u, withdrawn: 1234 })),
    };
    for (const locale of ["vi", "en"] as const) {
      const { html, text } = weekly(withdrawn, { locale });
      const heading = locale === "vi" ? "Rút hồ sơ" : "Withdrawn";
      const n = locale === "vi" ? "1.234" : "1,234";
      expect(html).toContain(`>${heading}</th>`);
      expect(html).toContain(`>${n}</td>`);
      expect(text).toMatch(new RegExp(`\\) \\| ${heading} \\| `));
      const r = report.resolved;
      expect(text).toContain(
        `${r.total} (${r.early}/${r.onTime}/${r.late}) | ${n} | ${report.pending.total} (`,
      );
    }
  });
});
