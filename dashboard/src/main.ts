import { latePauseNote, noCalendarNote } from "../../lib/domain/report-notes";
import { formatLocalVi, parseInstant } from "../../lib/domain/time";
import {
  formatNumber,
  formatRate,
  periodLabel,
  periodTitle,
  rateTone,
  unnamedCode,
  worstFirst,
} from "../../lib/render/numbers";
import { lineChart, type Series } from "./chart";
import { type Child, h, type RankingWords, rankingTable, s, table } from "./dom";
import { type Lang, WORDS, type Words } from "./i18n";

/**
 * The dashboard: a page that reads the query API, on its own origin, with a reader key.
 * It never writes. The key arrives in the URL fragment (`/dashboard#key=…`, which browsers never
 * send to a server), moves to session storage (gone when the tab closes, or on signing out) and
 * leaves the address bar at once; requests carry it in `Authorization`, never in a query string.
 */

const KEY = "dossier-monitor.key";
const LANG = "dossier-monitor.lang";
const PERIOD = "dossier-monitor.period";

// The shapes of the API's answers this page reads (docs/openapi.json has them all).
interface Block {
  received: { total: number };
  resolved: { total: number; early: number; onTime: number; late: number };
  withdrawn?: number;
  pending: { total: number; withinDeadline: number; overdue: number };
  rates: { onTime: number | null };
  /** Dossiers whose deadline falls in a year without calendar data (docs/rules.md R6). */
  noCalendar?: number;
  /** Dossiers paused after their due instant (docs/rules.md R3). */
  latePause?: number;
}
interface Report extends Block {
  period: { name?: string; from: string; to: string };
  asOf: string;
  rolling: boolean;
  byUnit: (Block & { unit: string })[];
}
interface Indicator {
  id: string;
  name: { vi: string; en: string };
  rate: number | null;
  reason: { vi: string; en: string } | null;
  fullPointsAt: number | null;
  target?: number | null;
  /** What a computed figure rests on (a rate taken as 1, a condition not applied). */
  notes?: { vi: string; en: string }[];
}
interface Index {
  indicators: Indicator[];
}
/** A node of the agency tree (`GET /me`'s `tree`, `GET /agencies`'s `nodes`). */
interface TreeNode {
  id: string;
  kind: "agency" | "unit";
  name: { vi: string; en: string };
  parentId: string | null;
}
interface Me {
  scope: "office" | "units" | "agencies";
  units: { id: string; name: { vi: string; en: string }; validFrom?: string; validTo?: string }[];
  /** The tree the key reads (null for a key scoped to units); `flat`: one office, no agencies. */
  tree?: { flat: boolean; roots: string[]; nodes: TreeNode[] } | null;
  current: string | null;
  periods: { name: string; from: string; to: string }[];
  domains?: Record<string, { vi: string; en: string }>;
  procedures?: Record<string, { vi: string; en: string }>;
}
interface Trend {
  points: { label: string; indicators: { id: string; rate: number | null }[] }[];
}
interface ListItem {
  dossierId: string;
  unitId: string;
  procedureCode?: string;
  domain?: string;
  receivedAt?: string;
  kpiDueAt?: string;
  appointmentAt?: string;
  apologyIssued: boolean;
}

class AuthError extends Error {}
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const state: { lang: Lang; key: string | null; me: Me | null; period: string | null } = {
  lang: localStorage.getItem(LANG) === "en" ? "en" : "vi",
  key: null,
  me: null,
  period: null,
};
const t = (): Words => WORDS[state.lang];
const n = (x: number) => formatNumber(x, state.lang);
const pct = (r: number | null) => formatRate(r, state.lang);
const main = () => document.getElementById("main") as HTMLElement;

/**
 * `2022-08-29T07:45:38.640+07:00` → `29/08/2022 07:45`, and a local date `2022-08-29` → `29/08/2022`.
 * An instant is shown in office time whatever its offset: a dossier's events keep the offset their
 * producer wrote (`2022-06-30T18:30:00Z` is 01/07/2022 01:30 in Hà Nội, a day of the next quarter).
 */
function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  if (/^\d{4}-\d{2}-\d{2}T/.test(iso)) {
    const ms = parseInstant(iso);
    if (ms !== undefined) return formatLocalVi(ms);
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** Names of units outside the key's own that the dossier on screen mentions (its answer's `unitNames`). */
let mentioned: Record<string, { vi: string; en: string }> = {};

/** A period by its name as people read it ("Quý III/2022"), or its dates; its name (a key) is not shown. */
function periodShown(name: string): string {
  const p = state.me?.periods.find((x) => x.name === name);
  return p ? periodTitle(p, state.lang) : periodLabel(name, state.lang) || name;
}

/** A code shown because no name exists for it, said so (names are shown, never ids). */
const unnamed = (code: string) => unnamedCode(code, state.lang);

function unitName(id: string | null | undefined): string {
  if (!id) return "—";
  const u = state.me?.units.find((x) => x.id === id);
  return u ? u.name[state.lang] : (mentioned[id]?.[state.lang] ?? unnamed(id));
}

function domainName(code: string | undefined): string {
  if (!code) return "—";
  return state.me?.domains?.[code]?.[state.lang] ?? unnamed(code);
}

function procedure(code: string | undefined): Child {
  if (!code) return "—";
  const name = state.me?.procedures?.[code]?.[state.lang];
  return name ? [name, h("span", { class: "details" }, code)] : unnamed(code);
}

async function api<T>(path: string, params: Record<string, string | undefined> = {}): Promise<T> {
  const res = await request(path, params);
  return (await res.json()) as T;
}

async function request(path: string, params: Record<string, string | undefined>): Promise<Response> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  const qs = q.toString();
  const res = await fetch(`${path}${qs ? `?${qs}` : ""}`, {
    headers: { authorization: `Bearer ${state.key ?? ""}` },
    cache: "no-store",
    credentials: "omit",
    referrerPolicy: "no-referrer",
  });
  if (res.ok) return res;
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  const message = body.message ?? res.statusText;
  if (res.status === 401 || (res.status === 403 && refusedKey(path, message))) throw new AuthError(message);
  throw new ApiError(res.status, message);
}

/**
 * Whether a 403 refuses the key itself, not one page: every reader key reads `/me`, so a refusal
 * there is the key's; on AWS the authorizer's refusal is API Gateway's own answer,
 * `{"message":"Forbidden"}`, on any route (a key revoked while the page is open); locally the
 * stack's words say it.
 */
function refusedKey(path: string, message: string): boolean {
  return path === "/me" || message === "Forbidden" || /^(unknown key|this key posts events)/.test(message);
}

// ---- signing in and out ----

function keyFromFragment(): void {
  // At the fragment's start only, as the links are made: a key further in (`#/unit/x&key=…`) is
  // not taken, so a link cannot slip another key in behind a route.
  const m = /^#key=([^&]+)/.exec(location.hash);
  if (!m?.[1]) return;
  sessionStorage.setItem(KEY, decoded(m[1]));
  // Out of the address bar and the history at once.
  history.replaceState(null, "", `${location.pathname}#/`);
}

function signOut(message?: string): void {
  // A page still loading is left unshown: it would cover the sign-in form.
  ++renderCount;
  sessionStorage.clear();
  state.key = null;
  state.me = null;
  state.period = null;
  signIn(message ?? t().signedOut, message ? "error" : "info");
}

