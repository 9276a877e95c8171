import { describe, expect, inject, it } from "vitest";
import { readSesStore, type StoredEmail } from "../../dev/local/ses-local";
import { applyEvent } from "../../lib/app/apply";
import { buildKpiEmail, closeEndedPeriod } from "../../lib/app/kpi-report";
import type { Mailer } from "../../lib/app/ports";
import { sendWeeklyKpi, WEEKLY_SEND_LEASE_MS } from "../../lib/app/weekly-kpi";
import { parseDirectoryFile } from "../../lib/domain/agency-directory";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { CountingSettings } from "../../lib/domain/counting";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { instant } from "../../lib/domain/time";
import { testTable } from "../helpers/dynamo";
import { kpiSendDeps } from "../helpers/kpi-deps";

/**
 * The weekly KPI emails by agency, on DynamoDB Local and SES local: one email per agency
 * whose own node names leadership (and per language among its contacts), to those addresses, about
 * its own agency only; the province's ranks every agency by the index, the worst first; a run
 * repeated in the same week sends nothing new, and an email that failed is sent by the retry.
 */

const contact = (name: string, email: string, locale?: "en") => ({
  name,
  email,
  ...(locale ? { locale } : {}),
});
const unit = (id: string, nameVi: string, parentId: string) => ({
  id,
  nameVi,
  nameEn: `${nameVi} (EN)`,
  level: "provincial-department" as const,
  parentId,
  head: contact(`Trưởng ${nameVi}`, `${id}@units.example.org`),
});

const DIRECTORY = {
  leadership: [contact("Chủ tịch UBND tỉnh", "chu-tich@tinh.example.org")],
  agencies: [
    {
      id: "tinh",
      nameVi: "Ủy ban nhân dân tỉnh Thử",
      nameEn: "Thu Provincial People's Committee",
      level: "province",
    },
    {
      id: "so-tp",
      nameVi: "Sở Tư pháp",
      nameEn: "Department of Justice",
      level: "provincial-department",
      parentId: "tinh",
      leadership: [contact("Giám đốc Sở Tư pháp", "giam-doc@so-tp.example.org")],
    },
    {
      id: "so-xd",
      nameVi: "Sở Xây dựng <Giao thông> & Đô thị",
      nameEn: "Department of Construction <Transport> & Urban Affairs",
      level: "provincial-department",
      parentId: "tinh",
      leadership: [
        contact("Giám đốc Sở Xây dựng", "giam-doc@so-xd.example.org"),
        contact("Foreign adviser", "adviser@so-xd.example.org", "en"),
      ],
    },
    // Its leadership is the province's, inherited: it gets no email of its own.
    { id: "xa-an-binh", nameVi: "Xã An Bình", nameEn: "An Binh Commune", level: "commune", parentId: "tinh" },
  ],
  units: [
    unit("phong-ho-tich", "Phòng Hộ tịch", "so-tp"),
    unit("phong-cong-chung", "Phòng Công chứng", "so-tp"),
    unit("phong-cap-phep", "Phòng Cấp phép xây dựng", "so-xd"),
    { ...unit("bp-mot-cua-an-binh", "Bộ phận Một cửa xã An Bình", "xa-an-binh"), level: "commune" as const },
  ],
};

const settings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  scheme: { kind: "calendar-quarter" },
};
/** Monday 2025-09-22, the weekly email's time. */
const MONDAY = instant("2025-09-22T07:30:00+07:00");

const received = (id: string, unitId: string, at: string, days: number): DossierEvent => ({
  eventId: `${id}.r`,
  type: "dossier.received",
  occurredAt: at,
  dossierId: id,
  data: { unitId, procedureCode: "1.001193", channel: "direct", processingDays: days },
});

/** The Justice department late on both its dossiers; Construction and the commune on time. */
const EVENTS: DossierEvent[] = [
  received("TP-1", "phong-ho-tich", "2025-09-01T08:00:00+07:00", 1),
  received("TP-2", "phong-cong-chung", "2025-09-02T08:00:00+07:00", 1),
  received("XD-1", "phong-cap-phep", "2025-09-19T08:00:00+07:00", 10),
  received("AB-1", "bp-mot-cua-an-binh", "2025-09-15T08:00:00+07:00", 3),
  {
    eventId: "AB-1.x",
    type: "dossier.resolved",
    occurredAt: "2025-09-16T10:00:00+07:00",
    dossierId: "AB-1",
    data: { outcome: "approved" },
  },
];

/** A mailer that fails for the addresses given, until told not to. */
function failingFor(inner: Mailer, failing: Set<string>): Mailer {
  return {
    send: async (m) => {
      if (m.to.some((a) => failing.has(a))) throw new Error("SES is down for this one");
      return inner.send(m);
    },
  };
}

