import escapeHtml from "escape-html";
import type { Indicator, NationalIndex } from "../../domain/official/index766";
import { formatRate, type Locale, unnamedCode } from "../format";

/**
 * The national index per unit, under the office's (docs/official.md: "per unit and for the office"):
 * one row per unit by name, one column per indicator the office's figures compute, each rate red
 * when under the deployment's target. An indicator no unit can compute has no column: its reason
 * is in the office's table above.
 */

const T = {
  vi: { title: "Chỉ số theo đơn vị", unit: "Đơn vị", office: "Toàn cơ quan" },
  en: { title: "Index by unit", unit: "Unit", office: "Whole office" },
} as const;

const cell = "padding:4px 6px;border:1px solid #d9dce1";
const th = `style="${cell};background:#eef0f3;font-weight:bold"`;

/** The unit's name (the directory's), its id, said to have no name, only when the directory lacks it. */
const unitLabel = (u: NationalIndex["byUnit"][number], locale: Locale, names?: ReadonlyMap<string, string>) =>
  names?.get(u.unit) ?? u.name?.[locale] ?? unnamedCode(u.unit, locale);

function columns(index: NationalIndex): Indicator["id"][] {
  return index.indicators.filter((i) => i.rate !== null).map((i) => i.id);
}

export function unitIndexHtml(
  index: NationalIndex,
  locale: Locale,
  names?: ReadonlyMap<string, string>,
  /** The total row's label: the agency's name in an agency's email (default: the whole office). */
  whole?: string,
): string {
  const ids = columns(index);
  if (index.byUnit.length === 0 || ids.length === 0) return "";
  const t = T[locale];
  const e = (s: string) => escapeHtml(s);
  const rate = (i: Indicator | undefined) => {
    const miss = i && i.rate !== null && i.target !== null && i.rate < i.target ? "color:#c62828;" : "";
    return `<td style="${cell};text-align:right;${miss}">${i ? formatRate(i.rate, locale) : "—"}</td>`;
  };
  const row = (label: string, indicators: Indicator[], bold = false) =>
    `<tr${bold ? ' style="font-weight:bold;background:#f7f8fa"' : ""}><td style="${cell};text-align:left">${e(label)}</td>${ids
      .map((id) => rate(indicators.find((x) => x.id === id)))
      .join("")}</tr>`;
  const head = ids.map((id) => {
    const name = index.indicators.find((i) => i.id === id)?.name[locale] ?? "";
    return `<th ${th}>${e(`${id} ${name}`)}</th>`;
  });
  return [
    `<h3 style="font-size:14px;margin:12px 0 6px 0">${e(t.title)}</h3>`,
    '<table role="presentation" cellspacing="0" style="border-collapse:collapse;font-size:12px;width:100%">',
    `<tr><th ${th}>${e(t.unit)}</th>${head.join("")}</tr>`,
    ...index.byUnit.map((u) => row(unitLabel(u, locale, names), u.indicators)),
    row(whole ?? t.office, index.indicators, true),
    "</table>",
  ].join("\n");
}

export function unitIndexText(
  index: NationalIndex,
  locale: Locale,
  names?: ReadonlyMap<string, string>,
  whole?: string,
): string[] {
  const ids = columns(index);
  if (index.byUnit.length === 0 || ids.length === 0) return [];
  const lines = ["", `${T[locale].title}:`];
  const rates = (indicators: NationalIndex["indicators"]) =>
    ids
      .map((id) => `${id} ${formatRate(indicators.find((x) => x.id === id)?.rate ?? null, locale)}`)
      .join("; ");
  for (const u of index.byUnit) lines.push(`- ${unitLabel(u, locale, names)}: ${rates(u.indicators)}`);
  // The whole office, as the HTML's last row.
  lines.push(`- ${whole ?? T[locale].office}: ${rates(index.indicators)}`);
  return lines;
}