function signIn(message?: string, kind: "error" | "info" = "error"): void {
  renderChrome();
  const input = h("input", {
    id: "key",
    name: "key",
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
  }) as HTMLInputElement;
  const form = h(
    "form",
    {
      class: "signin",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const key = input.value.trim();
        if (!key) return;
        sessionStorage.setItem(KEY, key);
        void start();
      },
    },
    h("label", { for: "key" }, t().keyLabel),
    input,
    h("button", { type: "submit" }, t().signIn),
  );
  main().replaceChildren(
    h(
      "div",
      {},
      h("h1", {}, t().signInTitle),
      message
        ? h(
            "p",
            { class: kind === "error" ? "alert" : "notice", role: kind === "error" ? "alert" : "status" },
            message,
          )
        : null,
      h("p", {}, t().signInIntro),
      form,
    ),
  );
  document.title = `${t().signInTitle} — ${t().title}`;
}

// ---- the frame: navigation, period, language, signing out ----

type View =
  | { name: "office" }
  | { name: "agency"; id?: string }
  | { name: "unit"; id?: string }
  | { name: "dossier"; id: string }
  | { name: "quality" }
  | { name: "downloads" };

/** A part of the address decoded; one that is not valid percent-encoding as it is (`%E0`: no page). */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function currentView(): View {
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decoded);
  switch (parts[0]) {
    case "unit":
      return { name: "unit", id: parts[1] || undefined };
    case "agency":
      return { name: "agency", id: parts[1] || undefined };
    case "dossier":
      return parts[1] ? { name: "dossier", id: parts.slice(1).join("/") } : { name: "office" };
    case "quality":
      return { name: "quality" };
    case "downloads":
      return { name: "downloads" };
    default:
      // A key scoped to agencies opens on its own node, one scoped to units on its unit.
      if (state.me?.scope === "agencies") return { name: "agency" };
      return state.me?.scope === "units" ? { name: "unit" } : { name: "office" };
  }
}

function renderChrome(): void {
  const w = t();
  document.documentElement.lang = state.lang;
  (document.getElementById("skip") as HTMLElement).textContent = w.skip;
  (document.getElementById("brand") as HTMLElement).textContent = w.title;
  const nav = document.getElementById("nav") as HTMLElement;
  nav.setAttribute("aria-label", w.pages);
  const tools = document.getElementById("tools") as HTMLElement;
  const langButton = h(
    "button",
    {
      type: "button",
      class: "lang",
      lang: state.lang === "vi" ? "en" : "vi",
      "aria-label": w.switchLangLabel,
      onclick: () => {
        state.lang = state.lang === "vi" ? "en" : "vi";
        localStorage.setItem(LANG, state.lang);
        if (state.me) void render(false);
        else if (state.key) void start();
        else signIn();
      },
    },
    w.switchLang,
  );
  if (!state.me) {
    nav.replaceChildren();
    // Signed in, its `/me` not read (yet, or it failed): the key can still be given up.
    const signOutButton = state.key
      ? h("button", { type: "button", class: "signout", onclick: () => signOut() }, w.signOut)
      : null;
    tools.replaceChildren(...[langButton, signOutButton].filter((b): b is HTMLElement => b !== null));
    return;
  }
  const view = currentView();
  const office = state.me.scope === "office";
  // The agency tree's view, when the directory has a tree and the key reads some of it.
  const tree = state.me.tree && !state.me.tree.flat && state.me.tree.roots.length > 0;
  const links: [string, string, boolean][] = [
    ...(office ? ([["#/", w.navOffice, view.name === "office"]] as [string, string, boolean][]) : []),
    ...(tree ? ([["#/agency", w.navAgency, view.name === "agency"]] as [string, string, boolean][]) : []),
    ["#/unit", w.navUnit, view.name === "unit" || view.name === "dossier"],
    ...(office
      ? ([["#/quality", w.navQuality, view.name === "quality"]] as [string, string, boolean][])
      : []),
    ["#/downloads", w.navDownloads, view.name === "downloads"],
  ];
  nav.replaceChildren(
    h(
      "ul",
      {},
      ...links.map(([href, label, current]) =>
        h("li", {}, h("a", { href, "aria-current": current ? "page" : undefined }, label)),
      ),
    ),
  );
  const select = h(
    "select",
    {
      id: "period",
      onchange: (e: Event) => {
        const value = (e.target as HTMLSelectElement).value;
        picked("period", () => {
          state.period = value;
          sessionStorage.setItem(PERIOD, value);
          void render(false);
        });
      },
    },
    ...state.me.periods.map((p) =>
      h(
        "option",
        { value: p.name, selected: p.name === state.period },
        [periodLabel(p.name, state.lang), `(${when(p.from)}–${when(p.to)})`].filter(Boolean).join(" "),
      ),
    ),
  );
  tools.replaceChildren(
    h("div", { class: "period" }, h("label", { for: "period" }, w.period), select),
    langButton,
    h("button", { type: "button", class: "signout", onclick: () => signOut() }, w.signOut),
  );
}

async function start(): Promise<void> {
  state.key = sessionStorage.getItem(KEY);
  if (!state.key) return signIn();
  // A key whose `/me` is not read yet (a link with another key while signed in: not the last one's),
  // and a ticket as a page's: a page or a start still loading for the last key is left unshown.
  state.me = null;
  const ticket = ++renderCount;
  // The frame first: a first request that fails still leaves the language and signing out.
  renderChrome();
  main().replaceChildren(h("p", { class: "loading", role: "status" }, t().loading));
  let me: Me;
  try {
    me = await api<Me>("/me");
  } catch (e) {
    if (ticket !== renderCount) return;
    if (e instanceof AuthError) return signOut(t().wrongKey);
    return failed(e);
  }
  if (ticket !== renderCount) return;
  state.me = me;
  const saved = sessionStorage.getItem(PERIOD);
  state.period = state.me.periods.some((p) => p.name === saved)
    ? saved
    : (state.me.current ?? state.me.periods[0]?.name ?? null);
  await render(false);
}

/**
 * What a failed request says to its reader, in the page's language: why, by the answer's status;
 * the API's own message (English, for whoever looks into it) apart, as a detail.
 */
function failureText(e: unknown): { text: string; detail?: string } {
  const w = t();
  const message = (e as Error).message;
  if (!(e instanceof ApiError)) return { text: `${w.failed}: ${w.failures.server}`, detail: message };
  if (e.status === 429) return { text: w.rateLimited };
  if (e.status === 403) return { text: w.forbidden, detail: message };
  const why = w.failures[String(e.status)] ?? w.failures.server;
  return { text: `${w.failed}: ${why}`, detail: message };
}

/** A failure's paragraphs: the reason, and the API's message as its detail. */
function failureNodes(e: unknown): Node[] {
  const { text, detail } = failureText(e);
  return [
    h("p", { class: "alert", role: "alert" }, text),
    detail ? h("p", { class: "details" }, `${t().failureDetail}: `, h("span", { lang: "en" }, detail)) : null,
  ].filter((n): n is HTMLElement => n !== null);
}

function failed(e: unknown): void {
  main().replaceChildren(
    ...failureNodes(e),
    // Before the key's `/me` came, retrying is starting again.
    h("button", { type: "button", onclick: () => void (state.me ? render(false) : start()) }, t().retry),
  );
}

/**
 * The picker (period, agency, unit) whose change is redrawing the page: focused again once it is
 * redrawn, so a keyboard user stays on it. Where the arrow keys change a closed select at each
 * step (Windows), the choice is acted on once it settles, not at each of 150 communes, each of
 * which would fetch a page (and the key's rate is 20 requests a second).
 */
