import escapeHtml from "escape-html";
import type { FORM_VALUE_KEYS as Keys, OfficialForm } from "../../domain/official/form";
import { FORM_VALUE_KEYS } from "../../domain/official/form";
import type { NationalIndex } from "../../domain/official/index766";
import { formatNumber, formatRate, type Locale } from "../format";
import { indicatorLine, indicatorNotes } from "../index-text";
import { SPARKLINE, sparklinePng } from "../sparkline";
import { unitIndexHtml, unitIndexText } from "./official-units";

/**
 * What leadership is judged by, first in the KPI email: the national index against the
 * previous period and the deployment's targets, a trend per indicator across the period's weekly
 * snapshots, then form II.06a's table. Each trend is a small PNG sent inside the message and shown
 * by `cid:` (an inline part under that Content-ID): mail clients drop inline SVG (Gmail) or do not draw it (Outlook),
 * and block remote images by default. Its alt text and the text part carry the same figures, for
 * text-only clients and screen readers.
 */

export interface OfficialEmailInput {
  locale: Locale;
  index: NationalIndex;
  /** The previous period's index (at the same point, or its final figures). */
  previous?: { label: string; index: NationalIndex };
  /** The period's weekly snapshots, oldest first, then now. */
  trend: { label: string; index: NationalIndex }[];
  /**
   * Form II.06a; absent for an agency whose period holds dossiers counted before the unit
   * counters held levels and domains (its rows cannot place them): the email then says so, as
   * `GET /kpis/form` answers 409.
   */
  form?: OfficialForm;
  /** Unit names by id (the directory's), for the index per unit. */
  unitNames?: ReadonlyMap<string, string>;
  /** The total row's label: the agency's name in an agency's email (default: the whole office). */
  whole?: string;
}

/** An image the HTML shows by `cid:`, sent inline in the message under that Content-ID. */
export interface InlineImage {
  cid: string;
  filename: string;
  contentType: "image/png";
  content: Buffer;
}

const T = {
  vi: {
    index: "Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)",
    indicator: "Chỉ số",
    rate: "Tỷ lệ",
    previous: "Kỳ trước",
    target: "Mục tiêu",
    points: "Điểm (so với tối đa)",
    trend: "Diễn biến theo tuần",
    trendOf: (name: string) => `Diễn biến theo tuần của chỉ số ${name}`,
    notComputed: "chưa tính được",
    notes: "Ghi chú",
    form: "Biểu II.06a",
    source: "Nguồn",
    office: "Đơn vị báo cáo",
    formWithheld:
      "Biểu II.06a của cơ quan, đơn vị này không lập được cho kỳ này: một số hồ sơ được đếm trước khi bộ đếm của đơn vị tách theo cấp và lĩnh vực, nên các dòng của biểu không xếp được chúng. Biểu của toàn cơ quan có đủ các hồ sơ này.",
  },
  en: {
    index: "Service index (Decision 766/QĐ-TTg)",
    indicator: "Indicator",
    rate: "Rate",
    previous: "Previous period",
    target: "Target",
    points: "Points (of the maximum)",
    trend: "Weekly trend",
    trendOf: (name: string) => `Weekly trend of ${name}`,
    notComputed: "not computed",
    notes: "Notes",
    form: "Form II.06a",
    source: "Source",
    office: "Reporting office",
    formWithheld:
      "This agency's form II.06a cannot be made for this period: some of its dossiers were counted before the unit counters held levels and domains, so the form's rows cannot place them. The whole office's form has them.",
  },
} as const;

const td = 'style="padding:4px 6px;border:1px solid #d9dce1;text-align:right"';
const tdl = 'style="padding:4px 6px;border:1px solid #d9dce1;text-align:left"';
const th = 'style="padding:4px 6px;border:1px solid #d9dce1;background:#eef0f3;font-weight:bold"';

/** The trend's figures in words: each snapshot's rate, then the target (the image's alt text). */
function trendWords(
  i: NationalIndex["indicators"][number],
  trend: OfficialEmailInput["trend"],
  locale: Locale,
): string {
  const t = T[locale];
  const points = trend.map((s) => {
    const rate = s.index.indicators.find((x) => x.id === i.id)?.rate ?? null;
    return `${s.label} ${formatRate(rate, locale)}`;
  });
  const target = i.target === null ? "" : `; ${t.target.toLowerCase()} ${formatRate(i.target, locale)}`;
  return `${points.join(", ")}${target}`;
}

