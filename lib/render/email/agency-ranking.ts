import escapeHtml from "escape-html";
import type { RankedAgency } from "../../domain/agency-rollup";
import type { Indicator } from "../../domain/official/index766";
import { formatNumber, formatRate, type Locale } from "../format";

/**
 * The agencies under a node ranked by the national index, the worst first: what the
 * province's weekly email shows first (docs/kpis.md "The weekly emails"). The order is the
 * domain's (lib/domain/agency-rollup.ts `rankAgencies`: indicator 2.1, then 5.4, agencies with no
 * dossiers last); this only writes it, each agency by its name in the email's language, never its
 * id, every name escaped, numbers in the locale's grouping.
 */

const T = {
  vi: {
    title: "Xếp hạng cơ quan theo Chỉ số phục vụ (Quyết định 766/QĐ-TTg), thấp nhất trước",
    rank: "Hạng",
    agency: "Cơ quan",
    onTime: "2.1 Tiến độ giải quyết (đúng hạn, trong hạn)",
    satisfaction: "5.4 Mức độ hài lòng",
    dossiers: (on: string, all: string) => `${on}/${all} hồ sơ`,
    none: "không có hồ sơ",
    note: "Cơ quan chưa có hồ sơ trong kỳ xếp cuối.",
  },
  en: {
    title: "Agencies ranked by the service index (Decision 766/QĐ-TTg), the lowest first",
    rank: "Rank",
    agency: "Agency",
    onTime: "2.1 On-time progress",
    satisfaction: "5.4 Satisfaction",
    dossiers: (on: string, all: string) => `${on}/${all} dossiers`,
    none: "no dossiers",
    note: "Agencies with no dossier in the period come last.",
  },
} as const;

const cell = "padding:4px 6px;border:1px solid #d9dce1";
const th = `style="${cell};background:#eef0f3;font-weight:bold"`;
const e = (s: string) => escapeHtml(s);

const indicator = (a: RankedAgency, id: string): Indicator | undefined =>
  a.index.indicators.find((i) => i.id === id);

/** A rate with its dossiers (`92,73% (51/55 hồ sơ)`), or "—" when not computed. */
function rateWords(i: Indicator | undefined, locale: Locale): string {
  if (!i || i.rate === null) return "—";
  const n = (x: number | null) => formatNumber(x ?? 0, locale);
  return `${formatRate(i.rate, locale)} (${T[locale].dossiers(n(i.numerator), n(i.denominator))})`;
}

function rateCell(i: Indicator | undefined, locale: Locale): string {
  const miss = i && i.rate !== null && i.target !== null && i.rate < i.target ? "color:#c62828;" : "";
  return `<td style="${cell};text-align:right;${miss}">${e(rateWords(i, locale))}</td>`;
}

/** The ranking as an HTML section; empty when the node has no agency under it. */
export function agencyRankingHtml(ranked: readonly RankedAgency[], locale: Locale): string {
  if (ranked.length === 0) return "";
  const t = T[locale];
  const rows = ranked.map((a, n) => {
    const label = a.onTime === null ? `${a.name[locale]} (${t.none})` : a.name[locale];
    return `<tr><td style="${cell};text-align:right">${formatNumber(n + 1, locale)}</td><td style="${cell};text-align:left">${e(label)}</td>${rateCell(indicator(a, "2.1"), locale)}${rateCell(indicator(a, "5.4"), locale)}</tr>`;
  });
  return [
    `<h2 style="font-size:16px;margin:16px 0 8px 0">${e(t.title)}</h2>`,
    '<table role="presentation" cellspacing="0" style="border-collapse:collapse;font-size:12px;width:100%">',
    `<tr>${[t.rank, t.agency, t.onTime, t.satisfaction].map((h) => `<th ${th}>${e(h)}</th>`).join("")}</tr>`,
    ...rows,
    "</table>",
    `<p style="margin:4px 0 0 0;font-size:11px;color:#5f6670">${e(t.note)}</p>`,
  ].join("\n");
}

/** The ranking as text lines, one agency a line, the worst first; none when no agency is under the node. */
export function agencyRankingText(ranked: readonly RankedAgency[], locale: Locale): string[] {
  if (ranked.length === 0) return [];
  const t = T[locale];
  return [
    `${t.title}:`,
    ...ranked.map((a, n) =>
      a.onTime === null
        ? `${formatNumber(n + 1, locale)}. ${a.name[locale]} | ${t.none}`
        : `${formatNumber(n + 1, locale)}. ${a.name[locale]} | ${rateWords(indicator(a, "2.1"), locale)} | ${rateWords(indicator(a, "5.4"), locale)}`,
    ),
    "",
  ];
}