let refocus: string | null = null;
const settling = new Map<string, ReturnType<typeof setTimeout>>();
function picked(id: string, act: () => void): void {
  clearTimeout(settling.get(id));
  settling.set(
    id,
    setTimeout(() => {
      settling.delete(id);
      // The picker whose choice is acted on now: the redraw it causes gives it back the focus.
      refocus = id;
      act();
    }, 300),
  );
}

/** Goes to a route; back on the page shown (the keys came back to it), nothing redraws. */
function go(hash: string): void {
  if (location.hash === hash) refocus = null;
  else location.hash = hash;
}

/**
 * Focuses the picker that asked for the redraw, once redrawn (`within`: the part just drawn, the
 * header or the page); whether it did.
 */
function focusPicker(within: HTMLElement): boolean {
  const again = refocus ? within.querySelector<HTMLElement>(`#${refocus}`) : null;
  if (!again) return false;
  again.focus();
  refocus = null;
  return true;
}

let renderCount = 0;
async function render(focus: boolean): Promise<void> {
  if (!state.me) return;
  renderChrome();
  focusPicker(document.querySelector("header") ?? document.body);
  const ticket = ++renderCount;
  const view = currentView();
  const shown = location.hash;
  const target = main();
  target.setAttribute("aria-busy", "true");
  // Which address the content belongs to, so a reader (or a test) can tell
  // a new page from the one before it.
  delete target.dataset.shown;
  try {
    const content = await viewOf(view);
    // A later navigation won: leave its page alone.
    if (ticket !== renderCount) return;
    target.replaceChildren(...content);
    if (!focusPicker(target) && focus) target.focus();
  } catch (e) {
    if (ticket !== renderCount) return;
    refocus = null;
    if (e instanceof AuthError) return signOut(t().wrongKey);
    failed(e);
  } finally {
    if (ticket === renderCount) {
      target.dataset.shown = shown;
      target.removeAttribute("aria-busy");
    }
  }
}

function viewOf(view: View): Promise<Node[]> {
  switch (view.name) {
    case "office":
      return officeView();
    case "agency":
      return agencyView(view.id);
    case "unit":
      return unitView(view.id);
    case "dossier":
      return dossierView(view.id);
    case "quality":
      return qualityView();
    case "downloads":
      return downloadsView();
  }
}

// ---- (1) the office ----

function periodLine(r: Report): HTMLElement {
  const w = t();
  return h(
    "p",
    { class: "meta" },
    `${r.period.name && periodLabel(r.period.name, state.lang) ? `${periodLabel(r.period.name, state.lang)} · ` : ""}${when(r.period.from)}–${when(r.period.to)} · ${w.asOf} ${when(r.asOf)} (${r.rolling ? w.rolling : w.closed})`,
  );
}

/**
 * The period's figures as cards, with the footnotes the email and the text report carry: they add
 * up to what was received (withdrawn ones shown when there are any), and a figure resting on an
 * unknown calendar year or a late pause says so.
 */
function cards(b: Block): Child {
  const w = t();
  const card = (label: string, value: string, sub?: string, tone?: string) =>
    h(
      "div",
      { class: `card${tone ? ` ${tone}` : ""}` },
      h("dt", {}, label),
      h("dd", {}, h("span", { class: "value" }, value), sub ? h("span", { class: "sub" }, sub) : null),
    );
  const dl = h(
    "dl",
    { class: "cards" },
    card(w.received, n(b.received.total)),
    card(
      w.inTime,
      n(b.resolved.early + b.resolved.onTime),
      `${w.early} ${n(b.resolved.early)} · ${w.onTime} ${n(b.resolved.onTime)}`,
      "good",
    ),
    card(w.late, n(b.resolved.late), undefined, b.resolved.late ? "warn" : undefined),
    b.withdrawn ? card(w.withdrawn, n(b.withdrawn)) : null,
    card(w.pendingWithin, n(b.pending.withinDeadline)),
    card(w.pendingOverdue, n(b.pending.overdue), undefined, b.pending.overdue ? "bad" : undefined),
    card(w.onTimeRate, pct(b.rates.onTime)),
  );
  const notes = [noCalendarNote(b.noCalendar ?? 0, state.lang), latePauseNote(b.latePause, state.lang)];
  return [dl, ...notes.filter(Boolean).map((x) => h("p", { class: "note figures-note" }, x))];
}

/**
 * The previous period's report, or why there is none beside this one: not among the periods shown,
 * not reported then by this node (a commune formed on 2025-07-01 has no earlier quarter: 404), or
 * not loaded (any other failure). Signing out still happens on an expired key.
 */
async function previousReport(
  name: string | null,
  params: Record<string, string | undefined>,
): Promise<Report | string> {
  const w = t();
  if (!name) return w.noPrevious;
  try {
    return await api<Report>("/kpis", { ...params, period: name });
  } catch (e) {
    if (e instanceof AuthError) throw e;
    return e instanceof ApiError && e.status === 404 ? w.previousNotReported : w.previousFailed;
  }
}

function compareTable(current: Report, previous: Report | string, previousName: string | null): Child {
  const w = t();
  const rows: [string, (b: Block) => string][] = [
    [w.received, (b) => n(b.received.total)],
    [w.resolvedEarly, (b) => n(b.resolved.early)],
    [w.resolvedOnTime, (b) => n(b.resolved.onTime)],
    [w.resolvedLate, (b) => n(b.resolved.late)],
    // Withdrawn dossiers, when either period has some (the cards show them likewise).
    ...(current.withdrawn || (typeof previous !== "string" && previous.withdrawn)
      ? ([[w.withdrawn, (b) => n(b.withdrawn ?? 0)]] as [string, (b: Block) => string][])
      : []),
    [w.pendingWithin, (b) => n(b.pending.withinDeadline)],
    [w.pendingOverdue, (b) => n(b.pending.overdue)],
    [w.onTimeRate, (b) => pct(b.rates.onTime)],
  ];
  return [
    h("h3", {}, w.compareHeading),
    table(
      w.compareHeading,
      [
        w.indicator,
        `${w.thisPeriod} (${periodTitle(current.period, state.lang)})`,
        `${w.previousPeriod}${previousName ? ` (${periodShown(previousName)})` : ""}`,
      ],
      rows.map(([label, get]) => [label, get(current), typeof previous === "string" ? "—" : get(previous)]),
      [false, true, true],
    ),
    // The previous period's final figures, where the weekly email has its snapshot at the same
    // point of the period: said, so that a reader of both knows why they differ.
    typeof previous === "string"
      ? h("p", { class: "note" }, previous)
      : h("p", { class: "note compare-basis" }, w.previousBasis),
  ];
}

const COLOURS = ["#1f5fbf", "#8a3ffc", "#0b7a6a", "#a15c00"];

