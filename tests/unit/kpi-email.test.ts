import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { type KpiEmail, kpiMime } from "../../lib/app/kpi-report";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { DossierEventSchema } from "../../lib/domain/events/schema";
import { buildForm } from "../../lib/domain/official/form";
import { buildIndex } from "../../lib/domain/official/index766";
import { DEFAULT_OFFICIAL_SETTINGS } from "../../lib/domain/official/settings";
import { explicitPeriod } from "../../lib/domain/periods";
import { computeReportAndCounts } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { renderKpiEmail } from "../../lib/render/email/kpi";
import { loadSamples } from "../helpers/fixtures";

/**
 * The leadership email's trend lines (issue 15): one PNG per computed indicator, shown by `cid:`
 * and sent as a related part of the message, with the figures in its alt text and the text part.
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

function email(locale: "vi" | "en", firstLabel = "11/04"): ReturnType<typeof renderKpiEmail> {
  const now = at("2022-07-01T00:00:00+07:00");
  return renderKpiEmail({
    locale,
    kind: "close",
    report: now.report,
    unitNames: new Map(),
    longestOverdue: [],
    quality: { orphans: 0, possiblyClosed: 0, quarantined: 0 },
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
    now: instant("2022-07-01T08:00:00+07:00"),
  });
}

/** The body of the MIME part whose headers carry `Content-ID: <cid>`, base64-decoded. */
function partOf(raw: string, cid: string): { headers: string; body: Buffer } | undefined {
  // Header names are case-insensitive (RFC 5322).
  const start = raw.toLowerCase().indexOf(`content-id: <${cid.toLowerCase()}>`);
  if (start < 0) return undefined;
  const headStart = raw.lastIndexOf("\r\n\r\n", start) + 4;
  const bodyStart = raw.indexOf("\r\n\r\n", start) + 4;
  const bodyEnd = raw.indexOf("\r\n--", bodyStart);
  return {
    headers: raw.slice(headStart, bodyStart),
    body: Buffer.from(raw.slice(bodyStart, bodyEnd).replace(/\s+/g, ""), "base64"),
  };
}

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
    const raw = (await kpiMime(kpi, "monitor@example.gov.vn", ["lanhdao@example.gov.vn"])).toString("latin1");
    expect(raw).toMatch(/Content-Type: multipart\/related; type="text\/html"/);
    for (const cid of cids) {
      const part = partOf(raw, cid);
      expect(part, cid).toBeDefined();
      expect(part?.headers).toMatch(/Content-Type: image\/png/i);
      expect(part?.headers).toMatch(/Content-Disposition: inline/i);
      const png = PNG.sync.read(part?.body as Buffer);
      expect([png.width, png.height]).toEqual([240, 56]);
      expect(part?.body.equals(rendered.images.find((i) => i.cid === cid)?.content as Buffer)).toBe(true);
    }
    // The spreadsheet stays an attachment, outside the related part.
    expect(raw).toMatch(/Content-Disposition: attachment; filename=a\.csv/);

    // 2.1 on-time progress: nothing to count in April and May (—), then resolved late and complained
    // about (0 %), against its 95 % target.
    const alt = rendered.html.match(/<img src="cid:trend-\d+-2-1@[^"]+"[^>]* alt="([^"]+)"/)?.[1];
    expect(alt).toBe(
      "Diễn biến theo tuần của chỉ số 2.1 Tiến độ giải quyết (đúng hạn, trong hạn): 11/04 —, 16/05 —, hiện tại 0%; mục tiêu 95%",
    );
    expect(rendered.text).toContain("  Diễn biến theo tuần: 11/04 —, 16/05 —, hiện tại 0%; mục tiêu 95%");
  });

  it("escapes what goes into the alt text", () => {
    const rendered = email("en", '"><img src=x onerror=alert(1)>&');
    expect(rendered.html).not.toContain('"><img src=x');
    expect(rendered.html).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;");
    expect(rendered.html).toMatch(/alt="Weekly trend of 2\.1 /);
  });
});