/** The trend of indicator `i` as an image part and the tag that shows it. */
function trendImage(
  i: NationalIndex["indicators"][number],
  n: number,
  input: OfficialEmailInput,
): { tag: string; image: InlineImage } {
  const t = T[input.locale];
  const values = input.trend.map((s) => s.index.indicators.find((x) => x.id === i.id)?.rate ?? null);
  // Content-IDs are addr-spec-like (RFC 2392): only letters, digits and dashes from the id.
  const cid = `trend-${n}-${i.id.replace(/[^A-Za-z0-9]/g, "-")}@kpi.dossier-monitor`;
  const alt = escapeHtml(
    `${t.trendOf(`${i.id} ${i.name[input.locale]}`)}: ${trendWords(i, input.trend, input.locale)}`,
  );
  const { width, height } = SPARKLINE;
  return {
    tag: `<img src="cid:${escapeHtml(cid)}" width="${width}" height="${height}" alt="${alt}" title="${alt}" style="display:block;border:0;width:${width}px;height:${height}px">`,
    image: {
      cid,
      filename: `${cid.split("@")[0]}.png`,
      contentType: "image/png",
      content: sparklinePng(values, i.target),
    },
  };
}

export function renderOfficialHtml(input: OfficialEmailInput): { html: string; images: InlineImage[] } {
  const { locale, index } = input;
  const t = T[locale];
  const e = (s: string) => escapeHtml(s);
  const prev = new Map(input.previous?.index.indicators.map((i) => [i.id, i]) ?? []);
  const html = [
    `<h2 style="font-size:16px;margin:16px 0 8px 0">${e(t.index)}</h2>`,
    '<table role="presentation" cellspacing="0" style="border-collapse:collapse;font-size:12px;width:100%">',
    `<tr>${[t.indicator, t.rate, input.previous ? `${t.previous} ${input.previous.label}` : t.previous, t.target, t.points, t.trend].map((h) => `<th ${th}>${e(h)}</th>`).join("")}</tr>`,
  ];
  const images: InlineImage[] = [];
  for (const [n, i] of index.indicators.entries()) {
    const p = prev.get(i.id);
    const rate =
      i.rate === null
        ? `<span style="color:#5f6670">— (${e(t.notComputed)}: ${e(i.reason?.[locale] ?? "")})</span>`
        : `<b>${formatRate(i.rate, locale)}</b>`;
    const delta = i.rate !== null && p?.rate != null ? ` (${rateChange(i.rate, p.rate, locale)})` : "";
    const miss = i.rate !== null && i.target !== null && i.rate < i.target ? "color:#c62828;" : "";
    const trend = i.rate === null ? undefined : trendImage(i, n, input);
    if (trend) images.push(trend.image);
    html.push(
      `<tr><td ${tdl}>${e(`${i.id} ${i.name[locale]}`)}</td><td style="padding:4px 6px;border:1px solid #d9dce1;text-align:right;${miss}">${rate}</td>` +
        `<td ${td}>${p?.rate != null ? formatRate(p.rate, locale) : "—"}${e(delta)}</td>` +
        `<td ${td}>${i.target === null ? "—" : formatRate(i.target, locale)}</td>` +
        `<td ${td}>${i.pointsShare === null ? "—" : `${formatRate(i.pointsShare, locale)}<br><span style="color:#5f6670;font-size:11px">${e(i.scale?.[locale] ?? "")}</span>`}</td>` +
        `<td ${tdl}>${trend?.tag ?? ""}</td></tr>`,
    );
  }
  const notes = indicatorNotes(index, locale);
  html.push(
    "</table>",
    ...(notes.length
      ? [
          `<p style="margin:6px 0 2px 0;font-size:11px;color:#5f6670">${e(t.notes)}:</p><ul style="margin:0;padding-left:18px;font-size:11px;color:#5f6670">${notes.map((n) => `<li>${e(n)}</li>`).join("")}</ul>`,
        ]
      : []),
    `<p style="margin:4px 0 0 0;font-size:11px;color:#5f6670">${e(t.source)}: ${e(index.indicators[0]?.source ?? "")}</p>`,
  );
  html.push(unitIndexHtml(index, locale, input.unitNames, input.whole));
  html.push(
    input.form
      ? formHtml(input.form, t.office, input.locale)
      : `<p style="margin:12px 0;font-size:13px;background:#fff6e5;border-left:3px solid #e0a100;padding:6px 8px">${escapeHtml(t.formWithheld)}</p>`,
  );
  return { html: html.join("\n"), images };
}