function indexSection(index: Index, trend: Trend | null): HTMLElement {
  const w = t();
  const lang = state.lang;
  // The deployment's target, when it sets one; the rate for full points is the index's scale, shown
  // apart (it is not a target anyone set).
  const rows = index.indicators.map((i) => {
    const target = i.target ?? null;
    const status =
      i.rate === null
        ? w.notComputed
        : target === null
          ? w.noTarget
          : i.rate >= target
            ? h("span", { class: "tag good" }, w.meets)
            : h("span", { class: "tag bad" }, w.below);
    return [
      h("span", {}, `${i.id} · ${i.name[lang]}`),
      i.rate === null ? h("span", { class: "reason" }, i.reason?.[lang] ?? "—") : pct(i.rate),
      target === null ? "—" : pct(target),
      i.fullPointsAt === null ? "—" : pct(i.fullPointsAt),
      status,
    ];
  });
  const section = h(
    "section",
    { "aria-labelledby": "index-h" },
    h("h2", { id: "index-h" }, w.indexHeading),
    table(w.indexHeading, [w.indicator, w.indexRate, w.indexTarget, w.indexFull, w.indexStatus], rows, [
      false,
      true,
      true,
      true,
      false,
    ]),
  );
  // What the computed figures rest on, as the email and the text report say it (docs/official.md).
  const noted = index.indicators.filter((i) => i.rate !== null && i.notes?.length);
  if (noted.length)
    section.append(
      h(
        "ul",
        { class: "notes", "aria-label": w.indexNotes },
        ...noted.map((i) => h("li", {}, `${i.id}: ${(i.notes ?? []).map((n) => n[lang]).join(" ")}`)),
      ),
    );
  if (trend && trend.points.length > 0) {
    const shown = index.indicators.filter((i) =>
      trend.points.some((p) => p.indicators.some((x) => x.id === i.id && x.rate !== null)),
    );
    const labels = trend.points.map((p) => (p.label === "now" ? w.now : p.label));
    const series: Series[] = shown.map((i, k) => ({
      name: `${i.id} · ${i.name[lang]}`,
      values: trend.points.map((p) => p.indicators.find((x) => x.id === i.id)?.rate ?? null),
      target: i.target ?? null,
      colour: COLOURS[k % COLOURS.length] as string,
    }));
    // No indicator with a rate yet (a period's first days): no chart to draw.
    if (series.length > 0)
      section.append(
        h("h3", {}, w.trendHeading),
        h(
          "figure",
          { class: "trend" },
          lineChart(
            labels,
            series,
            `${w.trendHeading}: ${series.map((x) => `${x.name} ${pct(x.values.at(-1) ?? null)}`).join("; ")}`,
            (v) => pct(v),
          ),
          h(
            "figcaption",
            {},
            h(
              "ul",
              { class: "legend" },
              ...series.map((x) =>
                h(
                  "li",
                  {},
                  s(
                    "svg",
                    { width: 18, height: 10, "aria-hidden": "true" },
                    s("rect", { width: 18, height: 10, rx: 2, fill: x.colour }),
                  ),
                  ` ${x.name}`,
                ),
              ),
            ),
            h("p", { class: "note" }, w.trendNote),
          ),
        ),
        h(
          "details",
          {},
          h("summary", {}, w.trendData),
          table(
            w.trendData,
            [w.week, ...series.map((x) => x.name)],
            labels.map((l, i) => [l, ...series.map((x) => pct(x.values[i] ?? null))]),
            [false, ...series.map(() => true)],
          ),
        ),
      );
  }
  return section;
}

function rateBar(r: number | null): Child {
  if (r === null) return null;
  return s(
    "svg",
    { class: "bar", viewBox: "0 0 100 8", "aria-hidden": "true", preserveAspectRatio: "none" },
    s("rect", { width: 100, height: 8, class: "bar-bg" }),
    s("rect", { width: Math.round(r * 100), height: 8, class: `bar-${rateTone(r)}` }),
  );
}

/** A ranking row's figures: received, early or on time, late, overdue, and the rate with its bar. */
function figureCells(b: Block): Child[] {
  return [
    n(b.received.total),
    n(b.resolved.early + b.resolved.onTime),
    n(b.resolved.late),
    n(b.pending.overdue),
    h(
      "span",
      { class: "rate" },
      b.rates.onTime === null ? t().noRate : pct(b.rates.onTime),
      rateBar(b.rates.onTime),
    ),
  ];
}

/** What each of {@link figureCells} sorts by. */
const figureKeys = (b: Block) => [
  b.received.total,
  b.resolved.early + b.resolved.onTime,
  b.resolved.late,
  b.pending.overdue,
  b.rates.onTime,
];

/** A ranking's words; `sortedBy` titles it while a column orders it. */
function rankingWords(sortedBy: RankingWords["sortedBy"]): RankingWords {
  const w = t();
  return { filter: w.filterByName, shown: (s, all) => w.rowsShown(n(s), n(all)), lang: state.lang, sortedBy };
}

function unitsRanking(report: Report): HTMLElement {
  const w = t();
  const ranked = [...report.byUnit].sort(worstFirst);
  const heading = h("h2", { id: "units-h" }, w.unitsHeading);
  // A period with no dossier yet (a new deployment, the first days of a quarter): said, not an empty table.
  if (ranked.length === 0)
    return h("section", { "aria-labelledby": "units-h" }, heading, h("p", { class: "note" }, w.none));
  return h(
    "section",
    { "aria-labelledby": "units-h" },
    heading,
    rankingTable(
      w.unitsHeading,
      [w.unit, w.received, w.inTime, w.late, w.pendingOverdue, w.onTimeRate],
      ranked.map((u) => ({
        cells: [
          h("a", { href: `#/unit/${encodeURIComponent(u.unit)}` }, unitName(u.unit)),
          ...figureCells(u),
        ],
        keys: [unitName(u.unit), ...figureKeys(u)],
      })),
      [false, true, true, true, true, true],
      rankingWords(w.unitsSorted),
      heading,
    ),
  );
}

function previousOf(name: string | null): string | null {
  const periods = state.me?.periods ?? [];
  const i = periods.findIndex((p) => p.name === name);
  return i >= 0 ? (periods[i + 1]?.name ?? null) : null;
}

async function officeView(): Promise<Node[]> {
  const w = t();
  const period = state.period ?? undefined;
  const prevName = previousOf(state.period);
  const [report, previous, index, trend] = await Promise.all([
    api<Report>("/kpis", { period }),
    previousReport(prevName, {}),
    // The whole's indicators only: each unit's block would be megabytes for a province.
    api<Index>("/kpis/index", { period, byUnit: "false" }),
    api<Trend>("/kpis/trend", { period }).catch(() => null),
  ]);
  document.title = `${w.officeHeading} — ${w.title}`;
  return [
    h("h1", {}, w.officeHeading),
    periodLine(report),
    h(
      "section",
      { "aria-labelledby": "figures-h" },
      h("h2", { id: "figures-h" }, w.figures),
      cards(report),
      compareTable(report, previous, prevName),
    ),
    indexSection(index, trend),
    unitsRanking(report),
  ];
}

// ---- (1b) a node of the agency tree ----

interface AgencyNode extends TreeNode {
  figures: Block;
}
interface Agencies {
  period: string;
  roots: string[];
  nodes: AgencyNode[];
}

/** A rate's order, worst first, nodes with nothing resolved last. */
/** The node's chain from the key's own top node down to it, within what the key reads. */
function chainOf(nodes: Map<string, TreeNode>, id: string): TreeNode[] {
  const out: TreeNode[] = [];
  for (let c = nodes.get(id); c && !out.includes(c); c = c.parentId ? nodes.get(c.parentId) : undefined)
    out.unshift(c);
  return out;
}

