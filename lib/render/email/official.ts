import escapeHtml from "escape-html";
import type { FORM_VALUE_KEYS as Keys, OfficialForm } from "../../domain/official/form";
import { FORM_VALUE_KEYS } from "../../domain/official/form";
import type { NationalIndex } from "../../domain/official/index766";
import { formatNumber, formatRate, type Locale } from "../format";
import { indicatorLine } from "../index-text";
import { unitIndexHtml, unitIndexText } from "./official-units";

/**
 * What leadership is judged by, first in the KPI email (issue 15): the national index against the
 * previous period and the deployment's targets, a trend per indicator across the period's weekly
 * snapshots, then form II.06a's table. The trend is drawn with table cells, like the bars below it:
 * inline SVG is dropped by Gmail and not drawn by Outlook, and a PNG needs a rasteriser this
 * project does not carry; coloured cells render in every common mail client.
 */

export interface OfficialEmailInput {
  locale: Locale;
  index: NationalIndex;
  /** The previous period's index (at the same point, or its final figures). */
  previous?: { label: string; index: NationalIndex };
  /** The period's weekly snapshots, oldest first, then now. */
  trend: { label: string; index: NationalIndex }[];
  form: OfficialForm;
  /** Unit names by id (the directory's), for the index per unit. */
  unitNames?: ReadonlyMap<string, string>;
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
    notComputed: "chưa tính được",
    form: "Biểu II.06a",
    source: "Nguồn",
    office: "Đơn vị báo cáo",
  },
  en: {
    index: "Service index (Decision 766/QĐ-TTg)",
    indicator: "Indicator",
    rate: "Rate",
    previous: "Previous period",
    target: "Target",
    points: "Points (of the maximum)",
    trend: "Weekly trend",
    notComputed: "not computed",
    form: "Form II.06a",
    source: "Source",
    office: "Reporting office",
  },
} as const;

const td = 'style="padding:4px 6px;border:1px solid #d9dce1;text-align:right"';
const tdl = 'style="padding:4px 6px;border:1px solid #d9dce1;text-align:left"';
const th = 'style="padding:4px 6px;border:1px solid #d9dce1;background:#eef0f3;font-weight:bold"';

/** A column chart of table cells: one cell per snapshot, its filled height the rate. */
function sparkline(values: (number | null)[]): string {
  const cells = values.map((v) => {
    const h = v === null ? 0 : Math.max(1, Math.round(v * 24));
    return `<td style="vertical-align:bottom;padding:0 1px;height:24px"><div style="height:${h}px;width:6px;background:#1f5fbf;font-size:0;line-height:0">&nbsp;</div></td>`;
  });
  return `<table role="presentation" cellspacing="0" style="border-collapse:collapse"><tr>${cells.join("")}</tr></table>`;
}

export function renderOfficialHtml(input: OfficialEmailInput): string {
  const { locale, index } = input;
  const t = T[locale];
  const e = (s: string) => escapeHtml(s);
  const prev = new Map(input.previous?.index.indicators.map((i) => [i.id, i]) ?? []);
  const html = [
    `<h2 style="font-size:16px;margin:16px 0 8px 0">${e(t.index)}</h2>`,
    '<table role="presentation" cellspacing="0" style="border-collapse:collapse;font-size:12px;width:100%">',
    `<tr>${[t.indicator, t.rate, input.previous ? `${t.previous} ${input.previous.label}` : t.previous, t.target, t.points, t.trend].map((h) => `<th ${th}>${e(h)}</th>`).join("")}</tr>`,
  ];
  for (const i of index.indicators) {
    const p = prev.get(i.id);
    const rate =
      i.rate === null
        ? `<span style="color:#5f6670">— (${e(t.notComputed)}: ${e(i.reason ?? "")})</span>`
        : `<b>${formatRate(i.rate, locale)}</b>`;
    const delta =
      i.rate !== null && p?.rate != null
        ? ` (${i.rate >= p.rate ? "+" : ""}${formatNumber(Math.round((i.rate - p.rate) * 10_000) / 100, locale)} đ.%)`
        : "";
    const miss = i.rate !== null && i.target !== null && i.rate < i.target ? "color:#c62828;" : "";
    html.push(
      `<tr><td ${tdl}>${e(`${i.id} ${i.name[locale]}`)}</td><td style="padding:4px 6px;border:1px solid #d9dce1;text-align:right;${miss}">${rate}</td>` +
        `<td ${td}>${p?.rate != null ? formatRate(p.rate, locale) : "—"}${e(delta)}</td>` +
        `<td ${td}>${i.target === null ? "—" : formatRate(i.target, locale)}</td>` +
        `<td ${td}>${i.pointsShare === null ? "—" : `${formatRate(i.pointsShare, locale)}<br><span style="color:#5f6670;font-size:11px">${e(i.scale ?? "")}</span>`}</td>` +
        `<td ${tdl}>${i.rate === null ? "" : sparkline(input.trend.map((s) => s.index.indicators.find((x) => x.id === i.id)?.rate ?? null))}</td></tr>`,
    );
  }
  html.push(
    "</table>",
    `<p style="margin:4px 0 0 0;font-size:11px;color:#5f6670">${e(t.source)}: ${e(index.indicators[0]?.source ?? "")}</p>`,
  );
  html.push(unitIndexHtml(index, locale, input.unitNames));
  html.push(formHtml(input.form, t.office));
  return html.join("\n");
}

function formHtml(form: OfficialForm, officeLabel: string): string {
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
      (k: (typeof Keys)[number]) => `<td ${td}>${formatNumber(r.values[k])}</td>`,
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

export function renderOfficialText(input: OfficialEmailInput): string[] {
  const t = T[input.locale];
  const prev = new Map(input.previous?.index.indicators.map((i) => [i.id, i]) ?? []);
  const lines = [`${t.index}:`];
  for (const i of input.index.indicators) {
    const p = prev.get(i.id)?.rate;
    lines.push(
      `- ${indicatorLine(i, input.locale)}${p != null ? `; ${t.previous.toLowerCase()} ${formatRate(p, input.locale)}` : ""}`,
    );
  }
  lines.push(...unitIndexText(input.index, input.locale, input.unitNames));
  lines.push("", `${input.form.code} — ${input.form.title}`, `${t.office}: ${input.form.office}`);
  for (const r of input.form.rows)
    lines.push(
      `${r.stt} ${r.label} | ${FORM_VALUE_KEYS.map((k) => formatNumber(r.values[k], input.locale)).join(" | ")}`,
    );
  lines.push(...input.form.footnotes, "");
  return lines;
}
