import escapeHtml from "escape-html";
import type { RankedAgency } from "../../domain/agency-rollup";
import { DOMAIN_NAMES } from "../../domain/catalog";
import type { BoundedCount } from "../../domain/records";
import type { Report, ReportBlock } from "../../domain/report";
import { latePauseText, noCalendarText } from "../../domain/report-notes";
import { headerText } from "../../domain/text";
import { formatLocalVi } from "../../domain/time";
import {
  figuresAsOf,
  formatNumber,
  formatRate,
  type Locale,
  periodLabel,
  periodTitle,
  rateTone,
  summarySentence,
  unnamedCode,
  worstFirst,
} from "../format";
import { agencyRankingHtml, agencyRankingText } from "./agency-ranking";
import { amendedField, KPI_TEXT } from "./kpi-text";
import {
  type InlineImage,
  type OfficialEmailInput,
  renderOfficialHtml,
  renderOfficialText,
} from "./official";
import { renderPausedHtml, renderPausedText } from "./paused";

export type { InlineImage };

/**
 * The leadership KPI email: the official table per unit sorted by on-time rate with the
 * whole-office row, the previous period beside it, email-safe bar charts (tables and inline CSS,
 * no scripts, no remote images: the index's trend images travel inside the message), the longest-overdue dossiers, data-quality notes and the
 * summary sentence of docs/kpis.md. Every value that came from an event is escaped.
 */

export interface OverdueLine {
  dossierId: string;
  /**
   * The unit, named by the email's `unitNames` (its language); `unitName` (the directory's) where it
   * has none; its id, said to have no name, where neither has it.
   */
  unitId?: string;
  unitName?: string;
  procedureCode?: string;
  /** The procedure's name in each language, from the deployment's catalog. */
  procedureName?: { vi: string; en: string };
  domain?: string;
  /** The domain's name in each language (the catalog's, the official settings'). */
  domainName?: { vi: string; en: string };
  kpiDueAt: number;
  /** null: due in a year without calendar data (docs/rules.md R6). */
  overdueWorkingDays: number | null;
}

export interface KpiEmailInput {
  locale: Locale;
  kind: "weekly" | "close";
  report: Report;
  /** The previous period at the same point (or its final figures), when there is one. */
  previous?: { label: string; report: Report };
  unitNames: Map<string, string>;
  longestOverdue: OverdueLine[];
  quality: {
    /** Counted up to a bound (lib/app/ports.ts `QUALITY_COUNT_BOUND`), as the quarantine's. */
    orphans: BoundedCount;
    possiblyClosed: number;
    quarantined: BoundedCount;
    /** Set when a year without calendar data starts within the warning window. */
    calendar?: { missingYear: number; daysLeft: number };
  };
  amendment?: { issuedAt: number; changes: { field: string; before: number; after: number }[] };
  /** The national index and form II.06a: what leadership is judged by, shown first. */
  official?: OfficialEmailInput;
  /**
   * The agency the email is about, by name: named in the subject and under the title.
   * Absent: the office of a directory without agencies, as before.
   */
  agencyName?: string;
  /** The agencies under it ranked by the national index, the worst first: shown before the index. */
  ranking?: readonly RankedAgency[];
}