function agencyPicker(nodes: Map<string, TreeNode>, id: string): HTMLElement {
  const w = t();
  const agencies = [...nodes.values()].filter((x) => x.kind === "agency");
  // In the tree's order: each agency after its parent, indented by its depth.
  const ordered: TreeNode[] = [];
  const visit = (parent: string | null) => {
    for (const a of agencies.filter((x) => x.parentId === parent)) {
      if (ordered.includes(a)) continue;
      ordered.push(a);
      visit(a.id);
    }
  };
  visit(null);
  return h(
    "div",
    { class: "picker" },
    h("label", { for: "agency" }, w.chooseAgency),
    h(
      "select",
      {
        id: "agency",
        onchange: (e: Event) => {
          const value = (e.target as HTMLSelectElement).value;
          picked("agency", () => go(`#/agency/${encodeURIComponent(value)}`));
        },
      },
      // An agency not in this period's tree: a placeholder is the choice shown, so that choosing
      // any agency of the list, the first included, goes there.
      ordered.some((a) => a.id === id)
        ? null
        : h("option", { value: "", selected: true, disabled: true }, w.chooseAgency),
      ...ordered.map((a) =>
        h(
          "option",
          { value: a.id, selected: a.id === id },
          `${"— ".repeat(chainOf(nodes, a.id).length - 1)}${a.name[state.lang]}`,
        ),
      ),
    ),
  );
}

function breadcrumb(nodes: Map<string, TreeNode>, id: string): HTMLElement {
  const chain = chainOf(nodes, id);
  return h(
    "nav",
    { class: "crumbs", "aria-label": t().treePath },
    h(
      "ol",
      {},
      ...chain.map((c) =>
        h(
          "li",
          {},
          c.id === id
            ? h("span", { "aria-current": "page" }, c.name[state.lang])
            : h("a", { href: `#/agency/${encodeURIComponent(c.id)}` }, c.name[state.lang]),
        ),
      ),
    ),
  );
}

/** The agencies and units directly under the node, worst on-time rate first. */
function childrenRanking(tree: Agencies, id: string): HTMLElement {
  const w = t();
  const children = tree.nodes
    .filter((x) => x.parentId === id)
    .sort((a, b) => worstFirst(a.figures, b.figures));
  const heading = h("h2", { id: "children-h" }, w.childrenHeading);
  return h(
    "section",
    { "aria-labelledby": "children-h" },
    heading,
    children.length === 0
      ? h("p", { class: "note" }, w.none)
      : rankingTable(
          w.childrenHeading,
          [w.node, w.nodeKind, w.received, w.inTime, w.late, w.pendingOverdue, w.onTimeRate],
          children.map((c) => {
            const kind = c.kind === "agency" ? w.kindAgency : w.kindUnit;
            return {
              cells: [
                h(
                  "a",
                  { href: `#/${c.kind}/${encodeURIComponent(c.id)}`, "data-node": c.id },
                  c.name[state.lang],
                ),
                kind,
                ...figureCells(c.figures),
              ],
              keys: [c.name[state.lang], kind, ...figureKeys(c.figures)],
            };
          }),
          [false, false, true, true, true, true, true],
          rankingWords(w.childrenSorted),
          heading,
        ),
  );
}

async function agencyView(given: string | undefined): Promise<Node[]> {
  const w = t();
  const id = given ?? state.me?.tree?.roots[0];
  if (!id) return [h("h1", {}, w.navAgency), h("p", { class: "note" }, w.noTree)];
  const period = state.period ?? undefined;
  const prevName = previousOf(state.period);
  // An agency not in the tree in the period chosen (a commune formed later, one merged before)
  // answers 404: said so, with the picker to go elsewhere, not as the view failing.
  const notReported = (e: unknown) => {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  };
  const [report, previous, index, tree] = await Promise.all([
    api<Report>("/kpis", { period, agency: id }).catch(notReported),
    previousReport(prevName, { agency: id }),
    api<Index>("/kpis/index", { period, agency: id, byUnit: "false" }).catch(notReported),
    api<Agencies>("/agencies", { period }),
  ]);
  const nodes = new Map<string, TreeNode>(tree.nodes.map((x) => [x.id, x]));
  const known = nodes.get(id) ?? state.me?.tree?.nodes.find((x) => x.id === id);
  const name = known?.name[state.lang] ?? id;
  document.title = `${name} — ${w.title}`;
  if (!report || !index)
    return [
      breadcrumb(nodes, id),
      h("h1", {}, name),
      agencyPicker(nodes, id),
      h("p", { class: "note", role: "status" }, w.agencyNotInPeriod),
    ];
  return [
    breadcrumb(nodes, id),
    h("h1", {}, name),
    agencyPicker(nodes, id),
    periodLine(report),
    h(
      "section",
      { "aria-labelledby": "figures-h" },
      h("h2", { id: "figures-h" }, w.agencyFigures),
      cards(report),
      compareTable(report, previous, prevName),
    ),
    indexSection(index, null),
    childrenRanking(tree, id),
  ];
}

// ---- (2) a unit ----

/** A list of dossiers as shown: its first pages, and whether the API had more. */
interface Shown {
  items: ListItem[];
  more: boolean;
}

async function allPages(unit: string, sla: string): Promise<Shown> {
  const items: ListItem[] = [];
  let cursor: string | undefined;
  // At most a thousand per list: a department's list, not the table; more is said, never hidden.
  for (let i = 0; i < 5; i++) {
    const page = await api<{ items: ListItem[]; cursor: string | null }>("/dossiers", {
      unit,
      sla,
      limit: "200",
      cursor,
    });
    items.push(...page.items);
    if (!page.cursor) return { items, more: false };
    cursor = page.cursor;
  }
  return { items, more: true };
}

/** A list of a unit's dossiers; `capped`: what to say when the API had more than it shows. */
function dossierTable(caption: string, { items, more }: Shown, id: string, capped: string): HTMLElement {
  const w = t();
  return h(
    "section",
    { "aria-labelledby": id, class: "list", "data-list": id },
    h("h3", { id }, `${caption} `, h("span", { class: "count" }, `(${n(items.length)}${more ? "+" : ""})`)),
    more ? h("p", { class: "note" }, capped) : null,
    items.length === 0
      ? h("p", { class: "note" }, w.none)
      : table(
          caption,
          [w.dossier, w.procedure, w.domain, w.receivedAt, w.dueAt, w.apology],
          items.map((d) => [
            h(
              "a",
              { href: `#/dossier/${encodeURIComponent(d.dossierId)}`, class: "dossier-id" },
              d.dossierId,
            ),
            procedure(d.procedureCode),
            domainName(d.domain),
            when(d.receivedAt),
            when(d.kpiDueAt),
            d.apologyIssued ? w.yes : w.no,
          ]),
        ),
  );
}

type MeUnit = Me["units"][number];

/** The units in force at some time in the period shown (all of them when no period is known). */
function unitsOfPeriod(units: readonly MeUnit[]): MeUnit[] {
  const period = state.me?.periods.find((p) => p.name === state.period);
  if (!period) return [...units];
  return units.filter(
    (u) =>
      (u.validFrom === undefined || u.validFrom <= period.to) &&
      (u.validTo === undefined || u.validTo >= period.from),
  );
}

/**
 * The unit picker's options: the units in force in the period (a province's directory keeps its
 * retired communes), grouped under their agency by name when the key reads a tree, in name order;
 * the unit shown is always among them.
 */