describe("weekly KPI emails by agency", () => {
  it("go to each agency with its own leadership about itself, the province's ranked worst first, once a week", async () => {
    let now = MONDAY;
    const { table, deps, mine } = await provinceTable("agency-emails", () => now);

    const failing = new Set(["giam-doc@so-xd.example.org"]);
    const flaky = { ...deps, mailer: failingFor(deps.mailer, failing) };
    await expect(sendWeeklyKpi(flaky)).rejects.toThrow("SES is down");
    const before = await mine();
    failing.clear();
    now = MONDAY + 10 * 60_000;
    const retry = await sendWeeklyKpi(flaky);
    const mails = await mine();
    // The first run sent every email but the one SES refused, then failed; the retry sends that one.
    expect(before.map(to)).toEqual([
      ["chu-tich@tinh.example.org"],
      ["giam-doc@so-tp.example.org"],
      ["adviser@so-xd.example.org"],
    ]);
    expect(retry?.alreadySent).toBe(3);
    expect(retry?.sent.map((s) => `${s.agency}/${s.locale}`)).toEqual(["so-xd/vi"]);
    expect(mails.map(to)).toEqual([
      ["chu-tich@tinh.example.org"],
      ["giam-doc@so-tp.example.org"],
      ["adviser@so-xd.example.org"],
      ["giam-doc@so-xd.example.org"],
    ]);
    const [province, justice, constructionEn, construction] = mails as StoredEmail[];
    expectAboutItself(justice, "Sở Tư pháp", ["Phòng Hộ tịch", "Phòng Công chứng"], ["Phòng Cấp phép"]);
    expectAboutItself(
      construction,
      "Sở Xây dựng &lt;Giao thông&gt; &amp; Đô thị",
      ["Phòng Cấp phép xây dựng"],
      ["Phòng Hộ tịch"],
    );
    expect(constructionEn?.subject).toContain("Department of Construction <Transport> & Urban Affairs");
    expect(constructionEn?.body.text).toContain(
      "Administrative dossier resolution\nDepartment of Construction",
    );
    expectProvinceRanking(province);

    // Again in the same week: nothing new. The next week: each once more.
    now = MONDAY + 3 * 86_400_000;
    expect((await sendWeeklyKpi(deps))?.sent).toEqual([]);
    expect(await mine()).toHaveLength(4);
    now = MONDAY + 7 * 86_400_000;
    expect((await sendWeeklyKpi(deps))?.sent).toHaveLength(4);
    expect(await mine()).toHaveLength(8);
    await table.drop();
  }, 120_000);

  it("stop short of the time left, and a dead run's claim is taken over once its lease has passed", async () => {
    let now = MONDAY;
    const { table, deps, mine } = await provinceTable("agency-budget", () => now);
    // Time for the first email only: the run stops, saying so.
    let asked = 0;
    const first = await sendWeeklyKpi(deps, { timeLeft: () => (asked++ === 0 ? 5 * 60_000 : 30_000) });
    expect(first?.sent.map((s) => s.agency)).toEqual(["tinh"]);
    expect(first?.incomplete).toBe(true);
    expect(first?.alreadySent).toBe(0);
    // A run that died while sending Justice's: its claim holds it until its lease passes.
    const justice = { week: "2025-09-22", locale: "vi" as const, agency: "so-tp" };
    expect(await table.store.weeklySends.claim(justice, now, WEEKLY_SEND_LEASE_MS)).toBe(true);
    now += 60_000;
    const retry = await sendWeeklyKpi(deps);
    expect(retry?.sent.map((s) => `${s.agency}/${s.locale}`)).toEqual(["so-xd/vi", "so-xd/en"]);
    expect(retry?.alreadySent).toBe(2);
    now += WEEKLY_SEND_LEASE_MS;
    const late = await sendWeeklyKpi(deps);
    expect(late?.sent.map((s) => s.agency)).toEqual(["so-tp"]);
    expect((await mine()).flatMap(to)).toEqual([
      "chu-tich@tinh.example.org",
      "giam-doc@so-xd.example.org",
      "adviser@so-xd.example.org",
      "giam-doc@so-tp.example.org",
    ]);
    await table.drop();
  }, 120_000);
});

describe("a claim taken over while its email was built", () => {
  it("is not sent by the run that built it: the claim is renewed just before sending", async () => {
    const now = MONDAY;
    const { table, deps, mine } = await provinceTable("agency-renew", () => now);
    const real = table.store.weeklySends;
    // Another run took the province's email over while this one built it.
    const weeklySends: typeof real = Object.assign(Object.create(real), {
      renew: async (...args: Parameters<typeof real.renew>) =>
        args[0].agency === "tinh" ? false : real.renew(...args),
    });
    const run = await sendWeeklyKpi({ ...deps, weeklySends });
    expect(run?.sent.map((s) => s.agency)).not.toContain("tinh");
    expect(run?.alreadySent).toBe(1);
    expect((await mine()).flatMap(to)).not.toContain("chu-tich@tinh.example.org");
    await table.drop();
  }, 120_000);
});

