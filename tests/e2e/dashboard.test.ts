import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { WORDS } from "../../dashboard/src/i18n";
import { SEED_PERIOD } from "../../dev/scenarios/seed-2022-q3";
import { createApiKey } from "../../lib/http/auth";
import { formatNumber, rateTone } from "../../lib/render/numbers";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../../scripts/chromium";
import {
  type DashboardStack,
  OTHER_AGENCY,
  SCOPED_AGENCY,
  SCOPED_UNIT,
  STILL_CLOCK_RATE,
  startDashboardStack,
  TREE_ROOT,
} from "../helpers/dashboard-stack";
import { ROOT } from "../helpers/fixtures";

/**
 * The dashboard in a real browser (Debian's chromium, driven by playwright-core): one browser and
 * one local stack (the seed quarter, tests/helpers/dashboard-stack.ts) for the file, a fresh
 * browser context (its own session storage) per test. Every wait is on the page's state.
 */

let d: DashboardStack;
let browser: Browser;
let api = "";
const contexts: BrowserContext[] = [];
const AXE = readFileSync(join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");
const OTHER_UNIT = "cn-vpdk-dat-dai";

beforeAll(async () => {
  [d, browser] = await Promise.all([
    startDashboardStack({ dynamoEndpoint: inject("dynamoEndpoint"), sesEndpoint: inject("sesEndpoint") }),
    chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS }),
  ]);
  api = d.stack.urls.api;
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await d?.stack.stop();
});

/** A page in a context of its own; every request URL it makes is kept, to look for the key in them. */
async function open(
  key: string | undefined,
  route = "",
  viewport = { width: 1280, height: 900 },
  // axe-core goes in as an inline script, which the page's policy refuses (as it should).
  bypassCSP = false,
) {
  const context = await browser.newContext({ viewport, acceptDownloads: true, bypassCSP });
  contexts.push(context);
  const page = await context.newPage();
  const urls: string[] = [];
  page.on("request", (r) => urls.push(r.url()));
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${api}/dashboard${key ? `#key=${encodeURIComponent(key)}` : route}`);
  return { page, urls, errors };
}

/** Shows the office's view again with the API's `/kpis` answer for the office altered by `alter`. */
async function showOfficeAltered(
  page: Page,
  alter: (body: Record<string, unknown>) => Record<string, unknown>,
): Promise<void> {
  await page.route(
    (url) =>
      url.pathname.endsWith("/kpis") && !url.searchParams.has("agency") && !url.searchParams.has("unit"),
    async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, json: alter((await res.json()) as Record<string, unknown>) });
    },
  );
  await go(page, "#/agency");
  await go(page, "#/");
  await idle(page);
}

/** Follows a link with `key` on a page already open signed out (its routes set before the key asks anything). */
async function signInByLink(page: Page, key: string): Promise<void> {
  // The fragment alone changes: the page takes the key from it as it does on loading.
  await page.goto(`${api}/dashboard#key=${encodeURIComponent(key)}`);
}

// Page predicates are functions, not strings: the dashboard's CSP forbids eval, and a string
// predicate that must wait is evaluated with it. The tests compile without the DOM types.
type Doc = { querySelector(s: string): { dataset: Record<string, string | undefined> } | null };
// (They run in the page, so they name nothing from this file.)
const idle = (page: Page) =>
  page.waitForFunction(
    () => !(globalThis as unknown as { document: Doc }).document.querySelector("[aria-busy=true]"),
  );

/** Goes to a route and waits until the page shows it, not the one before it. */
async function go(page: Page, route: string): Promise<void> {
  const hash = (await page.evaluate(`location.hash = ${JSON.stringify(route)}; location.hash`)) as string;
  await page.waitForFunction(
    (h) => (globalThis as unknown as { document: Doc }).document.querySelector("main")?.dataset.shown === h,
    hash,
  );
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const result = (await page.evaluate("axe.run(document)")) as {
    violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
  };
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Events posted with the integration key, and applied before it returns. */
async function postAndDrain(events: object[]) {
  const posted = await fetch(`${api}/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${d.integration}`, "content-type": "application/json" },
    body: JSON.stringify({ events }),
  });
  expect(posted.status).toBe(200);
  await d.stack.drain();
}