export function renderKpiEmail(input: KpiEmailInput): {
  subject: string;
  html: string;
  text: string;
  /** The images the HTML shows by `cid:`, to send inline. */
  images: InlineImage[];
} {
  const { locale, report } = input;
  const t = KPI_TEXT[locale];
  const periodName = periodTitle(report.period, locale);
  const about = input.agencyName ? `${headerText(input.agencyName, 120)} — ` : "";
  const subject = headerText(
    t.subject(input.kind, about, headerText(periodName, 64), formatLocalVi(figuresAsOf(report))),
    250,
  );
  const c: Context = {
    input,
    t,
    n: (x: number) => formatNumber(x, locale),
    name: (id: string) => input.unitNames.get(id) ?? unnamedCode(id, locale),
    units: [...report.byUnit].sort(worstFirst),
  };
  const official = input.official ? renderOfficialHtml(input.official) : undefined;
  const ranking = agencyRankingHtml(input.ranking ?? [], locale);
  const notes = qualityNotes(c);
  const html = [
    ...headHtml(c, subject, periodLabel(report.period.name ?? "", locale), ranking + (official?.html ?? "")),
    ...unitTableHtml(c),
    ...barsHtml(c),
    renderPausedHtml(report, input.unitNames, locale, input.agencyName),
    ...longestOverdueHtml(c),
    ...notesHtml(c, notes),
    `<p style="margin:16px 0 0 0;font-size:12px;color:#5f6670">${e(t.attachments)} ${e(t.footer)}</p></div></body></html>`,
  ];
  return {
    subject,
    html: html.join("\n"),
    text: `${emailText(c, notes).join("\n")}\n`,
    images: official?.images ?? [],
  };
}

/** What every section needs: the input, its words, and how numbers and unit names are written. */
interface Context {
  input: KpiEmailInput;
  t: (typeof KPI_TEXT)[Locale];
  n: (x: number) => string;
  name: (id: string) => string;
  /** The units, worst first (`worstFirst`). */
  units: Report["byUnit"];
}

const e = (s: string) => escapeHtml(s);
const TD = 'style="padding:4px 6px;border:1px solid #d9dce1;text-align:right"';
const TDL = 'style="padding:4px 6px;border:1px solid #d9dce1;text-align:left"';
const TH = 'style="padding:4px 6px;border:1px solid #d9dce1;background:#eef0f3;font-weight:bold"';