function unitOptions(units: readonly MeUnit[], shown: string): Child[] {
  const byName = (a: MeUnit, b: MeUnit) => a.name[state.lang].localeCompare(b.name[state.lang], state.lang);
  const listed = unitsOfPeriod(units);
  const current = units.find((u) => u.id === shown);
  if (current && !listed.includes(current)) listed.push(current);
  const option = (u: MeUnit) => h("option", { value: u.id, selected: u.id === shown }, u.name[state.lang]);
  const tree = state.me?.tree;
  if (!tree || tree.flat) return listed.sort(byName).map(option);
  // Grouped by the agency above each unit in today's tree (the one /me gives): a unit retired since,
  // shown for an earlier period, is in no agency of it and is grouped apart, said so.
  const nodes = new Map(tree.nodes.map((n) => [n.id, n]));
  const groups = new Map<string, { label: string; list: MeUnit[] }>();
  for (const u of listed) {
    const parent = nodes.get(nodes.get(u.id)?.parentId ?? "");
    const key = parent?.id ?? "";
    const group = groups.get(key) ?? { label: parent?.name[state.lang] ?? t().otherUnits, list: [] };
    group.list.push(u);
    groups.set(key, group);
  }
  // Units outside today's tree (key "") last, the agencies by name.
  return [...groups]
    .sort(
      ([ka, a], [kb, b]) =>
        Number(ka === "") - Number(kb === "") || a.label.localeCompare(b.label, state.lang),
    )
    .map(([, { label, list }]) => h("optgroup", { label }, ...list.sort(byName).map(option)));
}

async function unitView(id: string | undefined): Promise<Node[]> {
  const w = t();
  const units = state.me?.units ?? [];
  const unit = id ?? unitsOfPeriod(units)[0]?.id ?? units[0]?.id;
  if (!unit) return [h("p", { class: "note" }, w.none)];
  const [report, nearDue, overdue, paused] = await Promise.all([
    api<Report>("/kpis", { period: state.period ?? undefined, unit }),
    allPages(unit, "near_due"),
    allPages(unit, "overdue"),
    allPages(unit, "paused"),
  ]);
  document.title = `${unitName(unit)} — ${w.title}`;
  const picker = h(
    "div",
    { class: "picker" },
    h("label", { for: "unit" }, w.chooseUnit),
    h(
      "select",
      {
        id: "unit",
        onchange: (e: Event) => {
          const value = (e.target as HTMLSelectElement).value;
          picked("unit", () => go(`#/unit/${encodeURIComponent(value)}`));
        },
      },
      ...unitOptions(units, unit),
    ),
  );
  return [
    h("h1", {}, unitName(unit)),
    picker,
    periodLine(report),
    h("section", { "aria-labelledby": "ufig-h" }, h("h2", { id: "ufig-h" }, w.unitFigures), cards(report)),
    h(
      "section",
      { "aria-labelledby": "lists-h" },
      h("h2", { id: "lists-h" }, w.openByState),
      dossierTable(
        w.overdue,
        overdue,
        "overdue",
        // The lists are today's whatever the period; the figures above are the period's.
        `${w.listCapped(n(overdue.items.length))} ${report.rolling ? w.overdueCounted : w.overdueCountedPast}`,
      ),
      dossierTable(
        w.apologyMissing,
        { items: overdue.items.filter((d) => !d.apologyIssued), more: overdue.more },
        "apology-missing",
        w.apologyCapped(n(overdue.items.length)),
      ),
      dossierTable(w.nearDue, nearDue, "near-due", w.listCapped(n(nearDue.items.length))),
      dossierTable(w.paused, paused, "paused", w.listCapped(n(paused.items.length))),
    ),
  ];
}

// ---- a dossier's timeline ----

interface DossierAnswer {
  dossierId: string;
  state: Record<string, unknown> & {
    unitId?: string;
    sla?: string;
    channel?: string;
    procedureCode?: string;
    domain?: string;
    apologyIssued?: boolean;
    extensions?: number;
    paused?: boolean;
  };
  timeline: {
    eventId: string;
    type: string;
    occurredAt: string;
    data?: Record<string, unknown>;
    anomaly?: string;
    /** Every kind the event was flagged with (`anomaly` is the last of them). */
    anomalies?: string[];
  }[];
  /** The alerts raised for it, with when a digest sent each. */
  alerts?: {
    kind: string;
    unitId?: string;
    raisedAt: string;
    sentAt?: string;
    deskSentAt?: string;
    droppedAt?: string;
  }[];
  /** The names of the units it mentions. */
  unitNames?: Record<string, { vi: string; en: string }>;
}

/** The alerts raised for the dossier, and the digests that sent them. */
function alertsSection(d: DossierAnswer): Node[] {
  const w = t();
  const alerts = d.alerts ?? [];
  return [
    h("h2", {}, w.alertsHeading),
    alerts.length === 0
      ? h("p", {}, w.nothing)
      : h(
          "ol",
          { class: "timeline alerts" },
          ...alerts.map((a) =>
            h(
              "li",
              {},
              h("time", { datetime: a.raisedAt }, when(a.raisedAt)),
              h("strong", {}, w.alertNames[a.kind] ?? a.kind),
              h(
                "span",
                { class: "details" },
                [
                  a.unitId ? `${w.alertFor}: ${unitName(a.unitId)}` : "",
                  a.sentAt
                    ? `${w.alertSent}: ${when(a.sentAt)}`
                    : a.droppedAt
                      ? `${w.alertDropped}: ${when(a.droppedAt)}`
                      : w.alertNotSent,
                  a.deskSentAt ? `${w.alertDeskSent}: ${when(a.deskSentAt)}` : "",
                ]
                  .filter(Boolean)
                  .join(" · "),
              ),
            ),
          ),
        ),
  ];
}

/** An event's name; a pause that is not a supplement request is named a pause (docs/rules.md R5). */
function eventName(type: string, data: Record<string, unknown> | undefined): string {
  const w = t();
  const kind = data?.pauseKind;
  if (type === "dossier.supplement_requested" && kind !== undefined && kind !== "supplement") return w.pause;
  return w.eventNames[type] ?? type;
}

/** A word from one of the dictionaries, or the code itself where it has none. */
const word = (words: Record<string, string>, code: unknown) => words[String(code)] ?? String(code);

/** One fact of an event, in words (undefined: a code the timeline already shows, left out). */
function eventFact(type: string, k: string, v: unknown): string | undefined {
  const w = t();
  if (/unitId$/i.test(k)) return unitName(String(v));
  if (k === "processingDays") return `${w.processingDays}: ${n(Number(v))}`;
  if (k === "channel") return word(type === "dossier.rated" ? w.ratingChannels : w.channels, v);
  if (k === "apologyIssued") return v ? w.apologyIssued : w.noApology;
  if (k === "reason" || k === "note") return `${w.reason}: ${String(v)}`;
  if (k === "pauseKind") return word(w.pauseKinds, v);
  if (k === "outcome") return word(w.outcomes, v);
  if (k === "resultChannel") return `${w.resultChannel}: ${word(w.channels, v)}`;
  if (k === "resultElectronic") return v ? w.resultElectronic : undefined;
  if (k === "score") return `${w.score}: ${n(Number(v))}/5`;
  if (k === "about") return word(w.complaintAbout, v);
  // The receipt's due instant is the deadline; on a later event it is a new one.
  if (k === "dueAt" && type === "dossier.received") return `${w.dueAt}: ${when(String(v))}`;
  if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}T/.test(v)) return `${w.eventTimes[k] ?? w.at}: ${when(v)}`;
  return undefined;
}