async function apiOverdue(unit: string, key: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ unit, sla: "overdue", limit: "200", ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${api}/dossiers?${q}`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { dossierId: string }[]; cursor: string | null };
    ids.push(...body.items.map((i) => i.dossierId));
    cursor = body.cursor;
  } while (cursor);
  return ids;
}

describe("the dashboard", () => {
  it("is served with its security headers, and holds no data itself", async () => {
    const res = await fetch(`${api}/dashboard`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(res.headers.get("strict-transport-security")).toMatch(/^max-age=\d+/);
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/\sstyle=/);
    expect((await fetch(`${api}/dashboard/nothing.js`)).status).toBe(404);
  });

  it("opens signed in from the link, takes the key out of the address bar, and shows the office's figures", async () => {
    const { page, urls, errors } = await open(d.reader);
    await page.waitForSelector("#units-h");
    const cards = await page.textContent(".cards");
    expect(cards).toContain("Tiếp nhận5.520");
    expect(cards).toContain("Giải quyết trước và đúng hạn4.400");
    expect(cards).toContain("Đang giải quyết, quá hạn115");
    expect(page.url()).toBe(`${api}/dashboard#/`);
    expect(await page.evaluate("sessionStorage.getItem('dossier-monitor.key')")).toBe(d.reader);
    // Units by name, worst on-time rate first.
    const units = await page.$$eval("#units-h ~ .table-wrap tbody th", (ths) =>
      ths.map((t) => t.textContent),
    );
    expect(units[0]).toBe("Phòng Tài nguyên và Môi trường");
    expect(units.join(" ")).not.toMatch(/phong-|cn-vpdk|bp-mot-cua/);
    // The 766 index with its targets, and its trend (the weekly snapshots, then now).
    expect(await page.textContent("#index-h ~ .table-wrap")).toContain("95%");
    // What the computed figures rest on, under the table.
    expect(await page.textContent("#index-h ~ ul.notes")).toContain("3.3: Tỷ lệ đồng bộ (1.4) lấy bằng 1");
    expect(await page.$$eval("svg.chart circle", (c) => c.length)).toBeGreaterThanOrEqual(1);
    expect(await page.textContent("svg.chart")).toContain("hiện tại");
    // The key was in the fragment only, which no request carries.
    expect(urls.filter((u) => u.includes(d.reader))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("sorts the units' ranking by a column header and filters a long one by name", async () => {
    const { page, errors } = await open(d.reader);
    await page.waitForSelector("#units-h");
    const column = (i: number) =>
      page.$$eval(
        `#units-h ~ .table-wrap tbody tr`,
        (trs, k) => trs.map((tr) => tr.children[k]?.textContent),
        i,
      );
    const number = (x: string | null | undefined) => Number((x ?? "").replaceAll(".", ""));
    const received = page.locator("#units-h ~ .table-wrap thead th").nth(1);
    const heading = page.locator("#units-h");
    const caption = page.locator("#units-h ~ .table-wrap caption");
    const given = await heading.textContent();
    expect(given).toBe("Đơn vị theo tỷ lệ đúng hạn (thấp nhất trước)");
    await received.locator("button").click();
    expect(await received.getAttribute("aria-sort")).toBe("ascending");
    // The title names the order shown, not the ranking's own.
    expect(await heading.textContent()).toBe("Đơn vị theo “Tiếp nhận” (tăng dần)");
    expect(await caption.textContent()).toBe("Đơn vị theo “Tiếp nhận” (tăng dần)");
    const up = (await column(1)).map(number);
    expect(up).toEqual([...up].sort((a, b) => a - b));
    await received.locator("button").click();
    expect(await received.getAttribute("aria-sort")).toBe("descending");
    expect(await heading.textContent()).toBe("Đơn vị theo “Tiếp nhận” (giảm dần)");
    const down = (await column(1)).map(number);
    expect(down).toEqual([...up].sort((a, b) => b - a));
    // Each rate's bar takes the tone the KPI email's bar takes (rateTone), not a cut-off of its own.
    const bars = await page.$$eval("#units-h ~ .table-wrap tbody tr", (trs) =>
      trs.map((tr) => ({
        rate: tr.lastElementChild?.textContent ?? "",
        tone: tr.querySelector(".bar rect:last-child")?.getAttribute("class") ?? null,
      })),
    );
    const drawn = bars.filter((b) => b.tone !== null);
    expect(drawn.length).toBeGreaterThan(0);
    for (const b of drawn)
      expect(b.tone, b.rate).toBe(
        `bar-${rateTone(Number(b.rate.replace("%", "").replaceAll(".", "").replace(",", ".")) / 100)}`,
      );
    // A third click: the ranking's own order again, worst first.
    await received.locator("button").click();
    expect(await received.getAttribute("aria-sort")).toBeNull();
    expect(await heading.textContent()).toBe(given);
    expect(await caption.textContent()).toBe(given);
    // A province's ranking (the office's answer routed with more units): a filter by name.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const many = await context.newPage();
    await many.route(
      (url) =>
        url.pathname.endsWith("/kpis") && !url.searchParams.has("agency") && !url.searchParams.has("unit"),
      async (route) => {
        const res = await route.fetch();
        const body = (await res.json()) as { byUnit: { unit: string }[] };
        const more = Array.from({ length: 12 }, (_, i) => ({ ...body.byUnit[0], unit: `xa-${i}` }));
        await route.fulfill({ response: res, json: { ...body, byUnit: [...body.byUnit, ...more] } });
      },
    );
    await many.goto(`${api}/dashboard#key=${encodeURIComponent(d.reader)}`);
    await many.waitForSelector("#units-h");
    const rows = () => many.$$eval("#units-h ~ .ranking tbody tr th", (ths) => ths.map((x) => x.textContent));
    const all = (await rows()).length;
    await many.fill("#units-h ~ .ranking input.filter", "tư pháp");
    expect(await rows()).toEqual(["Phòng Tư pháp"]);
    expect(await many.textContent("#units-h ~ .ranking [role=status]")).toBe(`Hiện 1 trong ${all} dòng.`);
    // Typed without diacritics, or with đ as d, the same names are found.
    await many.fill("#units-h ~ .ranking input.filter", "tu phap");
    expect(await rows()).toEqual(["Phòng Tư pháp"]);
    await many.fill("#units-h ~ .ranking input.filter", "dat dai");
    expect((await rows()).join(" ")).toContain("đất đai");
    await many.fill("#units-h ~ .ranking input.filter", "");
    expect(await rows()).toHaveLength(all);
    expect(errors).toEqual([]);
  });

  it("takes a key from a link's fragment at its start only, never one slipped in behind a route", async () => {
    const { page, errors } = await open(d.reader);
    await page.waitForSelector("#units-h");
    const stored = () =>
      page.evaluate(() =>
        (
          globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }
        ).sessionStorage.getItem("dossier-monitor.key"),
      );
    expect(await stored()).toBe(d.reader);
    await page.goto(`${api}/dashboard#/quality&key=${encodeURIComponent(d.integration)}`);
    await idle(page);
    expect(await stored()).toBe(d.reader);
    expect(await page.$$("form.signin")).toHaveLength(0);
    // The skip link moves the focus to the content and leaves the page where it is.
    await go(page, "#/quality");
    await idle(page);
    await page.focus("#skip");
    await page.keyboard.press("Enter");
    type Win = { location: { hash: string }; document: { activeElement: { id: string } | null } };
    const where = () =>
      page.evaluate(() => {
        const w = globalThis as unknown as Win;
        return [w.location.hash, w.document.activeElement?.id];
      });
    expect(await where()).toEqual(["#/quality", "main"]);
    expect(errors).toEqual([]);
  });

  it("lists a unit's overdue dossiers as GET /dossiers does, and shows a dossier's timeline", async () => {
    const { page } = await open(undefined, `#key=${d.reader}`);
    await page.waitForSelector("#units-h");
    await page.click(`a[href="#/unit/${SCOPED_UNIT}"]`);
    await page.waitForSelector("[data-list=overdue]");
    await idle(page);
    const shown = await page.$$eval("[data-list=overdue] a.dossier-id", (as) => as.map((a) => a.textContent));
    const expected = await apiOverdue(SCOPED_UNIT, d.reader);
    expect(expected.length).toBeGreaterThan(0);
    expect(shown).toEqual(expected);
    await page.click("[data-list=overdue] a.dossier-id");
    await page.waitForSelector(".timeline li");
    expect(await page.textContent(".timeline")).toContain("Tiếp nhận hồ sơ");
    expect(await page.textContent(".facts")).toContain("Phòng Tài nguyên và Môi trường");
  });

  it("shows the withdrawn dossiers and the figures' footnotes the email carries", async () => {
    const { page, errors } = await open(d.reader);
    await page.waitForSelector("#units-h");
    // The office's answer with withdrawn dossiers, an unknown calendar year and late pauses in it.
    await showOfficeAltered(page, (body) => ({ ...body, withdrawn: 1234, noCalendar: 3, latePause: 2 }));
    expect(await page.textContent(".cards")).toContain("Rút hồ sơ1.234");
    const notes = await page.$$eval(".figures-note", (p) => p.map((x) => x.textContent));
    expect(notes).toEqual([
      expect.stringContaining("3 hồ sơ có hạn giải quyết rơi vào năm chưa có lịch"),
      expect.stringContaining("2 hồ sơ được yêu cầu bổ sung (hoặc tạm dừng"),
    ]);
    expect(errors).toEqual([]);
  });

  it("says the office's ranking is empty in a period with no dossier, not an empty table", async () => {
    const { page } = await open(d.reader);
    await page.waitForSelector("#units-h");
    await showOfficeAltered(page, (body) => ({ ...body, byUnit: [] }));
    expect(await page.$("section[aria-labelledby=units-h] table")).toBeNull();
    expect(await page.textContent("section[aria-labelledby=units-h] p.note")).toBe("Không có hồ sơ nào.");
  });

  it("says a list goes on past the thousand it shows, never a thousand as if it were all", async () => {
    const { page } = await open(d.reader);
    await page.waitForSelector("#units-h");
    // The API answers the overdue list with a full page and a cursor, every time.
    let pages = 0;
    await page.route(
      (url) => url.pathname.endsWith("/dossiers") && url.searchParams.get("sla") === "overdue",
      (route) => {
        const items = Array.from({ length: 200 }, (_, i) => ({
          dossierId: `LONG-${pages}-${i}`,
          procedureCode: "1.001990",
          receivedAt: "2022-08-01T08:00:00+07:00",
          kpiDueAt: "2022-08-05T17:00:00+07:00",
          apologyIssued: false,
        }));
        pages++;
        return route.fulfill({ json: { items, cursor: `next-${pages}` } });
      },
    );
    await go(page, `#/unit/${SCOPED_UNIT}`);
    await idle(page);
    expect(pages).toBe(5);
    expect(await page.textContent("#overdue .count")).toBe("(1.000+)");
    expect(await page.textContent("[data-list=overdue] .note")).toContain("chỉ hiện 1.000 hồ sơ đầu tiên");
    expect(await page.textContent("#apology-missing .count")).toBe("(1.000+)");
    expect(await page.textContent("[data-list=apology-missing] .note")).toContain(
      "Chỉ lọc trong 1.000 hồ sơ quá hạn đầu tiên",
    );
    // A list that ends says its count only.
    expect(await page.textContent("#near-due .count")).not.toContain("+");
    // The lists are of now, whatever the period: said in the heading, and the overdue note points
    // to the figures above only while they are the running period's.
    // This stack's period has ended: its figures are not today's.
    expect(await page.textContent("#lists-h")).toBe("Hồ sơ đang giải quyết hiện nay, theo tình trạng hạn");
    expect(await page.textContent("[data-list=overdue] .note")).toContain(
      "không có ở phần số liệu bên trên, vốn là của kỳ đã chọn",
    );
    await page.route(
      (url) => url.pathname.endsWith("/kpis") && url.searchParams.get("unit") === SCOPED_UNIT,
      async (route) => {
        const res = await route.fetch();
        await route.fulfill({ response: res, json: { ...(await res.json()), rolling: true } });
      },
    );
    await go(page, "#/");
    await go(page, `#/unit/${SCOPED_UNIT}`);
    await idle(page);
    expect(await page.textContent("[data-list=overdue] .note")).toContain("đầy đủ ở phần số liệu");
  });

  it("names the unit a dossier came from by its name, though the key reads another unit", async () => {
    const at = "2022-10-19T08:00:00+07:00";
    const events = [
      {
        eventId: "dash-moved-r",
        type: "dossier.received",
        occurredAt: at,
        dossierId: "DASH-MOVED-1",
        data: { unitId: OTHER_UNIT, procedureCode: "1.001990", channel: "direct", processingDays: 5 },
      },
      {
        eventId: "dash-moved-t",
        type: "dossier.transferred",
        occurredAt: "2022-10-19T09:00:00+07:00",
        dossierId: "DASH-MOVED-1",
        data: { toUnitId: SCOPED_UNIT },
      },
    ];
    await postAndDrain(events);
    const { page } = await open(d.scoped);
    await page.waitForSelector("[data-list=overdue]");
    await go(page, `#/dossier/DASH-MOVED-1`);
    await page.waitForSelector(".timeline li");
    const timeline = (await page.textContent(".timeline")) ?? "";
    expect(timeline).toContain("Chi nhánh Văn phòng Đăng ký đất đai");
    expect(timeline).toContain("Phòng Tài nguyên và Môi trường");
    expect(timeline).not.toContain(OTHER_UNIT);
  });

  it("tells each event's facts in words: the deadline, what a pause waits on, the outcome, the rating", async () => {
    const id = "DASH-FACTS-1";
    const ev = (n: string, type: string, time: string, data: object) => ({
      eventId: `dash-facts-${n}`,
      type,
      occurredAt: `2022-10-19T${time}:00+07:00`,
      dossierId: id,
      data,
    });
    await postAndDrain([
      ev("r", "dossier.received", "08:00", {
        unitId: SCOPED_UNIT,
        procedureCode: "1.001990",
        channel: "direct",
        processingDays: 5,
        dueAt: "2022-10-26T17:00:00+07:00",
      }),
      ev("p", "dossier.supplement_requested", "08:30", { pauseKind: "financial_obligation" }),
      ev("s", "dossier.supplement_received", "09:00", {}),
      ev("d", "dossier.resolved", "10:00", {
        outcome: "denied",
        resultChannel: "online",
        resultElectronic: true,
      }),
      ev("v", "dossier.rated", "10:30", { score: 4, channel: "kiosk" }),
      ev("c", "dossier.complaint_received", "11:00", { about: "delay" }),
    ]);
    const { page } = await open(d.scoped);
    await page.waitForSelector("[data-list=overdue]");
    await go(page, `#/dossier/${id}`);
    await page.waitForSelector(".timeline li");
    const items = await page.$$eval(".timeline li", (lis) => lis.map((li) => li.textContent ?? ""));
    const expected = [
      ["Tiếp nhận hồ sơ", "Hạn giải quyết: 26/10/2022"],
      ["Tạm dừng tính thời hạn", "Chờ thực hiện nghĩa vụ tài chính"],
      ["Nhận bổ sung (tiếp tục)"],
      ["Giải quyết xong", "Từ chối", "Trả kết quả: Trực tuyến", "Có kết quả điện tử"],
      ["Điểm đánh giá: 4/5", "Tại máy đánh giá"],
      ["Về việc chậm trễ"],
    ];
    expect(items).toHaveLength(expected.length);
    expected.forEach((words, i) => {
      for (const text of words) expect(items[i], text).toContain(text);
    });
    // No code where a word exists.
    for (const code of ["financial_obligation", "denied", "kiosk", "delay", "Hạn mới"])
      expect(items.join(" "), code).not.toContain(code);
  });

  it("dates a timeline's events in office time, whatever offset their producer wrote", async () => {
    const id = "DASH-UTC-1";
    // 19/10 18:30 UTC is 20/10 01:30 in Hà Nội: the next day (30/06 would be the next quarter's).
    await postAndDrain([
      {
        eventId: "dash-utc-r",
        type: "dossier.received",
        occurredAt: "2022-10-19T18:30:00Z",
        dossierId: id,
        data: { unitId: SCOPED_UNIT, procedureCode: "1.001990", channel: "online", processingDays: 5 },
      },
    ]);
    const { page } = await open(d.scoped);
    await page.waitForSelector("[data-list=overdue]");
    await go(page, `#/dossier/${id}`);
    await page.waitForSelector(".timeline li");
    expect(await page.textContent(".timeline li time")).toBe("20/10/2022 01:30");
    expect(await page.textContent(".facts")).toContain("20/10/2022 01:30");
  });

  it("picks among the units in force in the period, grouped under their agencies by name", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    // One unit retired before the period, as a province's directory keeps its merged communes.
    await page.route(
      (url) => url.pathname.endsWith("/me"),
      async (route) => {
        const res = await route.fetch();
        const me = (await res.json()) as { units: { id: string }[] };
        const units = me.units.map((u) => (u.id === OTHER_UNIT ? { ...u, validTo: "2020-12-31" } : u));
        await route.fulfill({ response: res, json: { ...me, units } });
      },
    );
    await page.goto(`${api}/dashboard#key=${encodeURIComponent(d.reader)}`);
    await page.waitForSelector("#units-h");
    await go(page, `#/unit/${SCOPED_UNIT}`);
    await idle(page);
    const values = await page.$$eval("#unit option", (o) => o.map((x) => x.getAttribute("value")));
    expect(values).toContain(SCOPED_UNIT);
    expect(values).not.toContain(OTHER_UNIT);
    const groups = await page.$$eval("#unit optgroup", (g) => g.map((x) => x.getAttribute("label")));
    expect(groups).toContain("Khối đất đai");
    expect(groups.join(" ")).not.toMatch(/khoi-|phong-/);
    // The retired unit's own page still shows it in the picker, chosen.
    await go(page, `#/unit/${OTHER_UNIT}`);
    await idle(page);
    expect(await page.inputValue("#unit")).toBe(OTHER_UNIT);
  });

  it("shows a unit-scoped reader its own unit only, never another's", async () => {
    const { page, urls } = await open(d.scoped);
    await page.waitForSelector("[data-list=overdue]");
    expect(await page.$$eval("#unit option", (o) => o.map((x) => x.getAttribute("value")))).toEqual([
      SCOPED_UNIT,
    ]);
    expect(await page.$$eval("#nav a", (a) => a.map((x) => x.getAttribute("href")))).toEqual([
      "#/unit",
      "#/downloads",
    ]);
    const shown = await page.$$eval("[data-list=overdue] a.dossier-id", (as) => as.map((a) => a.textContent));
    expect(shown).toEqual(await apiOverdue(SCOPED_UNIT, d.reader));
    // Asked for another unit by address, it gets the API's refusal and no figure of that unit.
    await go(page, `#/unit/${OTHER_UNIT}`);
    await page.waitForSelector("main .alert");
    expect(await page.textContent("main")).toContain("this key does not read that unit");
    expect(await page.$$("[data-list]")).toHaveLength(0);
    // A dossier of another unit is answered as one that does not exist.
    const other = (await apiOverdue(OTHER_UNIT, d.reader))[0] as string;
    await go(page, `#/dossier/${encodeURIComponent(other)}`);
    await page.waitForSelector("main .alert");
    expect(await page.$$(".timeline")).toHaveLength(0);
    // The routes the dashboard added keep the scope rules.
    const read = (path: string) =>
      fetch(`${api}${path}`, { headers: { authorization: `Bearer ${d.scoped}` } });
    const me = (await (await read("/me")).json()) as { scope: string; units: { id: string }[] };
    expect(me).toMatchObject({ scope: "units", units: [{ id: SCOPED_UNIT }] });
    expect(me.units).toHaveLength(1);
    expect((await read("/kpis/trend")).status).toBe(403);
    expect((await read("/quality")).status).toBe(403);
    const reads = urls.filter((u) => u.startsWith(`${api}/`) && !u.startsWith(`${api}/dashboard`));
    expect(reads.some((u) => u.includes("/quarantine") || u.includes("/quality"))).toBe(false);
  });

  it("switches between Vietnamese and English", async () => {
    const { page } = await open(d.reader);
    await page.waitForSelector("#units-h");
    expect(await page.getAttribute("html", "lang")).toBe("vi");
    await page.click("button.lang");
    await page.waitForSelector("h1:text-is('The whole office')");
    expect(await page.getAttribute("html", "lang")).toBe("en");
    expect(await page.textContent(".cards")).toContain("Received5,520");
    expect(await page.textContent("#units-h ~ .table-wrap tbody")).toContain("Natural Resources");
    await page.click("button.lang");
    await page.waitForSelector("h1:text-is('Toàn cơ quan')");
    expect(await page.textContent(".cards")).toContain("92,7");
  });

  it("has no serious or critical accessibility violation on any view, on a desktop and a phone", async () => {
    const found: Record<string, string[]> = {};
    // Every view on a desktop; the office again on a phone's width (below).
    for (const viewport of [{ width: 1280, height: 900 }]) {
      const { page } = await open(d.reader, "", viewport, true);
      await page.waitForSelector("#units-h");
      found[`office ${viewport.width}`] = await seriousViolations(page);
      for (const [name, route, ready] of [
        ["unit", `#/unit/${SCOPED_UNIT}`, "[data-list=overdue]"],
        ["quality", "#/quality", "#u-h"],
        ["downloads", "#/downloads", ".downloads"],
      ] as const) {
        await go(page, route);
        await page.waitForSelector(ready);
        await idle(page);
        found[`${name} ${viewport.width}`] = await seriousViolations(page);
      }
      await go(page, `#/unit/${SCOPED_UNIT}`);
      await page.waitForSelector("[data-list=overdue] a.dossier-id");
      await page.click("[data-list=overdue] a.dossier-id");
      await page.waitForSelector(".timeline");
      found[`dossier ${viewport.width}`] = await seriousViolations(page);
      await page.click("button.signout");
      await page.waitForSelector("form.signin");
      found[`sign-in ${viewport.width}`] = await seriousViolations(page);
    }
    const phone = await open(d.reader, "", { width: 390, height: 844 }, true);
    await phone.page.waitForSelector("#units-h");
    found["office 390"] = await seriousViolations(phone.page);
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
  });

  it("says why a view could not load in the page's language, the API's own message apart", async () => {
    const { page } = await open(d.reader);
    await page.waitForSelector("#units-h");
    await go(page, "#/unit/khong-co-don-vi-nay");
    await page.waitForSelector("main .alert");
    expect(await page.textContent("main .alert")).toBe(
      "Không tải được số liệu: không tìm thấy (kỳ báo cáo, cơ quan hoặc đơn vị này không có trong hệ thống)",
    );
    // The Vietnamese label read in Vietnamese, the API's English message marked English.
    expect(await page.textContent("main p.details")).toBe("Chi tiết kỹ thuật (tiếng Anh): no such unit");
    expect(await page.$eval("main p.details", (p) => p.getAttribute("lang"))).toBeNull();
    expect(await page.textContent("main p.details span[lang=en]")).toBe("no such unit");
    expect(await page.$("main button")).not.toBeNull();
  });

  it("tells a wrong key clearly, and keeps nothing of it", async () => {
    const { page } = await open("dm_r_not-a-key-of-this-office");
    await page.waitForSelector("main .alert");
    expect(await page.textContent("main .alert")).toContain("Khóa không hợp lệ");
    expect(await page.evaluate("sessionStorage.length")).toBe(0);
    expect(page.url()).not.toContain("not-a-key");
    // An integration key is not a reader key either.
    const second = await open(d.integration);
    await second.page.waitForSelector("main .alert");
    expect(await second.page.textContent("main .alert")).toContain("khóa gửi sự kiện");
  });

  it("forgets a key API Gateway's authorizer refuses (403 Forbidden, on any route), as the local stack's refusal", async () => {
    // On AWS the authorizer's "no" is API Gateway's own answer, not the handler's words.
    const forbidden = { status: 403, json: { message: "Forbidden" } };
    const first = await open(undefined);
    await first.page.route(
      (url) => url.pathname.endsWith("/me"),
      (route) => route.fulfill(forbidden),
    );
    await signInByLink(first.page, d.reader);
    await first.page.waitForSelector("main .alert + p + form.signin");
    expect(await first.page.textContent("main .alert")).toContain("Khóa không hợp lệ");
    expect(await first.page.evaluate("sessionStorage.length")).toBe(0);
    // A key revoked while the page is open: the next page's request is refused the same way.
    const { page } = await open(d.reader);
    await page.waitForSelector("#units-h");
    await page.route(
      (url) => url.pathname.endsWith("/kpis"),
      (route) => route.fulfill(forbidden),
    );
    await page.evaluate(`location.hash = "#/unit/${SCOPED_UNIT}"`);
    await page.waitForSelector("main .alert + p + form.signin");
    expect(await page.evaluate("sessionStorage.length")).toBe(0);
  });

  it("keeps signing out and a working retry when the key's first request fails", async () => {
    const first = await open(undefined);
    let failing = true;
    await first.page.route(
      (url) => url.pathname.endsWith("/me"),
      (route) =>
        failing ? route.fulfill({ status: 503, json: { message: "try later" } }) : route.continue(),
    );
    await signInByLink(first.page, d.reader);
    await first.page.waitForSelector("main .alert");
    expect(await first.page.$("header button.signout")).not.toBeNull();
    failing = false;
    await first.page.click("main button");
    await first.page.waitForSelector("#units-h");
  });

  it("answers a malformed address with the page's own words, not a page stuck loading", async () => {
    const { page, errors } = await open(d.reader);
    await page.waitForSelector("#units-h");
    await page.evaluate(`location.hash = "#/unit/%E0"`);
    await page.waitForSelector("main .alert");
    expect(await page.textContent("main .alert")).toContain("không tìm thấy");
    expect(errors).toEqual([]);
  });

  it("signs out: session storage is cleared and the figures are gone", async () => {
    const { page } = await open(d.reader);
    await page.waitForSelector("#units-h");
    await page.click("button.signout");
    await page.waitForSelector("form.signin");
    expect(await page.evaluate("sessionStorage.length")).toBe(0);
    expect(await page.$$(".cards")).toHaveLength(0);
    expect(await page.textContent("main")).toContain("Đã đăng xuất");
  });

  it("downloads form II.06a and the exports from the API's own endpoints", async () => {
    const { page } = await open(d.reader);
    await page.waitForSelector("#units-h");
    await page.click("a[href='#/downloads']");
    await page.waitForSelector(".downloads");
    const names: string[] = [];
    for (const button of await page.$$("button.download")) {
      const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
      names.push(download.suggestedFilename());
    }
    expect(names).toHaveLength(3);
    expect(names.filter((n) => n.endsWith(".xlsx"))).toHaveLength(2);
    expect(names.filter((n) => n.endsWith(".csv"))).toHaveLength(1);
  });

  it("lets the office's reader download any agency's figures and form, the whole office first", async () => {
    const { page } = await open(d.reader);
    await page.waitForSelector("#units-h");
    await go(page, "#/downloads");
    await page.waitForSelector("select.download-scope");
    const options = await page.$$eval("select.download-scope option", (os) =>
      os.map((o) => [o.getAttribute("value"), o.textContent?.trim()]),
    );
    expect(options[0]).toEqual(["", "Toàn cơ quan"]);
    expect(options.map((o) => o[0])).toContain(SCOPED_AGENCY);
    expect(options.map((o) => o[0])).not.toContain(TREE_ROOT);
    expect(options.map((o) => o[1]).join(" ")).not.toMatch(/khoi-|phong-/);
    const files = async () => {
      const names: string[] = [];
      for (const button of await page.$$("button.download")) {
        const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
        names.push(download.suggestedFilename());
      }
      return names;
    };
    const whole = await files();
    expect(whole.join(" ")).not.toContain(SCOPED_AGENCY);
    await page.selectOption("select.download-scope", SCOPED_AGENCY);
    const agency = await files();
    expect(agency).toHaveLength(3);
    for (const name of agency) expect(name).toContain(SCOPED_AGENCY);
  });

  it("lets a key of several units pick which one's figures to download", async () => {
    const twoUnits = await createApiKey(d.stack.store, {
      name: "two departments",
      role: "reader",
      source: "dashboard-two-units",
      ratePerSecond: STILL_CLOCK_RATE,
      units: [SCOPED_UNIT, "phong-tu-phap"],
    });
    const { page } = await open(twoUnits);
    await page.waitForSelector("main h1");
    await go(page, "#/downloads");
    await page.waitForSelector("select.download-scope");
    const options = await page.$$eval("select.download-scope option", (os) => os.map((o) => o.textContent));
    expect(options).toEqual(["Phòng Tài nguyên và Môi trường", "Phòng Tư pháp"]);
    const csv = async () => {
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click("button.download >> nth=0"),
      ]);
      return download.suggestedFilename();
    };
    expect(await csv()).toMatch(new RegExp(`-${SCOPED_UNIT}\\.csv$`));
    await page.selectOption("select.download-scope", "phong-tu-phap");
    expect(await csv()).toMatch(/-phong-tu-phap\.csv$/);
  });
});