function formHtml(form: OfficialForm, officeLabel: string, locale: Locale): string {
  const e = (s: string) => escapeHtml(s);
  const groups: { name: string; span: number }[] = [];
  for (const c of form.columns.slice(2)) {
    const last = groups.at(-1);
    if (last && last.name === c.group) last.span++;
    else groups.push({ name: c.group ?? "", span: 1 });
  }
  const [c1, c2] = form.columns;
  const rows = form.rows.map((r) => {
    const style = r.kind === "domain" ? "" : ' style="font-weight:bold;background:#f7f8fa"';
    const values = FORM_VALUE_KEYS.map(
      // Grouped as the rest of the email is: 1.234 in Vietnamese, 1,234 in English.
      (k: (typeof Keys)[number]) => `<td ${td}>${formatNumber(r.values[k], locale)}</td>`,
    ).join("");
    return `<tr${style}><td ${td}>${e(r.stt)}</td><td ${tdl}>${e(r.label)}</td>${values}</tr>`;
  });
  return [
    `<h2 style="font-size:16px;margin:20px 0 4px 0">${e(form.code)} — ${e(form.title)}</h2>`,
    `<p style="margin:0 0 6px 0;color:#5f6670">${e(officeLabel)}: ${e(form.office)}</p>`,
    '<table role="presentation" cellspacing="0" style="border-collapse:collapse;font-size:12px;width:100%">',
    `<tr><th ${th} rowspan="2">${e(c1?.header ?? "")}</th><th ${th} rowspan="2">${e(c2?.header ?? "")}</th>${groups.map((g) => `<th ${th} colspan="${g.span}">${e(g.name)}</th>`).join("")}</tr>`,
    `<tr>${form.columns
      .slice(2)
      .map((c) => `<th ${th}>${e(c.header)}</th>`)
      .join("")}</tr>`,
    ...rows,
    "</table>",
    ...form.footnotes.map((f) => `<p style="margin:4px 0;font-size:11px;color:#5f6670">${e(f)}</p>`),
  ].join("\n");
}

/**
 * A rate's change in percentage points between the two rates as shown (each rounded as
 * `formatRate` shows it), so the change never disagrees with the figures beside it: no "-0".
 */
function rateChange(now: number, before: number, locale: "vi" | "en"): string {
  const points = (Math.round(now * 10_000) - Math.round(before * 10_000)) / 100;
  if (points === 0) return locale === "vi" ? "không đổi" : "unchanged";
  return `${points > 0 ? "+" : ""}${formatNumber(points, locale)} ${locale === "vi" ? "điểm phần trăm" : "pp"}`;
}

export function renderOfficialText(input: OfficialEmailInput): string[] {
  const t = T[input.locale];
  const prev = new Map(input.previous?.index.indicators.map((i) => [i.id, i]) ?? []);
  const lines = [`${t.index}:`];
  for (const i of input.index.indicators) {
    const p = prev.get(i.id)?.rate;
    lines.push(
      `- ${indicatorLine(i, input.locale)}${p != null ? `; ${t.previous.toLowerCase()} ${formatRate(p, input.locale)}` : ""}`,
    );
    if (i.rate !== null && input.trend.length > 1)
      lines.push(`  ${t.trend}: ${trendWords(i, input.trend, input.locale)}`);
  }
  const notes = indicatorNotes(input.index, input.locale);
  if (notes.length) lines.push(`${t.notes}:`, ...notes.map((n) => `  ${n}`));
  lines.push(...unitIndexText(input.index, input.locale, input.unitNames, input.whole));
  const form = input.form;
  if (!form) return [...lines, "", t.formWithheld, ""];
  lines.push("", `${form.code} — ${form.title}`, `${t.office}: ${form.office}`);
  // The columns' headings once, as the rows lay them out ("(1) (2) | (3) | … | (13)"), each group
  // named before its first column.
  const [no, label, ...values] = form.columns;
  lines.push(
    [
      `(${no?.n}) ${no?.header} (${label?.n}) ${label?.header}`,
      ...values.map(
        (c, i) => `${c.group && c.group !== values[i - 1]?.group ? `${c.group}: ` : ""}(${c.n}) ${c.header}`,
      ),
    ].join(" | "),
  );
  for (const r of form.rows)
    lines.push(
      `${r.stt} ${r.label} | ${FORM_VALUE_KEYS.map((k) => formatNumber(r.values[k], input.locale)).join(" | ")}`,
    );
  lines.push(...form.footnotes, "");
  return lines;
}