describe("a province's email built while events are applied", () => {
  it("takes its report, index and agencies' ranking from one read of the counters", async () => {
    const now = MONDAY;
    const { table, deps } = await provinceTable("agency-one-read", () => now);
    const period = { name: "2025-Q3", from: "2025-07-01", to: "2025-09-30" };
    const real = table.store.counters;
    let reads = 0;
    // A dossier received right after the email's first read of the period's counters: a second
    // read would see it, the first did not.
    const counters: typeof real = Object.assign(Object.create(real), {
      readPeriodCounts: async (...args: Parameters<typeof real.readPeriodCounts>) => {
        const read = await real.readPeriodCounts(...args);
        if (args[0].name === period.name && ++reads === 1)
          await applyEvent(
            { ...table.store, settings, units: deps.units, now: () => now },
            received("TP-3", "phong-ho-tich", "2025-09-22T07:00:00+07:00", 5),
          );
        return read;
      },
    });
    const email = await buildKpiEmail({ ...deps, counters }, period, "weekly");
    // One read: the ranking's too.
    expect(reads).toBe(1);
    const progress = email.index.indicators.find((i) => i.id === "2.1");
    expect(email.report.received.total).toBe(4);
    expect(progress?.denominator).toBe(4);
    await table.drop();
  }, 120_000);
});

describe("the close email of a province", () => {
  it("is the root's, as the weekly one is: the province named, its agencies ranked, its own units only", async () => {
    const now = instant("2025-10-01T00:30:00+07:00");
    const { table, deps, mine } = await provinceTable("agency-close", () => now);
    expect((await closeEndedPeriod(deps))?.period).toBe("2025-Q3");
    const [close] = await mine();
    expect(to(close as StoredEmail)).toEqual(["chu-tich@tinh.example.org"]);
    expect(close?.subject).toMatch(/chốt kỳ/);
    expectProvinceRanking(close);
    // Its total lines are the province's, named: never "the whole office".
    expect(`${close?.body.html}\n${close?.body.text}`).not.toContain("Toàn cơ quan");
    await table.drop();
  }, 120_000);
});

/** The directory above on a fresh table with the events applied, and the KPI email's dependencies. */
async function provinceTable(tag: string, now: () => number) {
  const table = await testTable(tag);
  const file = parseDirectoryFile(DIRECTORY, "2025-09-22");
  await table.store.directory.put(file.units, file.leadership, file.integrations, file.agencies);
  const units = await table.store.directory.get();
  for (const e of EVENTS) await applyEvent({ ...table.store, settings, units, now }, e);
  const deps = kpiSendDeps(table.store, settings, units, now, tag);
  const mine = async () => (await readSesStore(inject("sesEndpoint"))).filter((m) => m.from === deps.from);
  return { table, deps, mine };
}

const to = (m: StoredEmail) => m.destination.to;

/** An agency's email names it, lists its own units, and none of another agency's. */
function expectAboutItself(mail: StoredEmail | undefined, name: string, own: string[], others: string[]) {
  const html = mail?.body.html ?? "";
  expect(html).toContain(name);
  for (const u of own) expect(html).toContain(u);
  for (const u of others) expect(`${html}\n${mail?.body.text}`).not.toContain(u);
  // Its total lines are the agency's, named: never "the whole office".
  const plain = name.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
  expect(mail?.body.text).toContain(`\n${plain} | `);
  expect(`${html}\n${mail?.body.text}`).not.toContain("Toàn cơ quan");
  expect(mail?.subject.startsWith("[Báo cáo KPI] ")).toBe(true);
  // Its own form II.06a, naming it as the reporting office.
  expect(mail?.attachments.filter((a) => !a.related)).toHaveLength(3);
}

/** The province's email ranks its three agencies by indicator 2.1, the worst first, by name. */
function expectProvinceRanking(mail: StoredEmail | undefined) {
  const text = mail?.body.text ?? "";
  const start = text.indexOf("Xếp hạng cơ quan theo Chỉ số phục vụ");
  expect(start).toBeGreaterThanOrEqual(0);
  const lines = text.slice(start).split("\n").slice(1, 4);
  expect(lines).toEqual([
    "1. Sở Tư pháp | 0% (0/2 hồ sơ) | 0% (0/2 hồ sơ)",
    "2. Sở Xây dựng <Giao thông> & Đô thị | 100% (1/1 hồ sơ) | 100% (1/1 hồ sơ)",
    "3. Xã An Bình | 100% (1/1 hồ sơ) | 100% (1/1 hồ sơ)",
  ]);
  const html = mail?.body.html ?? "";
  expect(html).toContain("Sở Xây dựng &lt;Giao thông&gt; &amp; Đô thị");
  expect(html).not.toContain("<Giao thông>");
  expect(html.indexOf("Xếp hạng cơ quan")).toBeLessThan(html.indexOf("Chỉ số phục vụ người dân"));
  expect(mail?.subject).toContain("Ủy ban nhân dân tỉnh Thử");
}