interface Figures {
  received: { total: number };
  resolved: { early: number; onTime: number; late: number };
  pending: { withinDeadline: number; overdue: number };
  rates: { onTime: number | null };
}
interface AgencyNode {
  id: string;
  kind: "agency" | "unit";
  parentId: string | null;
  figures: Figures;
}

async function readAs<T>(key: string, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: (await res.json()) as T };
}

/** The figures as the cards print them: label then number, Vietnamese grouping. */
const vi = (x: number) => new Intl.NumberFormat("vi-VN").format(x);
function cardTexts(f: Figures): string[] {
  return [
    `Tiếp nhận${vi(f.received.total)}`,
    `Giải quyết trước và đúng hạn${vi(f.resolved.early + f.resolved.onTime)}`,
    `Trễ hạn${vi(f.resolved.late)}`,
    `Đang giải quyết, quá hạn${vi(f.pending.overdue)}`,
  ];
}

/** The seed quarter: the stack's clock is past it, so every read names it as the page does. */
const P = SEED_PERIOD.name;

/**
 * The order the children are ranked in: overdue and nothing resolved first, then the worst on-time
 * rate (more overdue on a tie), nothing resolved and nothing overdue last.
 */
const worstFirst = (a: AgencyNode, b: AgencyNode) => {
  const key = (x: AgencyNode) => x.figures.rates.onTime ?? (x.figures.pending.overdue > 0 ? -1 : 2);
  return key(a) - key(b) || b.figures.pending.overdue - a.figures.pending.overdue;
};