/** The page's head: title, period, the official outputs, the summary sentence, and any amendment. */
function headHtml(c: Context, subject: string, periodName: string, officialHtml: string): string[] {
  const { input, t, n } = c;
  const { locale, report } = input;
  const html: string[] = [
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(subject)}</title></head>`,
    '<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;color:#1a1a1a;background:#f4f5f7">',
    '<div style="max-width:1100px;margin:0 auto;background:#fff;border:1px solid #d9dce1;border-radius:6px;padding:20px">',
    `<h1 style="font-size:20px;margin:0 0 4px 0">${e(t.title)}</h1>`,
    input.agencyName
      ? `<p style="margin:0 0 4px 0;font-size:16px;font-weight:bold">${e(input.agencyName)}</p>`
      : "",
    `<p style="margin:0 0 4px 0;color:#5f6670">${e(t.period(report.period.from, report.period.to, formatLocalVi(figuresAsOf(report))))}${periodName ? ` · ${e(periodName)}` : ""}</p>`,
    report.rolling ? `<p style="margin:0 0 8px 0;color:#8a5a00">${e(t.rolling)}</p>` : "",
    officialHtml,
    `<p style="margin:12px 0;font-size:15px;background:#f0f6ff;border-left:4px solid #1f5fbf;padding:8px 10px">${e(summarySentence(report, locale))}</p>`,
  ];
  if (input.amendment) {
    html.push(
      `<p style="margin:8px 0;background:#fff6e5;border-left:4px solid #e0a100;padding:8px 10px">${e(t.amended(formatLocalVi(input.amendment.issuedAt)))}<br>`,
      input.amendment.changes
        .map(
          (x) =>
            `${e(amendedField(x.field, input.locale))}: ${n(x.before)} → ${n(x.after)} (${x.after > x.before ? "+" : ""}${n(x.after - x.before)})`,
        )
        .join("<br>"),
      "</p>",
    );
  }
  return html;
}

/** One row's figures, and the previous period's when there is one. */
function cellsHtml(c: Context, b: ReportBlock, prev?: ReportBlock): string {
  const { input, n } = c;
  const locale = input.locale;
  return (
    [
      b.received.total,
      b.received.online,
      b.received.direct,
      b.received.postal,
      b.received.carriedOver,
      b.resolved.total,
      b.resolved.early,
      b.resolved.onTime,
      b.resolved.late,
      b.withdrawn,
      b.pending.total,
      b.pending.withinDeadline,
      b.pending.overdue,
    ]
      .map((x) => `<td ${TD}>${n(x)}</td>`)
      .join("") +
    `<td ${TD}><b>${formatRate(b.rates.onTime, locale)}</b></td>` +
    (input.previous
      ? `<td ${TD}>${prev ? `${n(prev.received.total)} / ${formatRate(prev.rates.onTime, locale)}` : "—"}</td>`
      : "")
  );
}

/** The table of units, and the whole office's row. */
function unitTableHtml(c: Context): string[] {
  const { input, t, name, units } = c;
  const prevByUnit = new Map(input.previous?.report.byUnit.map((u) => [u.unit, u]) ?? []);
  const html = [
    '<table role="presentation" cellspacing="0" style="border-collapse:collapse;font-size:12px;width:100%">',
    `<tr><th ${TH} rowspan="2">${e(t.unit)}</th><th ${TH} colspan="5">${e(t.received)}</th><th ${TH} colspan="4">${e(t.resolved)}</th><th ${TH} rowspan="2">${e(t.withdrawn)}</th><th ${TH} colspan="3">${e(t.pending)}</th><th ${TH} rowspan="2">${e(t.rate)}</th>${input.previous ? `<th ${TH} rowspan="2">${e(t.previous)}<br>${e(input.previous.label)}</th>` : ""}</tr>`,
    `<tr>${[t.total, t.online, t.direct, t.postal, t.carried, t.total, t.early, t.onTime, t.late, t.total, t.within, t.overdue].map((h) => `<th ${TH}>${e(h)}</th>`).join("")}</tr>`,
  ];
  for (const u of units)
    html.push(`<tr><td ${TDL}>${e(name(u.unit))}</td>${cellsHtml(c, u, prevByUnit.get(u.unit))}</tr>`);
  html.push(
    `<tr style="font-weight:bold;background:#f7f8fa"><td ${TDL}>${e(input.agencyName ?? t.whole)}</td>${cellsHtml(c, input.report, input.previous?.report)}</tr>`,
    "</table>",
  );
  return html;
}

const TONE_COLOURS = { good: "#2e7d32", warn: "#e0a100", bad: "#c62828" } as const;

/** Bars: a two-cell table per unit, the first cell's width the on-time rate, coloured by `rateTone`. */
function barsHtml(c: Context): string[] {
  const { input, t, name, units } = c;
  // A node with no unit of its own (a province whose units all sit under its agencies): no chart.
  if (units.length === 0) return [];
  const html = [
    `<h2 style="font-size:16px;margin:20px 0 8px 0">${e(t.chart)}</h2>`,
    '<table role="presentation" cellspacing="0" style="border-collapse:collapse;width:100%;font-size:12px">',
  ];
  for (const u of units) {
    const rate = u.rates.onTime;
    // A unit with nothing resolved has no rate: a grey track alone, no red sliver beside its "—".
    const bar =
      rate === null
        ? ""
        : `<td style="width:${Math.round(rate * 1000) / 10}%;background:${TONE_COLOURS[rateTone(rate)]};height:14px;font-size:0">&nbsp;</td>`;
    html.push(
      `<tr><td style="width:30%;padding:3px 6px">${e(name(u.unit))}</td><td style="padding:3px 0"><table role="presentation" cellspacing="0" style="border-collapse:collapse;width:100%"><tr>` +
        `${bar}<td style="background:#eceef1;height:14px;font-size:0">&nbsp;</td></tr></table></td>` +
        `<td style="width:70px;padding:3px 6px;text-align:right">${formatRate(u.rates.onTime, input.locale)}</td></tr>`,
    );
  }
  html.push("</table>");
  return html;
}

/** The total line's key among the units' (never a unit id: the directory's ids are lower-case words). */
const WHOLE = "\u0000whole";

/** An overdue line's names in the email's language: never a code where a name is known. */
function overdueNames(
  o: OverdueLine,
  input: KpiEmailInput,
): { unit: string; procedure: string; domain: string } {
  const { locale } = input;
  const code = o.procedureCode ?? "";
  return {
    unit:
      (o.unitId && input.unitNames.get(o.unitId)) ||
      o.unitName ||
      (o.unitId ? unnamedCode(o.unitId, locale) : ""),
    procedure: o.procedureName ? `${o.procedureName[locale]} (${code})` : code && unnamedCode(code, locale),
    domain:
      o.domainName?.[locale] ??
      (o.domain && DOMAIN_NAMES[o.domain]?.[locale]) ??
      (o.domain ? unnamedCode(o.domain, locale) : ""),
  };
}

/** How far past its due a dossier is, in working days; "—" when its year has no calendar data. */
const overdueDays = (o: OverdueLine, n: (x: number) => string) =>
  o.overdueWorkingDays === null ? "—" : n(Math.round(o.overdueWorkingDays * 10) / 10);

/** The dossiers overdue the longest. */
function longestOverdueHtml(c: Context): string[] {
  const { input, t, n } = c;
  const html = [`<h2 style="font-size:16px;margin:20px 0 8px 0">${e(t.longest)}</h2>`];
  if (input.longestOverdue.length === 0) {
    html.push(`<p>${e(t.none)}</p>`);
    return html;
  }
  html.push(
    '<table role="presentation" cellspacing="0" style="border-collapse:collapse;font-size:12px;width:100%">',
    `<tr>${[t.code, t.unit, t.procedure, t.domain, t.due, t.overdueBy].map((h) => `<th ${TH}>${e(h)}</th>`).join("")}</tr>`,
  );
  for (const o of input.longestOverdue) {
    const { unit, procedure, domain } = overdueNames(o, input);
    html.push(
      `<tr><td ${TDL}><span style="font-family:monospace">${e(o.dossierId)}</span></td><td ${TDL}>${e(unit)}</td><td ${TDL}>${e(procedure)}</td><td ${TDL}>${e(domain)}</td><td ${TDL}>${e(formatLocalVi(o.kpiDueAt))}</td><td ${TD}>${overdueDays(o, n)}</td></tr>`,
    );
  }
  html.push("</table>");
  return html;
}

/** The data-quality notes that apply. */
function qualityNotes(c: Context): string[] {
  const { input, t, n } = c;
  const q = input.quality;
  const report = input.report;
  // A count said only when there is some (a report counted before a field existed has none).
  const some = (count: number | undefined, line: (x: string) => string) => (count ? line(n(count)) : "");
  // A count read up to its bound says so: "at least" that many.
  const bounded = ({ count, atLeast }: BoundedCount, line: (x: string) => string) =>
    count || atLeast ? line(atLeast ? t.atLeast(n(count)) : n(count)) : "";
  const anomalies = report.dataQuality?.anomalies ?? {};
  return [
    bounded(q.orphans, t.orphans),
    some(q.possiblyClosed, t.possiblyClosed),
    bounded(q.quarantined, t.quarantined),
    // Counted with the period's figures (docs/rules.md R6); a report counted before the field has none.
    // Said as every output's footnotes say them (lib/domain/report-notes.ts).
    noCalendarText(report.noCalendar, c.input.locale),
    latePauseText(report.latePause, c.input.locale),
    // A new appointment is given once (Decree 61/2018/NĐ-CP Art. 19, point to verify; kept by the 2025-07-01
    // set of Decree 118/2025/NĐ-CP: lib/domain/rules.ts; docs/rules.md
    // R4): the period's second or later ones, from its counters (a report counted before has none).
    some(anomalies.second_extension, t.secondExtension),
    // Guidance once, in full (Decree 61/2018/NĐ-CP Art. 19, point to verify; kept by the 2025-07-01 set of
    // Decree 118/2025/NĐ-CP: lib/domain/rules.ts; docs/rules.md R3):
    // the period's second or later supplement requests, whatever the strict setting.
    some(anomalies.second_supplement_request, t.secondSupplement),
    // The apology letter comes at the latest the day before the due day (Decree 61/2018/NĐ-CP
    // Art. 19, point to verify; docs/rules.md R4): the period's late ones.
    some(anomalies.late_apology, t.lateApology),
    q.calendar ? t.calendar(q.calendar.missingYear, n(q.calendar.daysLeft)) : "",
  ].filter(Boolean);
}

function notesHtml(c: Context, notes: string[]): string[] {
  if (!notes.length) return [];
  return [
    `<h2 style="font-size:16px;margin:20px 0 8px 0">${e(c.t.quality)}</h2><ul style="margin:0;padding-left:20px">${notes.map((x) => `<li>${e(x)}</li>`).join("")}</ul>`,
  ];
}

/** The plain-text part: the same sections, one line each. */
function emailText(c: Context, notes: string[]): string[] {
  const { input, t, n, name, units } = c;
  const { locale, report } = input;
  const text: string[] = [
    t.title,
    ...(input.agencyName ? [input.agencyName] : []),
    t.period(report.period.from, report.period.to, formatLocalVi(figuresAsOf(report))),
    ...(report.rolling ? [t.rolling] : []),
    "",
    ...agencyRankingText(input.ranking ?? [], locale),
    ...(input.official ? renderOfficialText(input.official) : []),
    summarySentence(report, locale),
    "",
  ];
  if (input.amendment) {
    text.push(t.amended(formatLocalVi(input.amendment.issuedAt)));
    for (const x of input.amendment.changes)
      text.push(
        `  ${amendedField(x.field, input.locale)}: ${n(x.before)} → ${n(x.after)} (${x.after > x.before ? "+" : ""}${n(x.after - x.before)})`,
      );
    text.push("");
  }
  // The HTML table's columns, each group's parts in brackets; the previous period's last.
  const previous = input.previous;
  text.push(
    `${t.unit} | ${t.received} (${t.online}/${t.direct}/${t.postal}/${t.carried}) | ${t.resolved} (${t.early}/${t.onTime}/${t.late}) | ${t.withdrawn} | ${t.pending} (${t.within}/${t.overdue}) | ${t.rate}${previous ? ` | ${t.previous} ${previous.label}` : ""}`,
  );
  const whole = input.agencyName ?? t.whole;
  const prevByUnit = new Map(previous?.report.byUnit.map((u) => [u.unit, u]) ?? []);
  for (const u of [...units, { ...report, unit: WHOLE } as ReportBlock & { unit: string }]) {
    const label = u.unit === WHOLE ? whole : name(u.unit);
    const prev = u.unit === WHOLE ? previous?.report : prevByUnit.get(u.unit);
    const before = previous
      ? ` | ${prev ? `${n(prev.received.total)} / ${formatRate(prev.rates.onTime, locale)}` : "—"}`
      : "";
    text.push(
      `${label} | ${n(u.received.total)} (${n(u.received.online)}/${n(u.received.direct)}/${n(u.received.postal)}/${n(u.received.carriedOver)}) | ${n(u.resolved.total)} (${n(u.resolved.early)}/${n(u.resolved.onTime)}/${n(u.resolved.late)}) | ${n(u.withdrawn)} | ${n(u.pending.total)} (${n(u.pending.withinDeadline)}/${n(u.pending.overdue)}) | ${formatRate(u.rates.onTime, locale)}${before}`,
    );
  }
  text.push(...renderPausedText(report, input.unitNames, locale, input.agencyName));
  text.push("", `${t.longest}:`);
  if (input.longestOverdue.length === 0) text.push(t.none);
  for (const o of input.longestOverdue) {
    const { unit, procedure, domain } = overdueNames(o, input);
    text.push(
      `- ${o.dossierId} | ${unit} | ${procedure} | ${domain} | ${t.due}: ${formatLocalVi(o.kpiDueAt)} | ${t.overdueBy}: ${overdueDays(o, n)}`,
    );
  }
  if (notes.length) text.push("", `${t.quality}:`, ...notes.map((x) => `- ${x}`));
  text.push("", `${t.attachments} ${t.footer}`);
  return text;
}