/** The event's facts a reader needs, in words; the rest (codes already shown above) left out. */
function eventDetails(type: string, data: Record<string, unknown> | undefined): string {
  if (!data) return "";
  const out: string[] = [];
  // A pause with no kind named is a supplement request: said, so every pause says what it waits on.
  if (type === "dossier.supplement_requested" && data.pauseKind === undefined)
    out.push(t().pauseKinds.supplement as string);
  for (const [k, v] of Object.entries(data)) {
    if (v === null || v === undefined || typeof v === "object") continue;
    const fact = eventFact(type, k, v);
    if (fact) out.push(fact);
  }
  return out.join(" · ");
}

async function dossierView(id: string): Promise<Node[]> {
  const w = t();
  let d: DossierAnswer;
  try {
    d = await api<DossierAnswer>(`/dossiers/${encodeURIComponent(id)}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404)
      return [h("h1", {}, id), h("p", { class: "alert", role: "alert" }, w.notFound)];
    throw e;
  }
  document.title = `${d.dossierId} — ${w.title}`;
  mentioned = d.unitNames ?? {};
  const st = d.state;
  const field = (label: string, value: Child) => h("div", {}, h("dt", {}, label), h("dd", {}, value));
  return [
    h("p", {}, h("a", { href: `#/unit/${encodeURIComponent(st.unitId ?? "")}` }, `← ${unitName(st.unitId)}`)),
    h("h1", {}, `${w.dossier} ${d.dossierId}`),
    h(
      "dl",
      { class: "facts" },
      field(w.unit, unitName(st.unitId)),
      field(w.state, w.stateNames[st.sla ?? ""] ?? st.sla ?? "—"),
      field(w.procedure, procedure(st.procedureCode)),
      field(w.domain, domainName(st.domain)),
      field(w.channel, w.channels[st.channel ?? ""] ?? st.channel ?? "—"),
      field(w.receivedAt, when(st.receivedAt as string | undefined)),
      field(w.dueAt, when(st.kpiDueAt as string | undefined)),
      field(w.appointmentAt, when(st.appointmentAt as string | undefined)),
      field(w.extensions, n(st.extensions ?? 0)),
      field(w.apology, st.apologyIssued ? w.yes : w.no),
      st.resolvedAt ? field(w.resolvedAt, when(st.resolvedAt as string)) : null,
      st.returnedAt ? field(w.returnedAt, when(st.returnedAt as string)) : null,
      st.withdrawnAt ? field(w.withdrawnAt, when(st.withdrawnAt as string)) : null,
    ),
    h("h2", {}, w.timelineHeading),
    h(
      "ol",
      { class: "timeline" },
      ...d.timeline.map((e) =>
        h(
          "li",
          { class: e.anomaly ? "anomalous" : undefined },
          h("time", { datetime: e.occurredAt }, when(e.occurredAt)),
          h("strong", {}, eventName(e.type, e.data)),
          eventDetails(e.type, e.data) ? h("span", { class: "details" }, eventDetails(e.type, e.data)) : null,
          ...(e.anomalies ?? (e.anomaly ? [e.anomaly] : [])).map((kind) =>
            h("span", { class: "tag bad" }, `${w.anomaly}: ${w.anomalyNames[kind] ?? kind}`),
          ),
        ),
      ),
    ),
    ...alertsSection(d),
  ];
}

// ---- (3) data quality ----

interface QuarantineItem {
  id: string;
  at: string;
  reason: string;
  type?: string;
  source?: string;
  dossierId?: string;
  problems?: { path: string; message: string }[];
  appliedSince: boolean;
}
interface Quality {
  /** null: not counted by period live (each dossier's page shows its own). */
  anomalies: Record<string, number> | null;
  /** The first page's (null on a later one). */
  orphanDossiers: number | null;
  quarantineWaiting: number | null;
  /** Counted up to a bound: true when more were left unread (the count is the least there are). */
  orphanDossiersAtLeast: boolean | null;
  quarantineWaitingAtLeast: boolean | null;
  unknownSla: {
    dossierId: string;
    firstEventAt: string | null;
    lastEventAt: string | null;
    eventCount: number;
  }[];
  cursor: string | null;
}

/** Dossiers of unknown SLA shown a page at a time: a province's list can be long. */
const UNKNOWN_SLA_PAGE = 50;

function unknownSlaTable(quality: Quality): HTMLElement {
  const w = t();
  return quality.unknownSla.length === 0
    ? h("p", { class: "note" }, w.none)
    : table(
        w.unknownSlaHeading,
        [w.dossier, w.firstEventAt, w.lastEventAt, w.events],
        quality.unknownSla.map((d) => [
          h("a", { href: `#/dossier/${encodeURIComponent(d.dossierId)}`, class: "dossier-id" }, d.dossierId),
          when(d.firstEventAt),
          when(d.lastEventAt),
          n(d.eventCount),
        ]),
        [false, false, false, true],
      );
}

/**
 * The unknown-SLA list, one page of `GET /quality` at a time: "next" asks the page after with the
 * answer's cursor, "first" starts again. Only this section changes; the rest of the view stays.
 */
/** A data-quality count as shown: "at least" it when it was counted up to its bound. */
const bounded = (count: number | null, atLeast: boolean | null) =>
  atLeast ? t().atLeast(n(count ?? 0)) : n(count ?? 0);

function unknownSlaSection(first: Quality): HTMLElement {
  const w = t();
  const body = h("div", { "data-list": "unknown-sla" });
  const section = h(
    "section",
    { "aria-labelledby": "u-h" },
    h(
      "h2",
      { id: "u-h" },
      `${w.unknownSlaHeading} (${bounded(first.orphanDossiers, first.orphanDossiersAtLeast)})`,
    ),
    body,
  );
  const show = (page: Quality, number: number) => {
    const load = async (cursor: string | undefined, next: number) => {
      body.setAttribute("aria-busy", "true");
      try {
        const params = { period: state.period ?? undefined, limit: String(UNKNOWN_SLA_PAGE), cursor };
        show(await api<Quality>("/quality", params), next);
      } catch (e) {
        if (e instanceof AuthError) return signOut(w.wrongKey);
        body.replaceChildren(...failureNodes(e));
      } finally {
        body.removeAttribute("aria-busy");
      }
    };
    const buttons = [
      number > 1
        ? h(
            "button",
            { type: "button", class: "first-page", onclick: () => void load(undefined, 1) },
            w.firstPage,
          )
        : null,
      page.cursor
        ? h(
            "button",
            {
              type: "button",
              class: "next-page",
              onclick: () => void load(page.cursor ?? undefined, number + 1),
            },
            w.nextPage,
          )
        : null,
    ];
    body.replaceChildren(
      h(
        "p",
        { class: "meta page-line", role: "status" },
        `${w.pageLabel} ${n(number)} · ${n(page.unknownSla.length)} ${w.pageItems}`,
      ),
      unknownSlaTable(page),
      ...(buttons.some(Boolean)
        ? [h("nav", { class: "pager", "aria-label": w.pagerLabel }, ...buttons)]
        : []),
    );
  };
  show(first, 1);
  return section;
}

/** A quarantine reason in the reader's language (its recorded text is shown beside it as detail). */
function quarantineReason(reason: string): string {
  const found = t().quarantineReasons.find(([start]) => reason.includes(start));
  return found ? found[1] : t().otherReason;
}

/** The quarantine's records the data-quality view lists (the API's page at most). */
const QUARANTINE_SHOWN = 200;

async function qualityView(): Promise<Node[]> {
  const w = t();
  document.title = `${w.navQuality} — ${w.title}`;
  if (state.me?.scope !== "office")
    return [h("h1", {}, w.qualityHeading), h("p", { class: "note" }, w.officeOnly)];
  const [quarantine, quality] = await Promise.all([
    api<{ items: QuarantineItem[]; cursor: string | null }>("/quarantine", {
      limit: String(QUARANTINE_SHOWN),
    }),
    api<Quality>("/quality", { period: state.period ?? undefined, limit: String(UNKNOWN_SLA_PAGE) }),
  ]);
  const anomalies = quality.anomalies && Object.entries(quality.anomalies).filter(([, c]) => c > 0);
  return [
    h("h1", {}, w.qualityHeading),
    h(
      "section",
      { "aria-labelledby": "q-h" },
      // The waiting count is the KPI email's; the table lists one page of records, applied since or not.
      h(
        "h2",
        { id: "q-h" },
        `${w.quarantineHeading} (${w.waitingCount(bounded(quality.quarantineWaiting, quality.quarantineWaitingAtLeast))})`,
      ),
      quarantine.cursor ? h("p", { class: "note" }, w.someShown(n(quarantine.items.length))) : null,
      quarantine.items.length === 0
        ? h("p", { class: "note" }, w.nothing)
        : table(
            w.quarantineHeading,
            [w.at, w.reason, w.type, w.source, w.dossier, w.appliedSince],
            quarantine.items.map((q) => [
              when(q.at),
              [
                quarantineReason(q.reason),
                h("span", { class: "details", lang: "en" }, q.reason),
                ...(q.problems ?? [])
                  .slice(0, 3)
                  .map((p) => h("span", { class: "details", lang: "en" }, `${p.path}: ${p.message}`)),
              ],
              q.type ? (w.eventNames[q.type] ?? q.type) : "—",
              q.source ?? "—",
              q.dossierId ?? "—",
              q.appliedSince ? w.yes : w.no,
            ]),
          ),
    ),
    h(
      "section",
      { "aria-labelledby": "a-h" },
      h("h2", { id: "a-h" }, w.anomaliesHeading),
      anomalies === null
        ? h("p", { class: "note" }, w.anomaliesNotCounted)
        : anomalies.length === 0
          ? h("p", { class: "note" }, w.nothing)
          : table(
              w.anomaliesHeading,
              [w.kind, w.count],
              anomalies.map(([k, c]) => [w.anomalyNames[k] ?? k, n(c)]),
              [false, true],
            ),
    ),
    unknownSlaSection(quality),
  ];
}

// ---- (4) downloads ----

async function download(path: string, params: Record<string, string | undefined>, status: HTMLElement) {
  const w = t();
  status.textContent = w.downloading;
  try {
    const res = await request(path, params);
    const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? "download";
    const url = URL.createObjectURL(await res.blob());
    const a = h("a", { href: url, download: name, hidden: true });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    status.textContent = `${w.downloaded}: ${name}`;
  } catch (e) {
    if (e instanceof AuthError) return signOut(w.wrongKey);
    status.textContent = failureText(e).text;
  }
}

/**
 * Every agency of the tree the key reads, each under its parent, indented by depth, by name; with
 * `below`, the roots themselves left out (the office-wide key's root is the whole office, its first
 * choice already).
 */
function agencyChoices(tree: Me["tree"], below = false): { id: string; name: string }[] {
  if (!tree) return [];
  const agencies = tree.nodes.filter((n) => n.kind === "agency");
  const kids = new Map<string | null, TreeNode[]>();
  for (const a of agencies) kids.set(a.parentId, [...(kids.get(a.parentId) ?? []), a]);
  const under = (id: string) =>
    (kids.get(id) ?? []).sort((a, b) => a.name[state.lang].localeCompare(b.name[state.lang], state.lang));
  const out: { id: string; name: string }[] = [];
  const walk = (node: TreeNode, depth: number) => {
    out.push({ id: node.id, name: `${"\u00a0\u00a0".repeat(depth)}${node.name[state.lang]}` });
    for (const k of under(node.id)) walk(k, depth + 1);
  };
  for (const id of tree.roots) {
    const root = agencies.find((a) => a.id === id);
    if (!root) continue;
    if (!below) walk(root, 0);
    else for (const k of under(root.id)) walk(k, 0);
  }
  return out;
}

async function downloadsView(): Promise<Node[]> {
  const w = t();
  document.title = `${w.navDownloads} — ${w.title}`;
  const status = h("p", { class: "notice", role: "status", "aria-live": "polite" });
  const period = state.period ?? undefined;
  const me = state.me;
  // The office-wide key downloads the office's figures and form, or any agency's of its tree (a
  // commune, a department); a key scoped to agencies any agency of its subtrees; one scoped to
  // units one of its units' figures (the export takes one unit). With several, the reader picks.
  const byAgency = me?.scope === "agencies" || (me?.scope === "office" && me.tree?.flat === false);
  const choices: { id: string; name: string }[] = byAgency
    ? [
        ...(me?.scope === "office" ? [{ id: "", name: w.wholeOffice }] : []),
        ...agencyChoices(me?.tree ?? null, me?.scope === "office"),
      ]
    : me?.scope === "units"
      ? me.units.map((u) => ({ id: u.id, name: u.name[state.lang] }))
      : [];
  let chosen = choices[0]?.id;
  const scope = () => (byAgency ? { agency: chosen || undefined } : { unit: chosen });
  const button = (label: string, path: string, params: () => Record<string, string | undefined>) =>
    h(
      "li",
      {},
      h(
        "button",
        { type: "button", class: "download", onclick: () => void download(path, params(), status) },
        label,
      ),
    );
  const picker =
    choices.length > 1
      ? h(
          "p",
          {},
          h(
            "label",
            {},
            `${byAgency ? w.downloadForAgency : w.downloadForUnit} `,
            h(
              "select",
              {
                class: "download-scope",
                onchange: (e: Event) => {
                  chosen = (e.target as HTMLSelectElement).value;
                },
              },
              ...choices.map((c) => h("option", { value: c.id }, c.name)),
            ),
          ),
        )
      : null;
  const lang = state.lang;
  return [
    h("h1", {}, w.downloadsHeading),
    h("p", {}, w.downloadsIntro, " ", h("strong", {}, period ? periodShown(period) : "")),
    picker,
    h(
      "ul",
      { class: "downloads" },
      me?.scope === "office" || me?.scope === "agencies"
        ? button(w.formXlsx, "/kpis/form", () => ({
            period,
            ...scope(),
            unit: undefined,
            format: "xlsx",
            lang,
          }))
        : null,
      button(w.exportCsv, "/kpis/export", () => ({ period, ...scope(), format: "csv", lang })),
      button(w.exportXlsx, "/kpis/export", () => ({ period, ...scope(), format: "xlsx", lang })),
    ),
    status,
  ].filter((n): n is HTMLElement => n !== null);
}

// ---- start ----

window.addEventListener("hashchange", () => {
  if (/^#key=/.test(location.hash)) {
    keyFromFragment();
    void start();
    // Only a route redraws (`#/…`, or none): another fragment is no page of the dashboard.
  } else if (state.me && (location.hash === "" || location.hash.startsWith("#/"))) void render(true);
});
// The skip link moves the focus to the content, and leaves the route (and the address) as they are.
document.getElementById("skip")?.addEventListener("click", (e) => {
  e.preventDefault();
  main().focus();
});
keyFromFragment();
void start();