describe("the dashboard on the agency tree", () => {
  it("shows a node's figures as GET /kpis?agency= answers them, and its children worst first", async () => {
    const kpis = await readAs<Figures>(d.reader, `/kpis?period=${P}&agency=${SCOPED_AGENCY}`);
    expect(kpis.status).toBe(200);
    expect(kpis.body.received.total).toBeGreaterThan(0);
    const tree = await readAs<{ nodes: AgencyNode[] }>(d.reader, `/agencies?period=${P}`);
    expect(tree.status).toBe(200);
    // GET /agencies's roll-up gives each node what its own counters give.
    for (const id of [SCOPED_AGENCY, OTHER_AGENCY, TREE_ROOT]) {
      const own = await readAs<Figures>(d.reader, `/kpis?period=${P}&agency=${id}`);
      expect(tree.body.nodes.find((x) => x.id === id)?.figures).toMatchObject({
        received: own.body.received,
        resolved: own.body.resolved,
        pending: own.body.pending,
        rates: own.body.rates,
      });
    }
    // The root is the whole office: the seed report's figures.
    expect(tree.body.nodes.find((x) => x.id === TREE_ROOT)?.figures.received.total).toBe(5520);

    const { page, errors } = await open(d.reader);
    await page.waitForSelector("#units-h");
    await page.click("a[href='#/agency']");
    await page.waitForSelector("#children-h");
    expect(await page.textContent("h1")).toBe("UBND huyện");
    await page.selectOption("#agency", SCOPED_AGENCY);
    await page.waitForSelector("h1:text-is('Khối đất đai')");
    await idle(page);
    const cards = (await page.textContent(".cards")) ?? "";
    for (const text of cardTexts(kpis.body)) expect(cards).toContain(text);
    const shown = await page.$$eval("#children-h ~ .table-wrap a[data-node]", (as) =>
      as.map((a) => a.getAttribute("data-node")),
    );
    const children = tree.body.nodes.filter((x) => x.parentId === SCOPED_AGENCY).sort(worstFirst);
    expect(shown).toEqual(children.map((x) => x.id));
    expect(shown.sort()).toEqual(["cn-vpdk-dat-dai", "phong-tnmt"]);
    // Names, never ids, in the table and the picker.
    expect(await page.textContent("#children-h ~ .table-wrap tbody")).not.toMatch(/phong-|cn-vpdk/);
    expect(await page.textContent(".crumbs")).toContain("UBND huyện");
    expect(errors).toEqual([]);
  });

  it("says why a node has no previous period beside this one: not shown, not reported then (404), or not loaded", async () => {
    // This stack shows one period: none shown before it.
    const first = await open(d.reader);
    await first.page.waitForSelector("#units-h");
    expect(await first.page.textContent("#figures-h ~ .note")).toContain(
      "Kỳ trước không nằm trong các kỳ xem được",
    );
    // A period before it added to /me's list, answered as the API answers a commune formed after
    // it (404), then as a failure.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const before = { name: "2022-Q2", from: "2022-04-01", to: "2022-06-30" };
    await page.route(
      (url) => url.pathname.endsWith("/me"),
      async (route) => {
        const res = await route.fetch();
        const me = (await res.json()) as { periods: unknown[] };
        await route.fulfill({ response: res, json: { ...me, periods: [...me.periods, before] } });
      },
    );
    let status = 404;
    await page.route(
      (url) => url.pathname.endsWith("/kpis") && url.searchParams.get("period") === before.name,
      async (route) => {
        // 200: the stack's own period's figures, as that period's.
        if (status === 200) {
          const url = new URL(route.request().url());
          url.searchParams.set("period", P);
          return route.fulfill({ response: await route.fetch({ url: url.toString() }) });
        }
        return route.fulfill({
          status,
          contentType: "application/json",
          body: JSON.stringify({
            message: `agency ${SCOPED_AGENCY} does not report for period ${before.name}`,
          }),
        });
      },
    );
    await page.goto(`${api}/dashboard#key=${encodeURIComponent(d.reader)}`);
    await page.waitForSelector("#units-h");
    await go(page, `#/agency/${SCOPED_AGENCY}`);
    await idle(page);
    expect(await page.textContent("#figures-h ~ .note")).toContain("khi đó nó chưa có trong cây tổ chức");
    status = 503;
    await go(page, `#/agency/${TREE_ROOT}`);
    await idle(page);
    expect(await page.textContent("#figures-h ~ .note")).toContain("Không tải được số liệu kỳ trước");
    // The agency chosen in a period it does not report in (its /kpis answering 404): said so, the
    // picker kept to go elsewhere (the stack's period's tree, without the agency, as that period's).
    status = 404;
    await page.route(
      (url) => url.pathname.endsWith("/agencies") && url.searchParams.get("period") === before.name,
      async (route) => {
        const url = new URL(route.request().url());
        url.searchParams.set("period", P);
        // The tree of that period, without the agency (not in it then).
        const res = await route.fetch({ url: url.toString() });
        const tree = (await res.json()) as { nodes: { id: string }[] };
        await route.fulfill({
          response: res,
          json: { ...tree, nodes: tree.nodes.filter((x) => x.id !== SCOPED_AGENCY) },
        });
      },
    );
    await go(page, `#/agency/${SCOPED_AGENCY}`);
    await idle(page);
    await page.selectOption("#period", before.name);
    await page.waitForSelector("main p.note[role=status]");
    expect(await page.textContent("main")).toContain("không có trong cây tổ chức ở kỳ đã chọn");
    expect(await page.$$("#agency")).toHaveLength(1);
    // The picker shows a placeholder, so that any agency of its list, the first too, can be chosen.
    expect(await page.$eval("#agency", (el) => (el as unknown as { value: string }).value)).toBe("");
    // A previous period with figures: its final ones, which a note says (the email's are the same point's).
    status = 200;
    await page.selectOption("#period", P);
    await page.waitForSelector(".compare-basis");
    expect(await page.textContent(".compare-basis")).toContain("số liệu cuối cùng của kỳ đó");
    expect(errors).toEqual([]);
  });

  it("lets a keyboard user step through the agency picker: one page for the choice it settles on, the picker kept focused", async () => {
    const { page, errors } = await open(d.reader);
    await page.waitForSelector("#units-h");
    await go(page, "#/agency");
    await idle(page);
    const options = await page.$$eval("#agency option", (o) => o.map((x) => x.getAttribute("value")));
    expect(options.length).toBeGreaterThan(2);
    const requests: string[] = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname.endsWith("/agencies")) requests.push(r.url());
    });
    // The page's time stopped: the choice settles when the test lets 300 ms pass, not when a busy
    // machine happens to leave that long between two key presses.
    await page.clock.install();
    await page.clock.pauseAt(Date.now() + 60_000);
    await page.focus("#agency");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    expect(requests).toHaveLength(0);
    await page.clock.runFor(300);
    const settled = `#/agency/${options[2]}`;
    await page.waitForFunction(
      (h) => (globalThis as unknown as { document: Doc }).document.querySelector("main")?.dataset.shown === h,
      settled,
    );
    // One page drawn, for the option the keys stopped on; the keys still on the picker.
    expect(requests).toHaveLength(1);
    expect(await page.evaluate("document.activeElement && document.activeElement.id")).toBe("agency");
    expect(await page.inputValue("#agency")).toBe(options[2]);
    expect(errors).toEqual([]);
  });

  it("opens an agency-scoped reader on its own node, shows it its subtree only, and it is refused elsewhere", async () => {
    const { page, urls } = await open(d.agencyScoped);
    await page.waitForSelector("#children-h");
    expect(await page.textContent("h1")).toBe("Khối đất đai");
    expect(await page.$$eval("#agency option", (o) => o.map((x) => x.getAttribute("value")))).toEqual([
      SCOPED_AGENCY,
    ]);
    expect(await page.$$eval("#nav a", (a) => a.map((x) => x.getAttribute("href")))).toEqual([
      "#/agency",
      "#/unit",
      "#/downloads",
    ]);
    const own = await readAs<Figures>(d.reader, `/kpis?period=${P}&agency=${SCOPED_AGENCY}`);
    const cards = (await page.textContent(".cards")) ?? "";
    for (const text of cardTexts(own.body)) expect(cards).toContain(text);
    // What the API tells it: its subtree, nothing above or beside it.
    const me = await readAs<{ scope: string; tree: { nodes: { id: string }[] }; units: { id: string }[] }>(
      d.agencyScoped,
      "/me",
    );
    expect(me.body.scope).toBe("agencies");
    expect(me.body.tree.nodes.map((x) => x.id).sort()).toEqual([
      "cn-vpdk-dat-dai",
      SCOPED_AGENCY,
      "phong-tnmt",
    ]);
    expect(me.body.units.map((u) => u.id).sort()).toEqual(["cn-vpdk-dat-dai", "phong-tnmt"]);
    const tree = await readAs<{ roots: string[]; nodes: AgencyNode[] }>(
      d.agencyScoped,
      `/agencies?period=${P}`,
    );
    expect(tree.body.roots).toEqual([SCOPED_AGENCY]);
    expect(tree.body.nodes.map((x) => x.id).sort()).toEqual(["cn-vpdk-dat-dai", SCOPED_AGENCY, "phong-tnmt"]);
    expect(tree.body.nodes.find((x) => x.id === SCOPED_AGENCY)?.parentId).toBeNull();
    // Another node by address: the API's refusal, and no figure of it.
    for (const other of [OTHER_AGENCY, TREE_ROOT]) {
      await go(page, `#/agency/${other}`);
      await page.waitForSelector("main .alert");
      expect(await page.textContent("main")).toContain("this key does not read that agency");
      expect(await page.$$(".cards")).toHaveLength(0);
      expect((await readAs(d.agencyScoped, `/kpis?period=${P}&agency=${other}`)).status).toBe(403);
    }
    await go(page, `#/unit/phong-tu-phap`);
    await page.waitForSelector("main .alert");
    expect(await page.textContent("main")).toContain("this key does not read that unit");
    expect((await readAs(d.agencyScoped, "/quality")).status).toBe(403);
    // A key scoped to units reads no agency.
    expect((await readAs(d.scoped, `/agencies?period=${P}`)).status).toBe(403);
    expect((await readAs<{ tree: unknown }>(d.scoped, "/me")).body.tree).toBeNull();
    const reads = urls.filter((u) => u.startsWith(`${api}/`) && !u.startsWith(`${api}/dashboard`));
    expect(reads.some((u) => u.includes("/quarantine") || u.includes("/quality"))).toBe(false);
  });

  it("switches language on the agency view", async () => {
    const { page } = await open(d.agencyScoped);
    await page.waitForSelector("#children-h");
    await page.click("button.lang");
    await page.waitForSelector("h1:text-is('Land block')");
    expect(await page.getAttribute("html", "lang")).toBe("en");
    expect(await page.textContent("#children-h")).toBe(
      "Agencies and units under it by on-time rate (lowest first)",
    );
    expect(await page.textContent("#children-h ~ .table-wrap tbody")).toContain("Natural Resources");
    await page.click("button.lang");
    await page.waitForSelector("h1:text-is('Khối đất đai')");
    expect(await page.textContent("#children-h ~ .table-wrap tbody")).toContain("Tài nguyên và Môi trường");
  });

  it("has no serious or critical accessibility violation on the agency view, on a desktop and a phone", async () => {
    const found: Record<string, string[]> = {};
    for (const [name, key, viewport] of [
      ["office key 1280", d.reader, { width: 1280, height: 900 }],
      ["agency key 390", d.agencyScoped, { width: 390, height: 844 }],
    ] as const) {
      const { page } = await open(key, "", viewport, true);
      await page.waitForSelector(key === d.reader ? "#units-h" : "#children-h");
      if (key === d.reader) {
        await go(page, `#/agency/${TREE_ROOT}`);
        await page.waitForSelector("h1:text-is('UBND huyện')");
        await idle(page);
      }
      found[name] = await seriousViolations(page);
    }
    expect(found).toEqual({ "office key 1280": [], "agency key 390": [] });
  });
});

describe("the data-quality view's unknown-SLA list", () => {
  it("pages through the dossiers whose SLA is unknown as GET /quality pages them", async () => {
    // 60 dossiers whose receipt never arrived (a rating alone): more than one page of 50.
    const events = Array.from({ length: 60 }, (_, i) => ({
      eventId: `dash-orphan-${i}`,
      type: "dossier.rated",
      occurredAt: "2022-10-19T09:00:00+07:00",
      dossierId: `DASH-ORPHAN-${String(i).padStart(3, "0")}`,
      data: { score: 5, channel: "kiosk" },
    }));
    await postAndDrain(events);
    type Page = {
      unknownSla: { dossierId: string }[];
      cursor: string | null;
      orphanDossiers: number;
      anomalies: Record<string, number> | null;
    };
    const first = await readAs<Page>(d.reader, `/quality?period=${P}&limit=50`);
    expect(first.body.unknownSla).toHaveLength(50);
    expect(first.body.cursor).not.toBeNull();
    const second = await readAs<Page>(
      d.reader,
      `/quality?period=${P}&limit=50&cursor=${encodeURIComponent(first.body.cursor as string)}`,
    );
    expect(second.body.unknownSla.length).toBeGreaterThanOrEqual(10);
    // Counted whole, not a page: the two pages' dossiers (the seed's own orphans among them).
    expect(first.body.orphanDossiers).toBe(first.body.unknownSla.length + second.body.unknownSla.length);
    // Counted on the first page only: a later page does not read the whole index again.
    expect(second.body.orphanDossiers).toBeNull();
    expect(second.body.anomalies).toBeNull();
    // The period's anomalies by kind, from the counters: GET /kpis' numbers, and the seed's events
    // after closing among them.
    const kpis = await readAs<{ dataQuality: { orphanDossiers: number; anomalies: Record<string, number> } }>(
      d.reader,
      `/kpis?period=${P}`,
    );
    expect(first.body.anomalies).toEqual(kpis.body.dataQuality.anomalies);
    expect(first.body.anomalies?.after_close).toBeGreaterThan(0);
    expect(kpis.body.dataQuality.orphanDossiers).toBe(first.body.orphanDossiers);

    const { page } = await open(d.reader);
    await page.waitForSelector("#units-h");
    await go(page, `#/quality`);
    await page.waitForSelector("[data-list=unknown-sla] a.dossier-id");
    await idle(page);
    expect(await page.textContent("#u-h")).toContain(`(${first.body.orphanDossiers})`);
    const shown = await page.textContent("section[aria-labelledby=a-h]");
    for (const [kind, count] of Object.entries(first.body.anomalies ?? {}))
      expect(shown).toContain(`${WORDS.vi.anomalyNames[kind]}${formatNumber(count)}`);
    const ids = () =>
      page.$$eval("[data-list=unknown-sla] a.dossier-id", (as) => as.map((a) => a.textContent));
    expect(await ids()).toEqual(first.body.unknownSla.map((x) => x.dossierId));
    expect(await page.textContent(".page-line")).toContain("Trang 1");
    expect(await page.$$("button.first-page")).toHaveLength(0);
    await page.click("button.next-page");
    await page.waitForSelector(".page-line:has-text('Trang 2')");
    expect(await ids()).toEqual(second.body.unknownSla.map((x) => x.dossierId));
    await page.click("button.first-page");
    await page.waitForSelector(".page-line:has-text('Trang 1')");
    expect(await ids()).toEqual(first.body.unknownSla.map((x) => x.dossierId));
  });

  it("says why an event was quarantined in the reader's words, its recorded reason beside it", async () => {
    // A second body under an event id already applied: the API takes it, the consumer keeps it.
    const rating = (score: number) => ({
      eventId: "dash-conflict-0",
      type: "dossier.rated",
      occurredAt: "2022-10-19T09:00:00+07:00",
      dossierId: "DASH-CONFLICT-000",
      data: { score, channel: "kiosk" },
    });
    await postAndDrain([rating(5)]);
    await postAndDrain([rating(1)]);
    const { page } = await open(d.reader);
    await page.waitForSelector("#units-h");
    await go(page, `#/quality`);
    await page.waitForSelector("#q-h ~ .table-wrap");
    const cell = await page.textContent("#q-h ~ .table-wrap tbody");
    expect(cell).toContain("Trùng mã sự kiện đã áp dụng nhưng khác nội dung");
    expect(cell).toContain("conflict: event dash-conflict-0");
    // Its heading counts what still waits, as the KPI email does (GET /quality's quarantineWaiting).
    const quality = await readAs<{ quarantineWaiting: number }>(d.reader, `/quality?period=${P}`);
    expect(quality.body.quarantineWaiting).toBeGreaterThan(0);
    expect(await page.textContent("#q-h")).toContain(`(${quality.body.quarantineWaiting} đang chờ)`);
    // Counts read up to their bound (more left unread) are said as the least there are.
    await page.route(
      (url) => url.pathname.endsWith("/quality"),
      async (route) => {
        const res = await route.fetch();
        const json = {
          ...(await res.json()),
          orphanDossiers: 10_000,
          orphanDossiersAtLeast: true,
          quarantineWaiting: 10_000,
          quarantineWaitingAtLeast: true,
        };
        await route.fulfill({ response: res, json });
      },
    );
    await go(page, "#/");
    await page.waitForSelector("#units-h");
    await go(page, `#/quality`);
    await page.waitForSelector("#q-h:has-text('ít nhất')");
    expect(await page.textContent("#q-h")).toContain("(ít nhất 10.000 đang chờ)");
    expect(await page.textContent("#u-h")).toContain("(ít nhất 10.000)");
  });
});
