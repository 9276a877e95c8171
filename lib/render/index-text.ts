import type { Indicator, NationalIndex } from "../domain/official/index766";
import { noCalendarNote } from "../domain/report";
import { formatDateVi, formatLocalVi, instant } from "../domain/time";
import { formatNumber, formatRate, type Locale, periodLabel, unnamedCode } from "./format";

/**
 * The national index as text (`report --format index`, the email): per indicator its rate and the
 * share of its points side by side, the scale and its source, or why it cannot be computed yet.
 */
export function indicatorLine(i: Indicator, locale: Locale = "vi"): string {
  const name = i.name[locale];
  if (i.rate === null)
    return `${i.id} ${name}: — (${locale === "vi" ? "chưa tính được" : "not computed"}: ${i.reason?.[locale] ?? ""})`;
  const points =
    i.pointsShare === null
      ? ""
      : locale === "vi"
        ? `; đạt ${formatRate(i.pointsShare, locale)} số điểm tối đa (${i.scale?.[locale] ?? ""})`
        : `; points: ${formatRate(i.pointsShare, locale)} of the maximum (${i.scale?.[locale] ?? ""})`;
  const target =
    i.target === null ? "" : `; ${locale === "vi" ? "mục tiêu" : "target"} ${formatRate(i.target, locale)}`;
  const count = (n: number | null) => (n === null ? "—" : formatNumber(n, locale));
  return `${i.id} ${name}: ${formatRate(i.rate, locale)} (${count(i.numerator)}/${count(i.denominator)})${points}${target}`;
}

/**
 * What each computed indicator's figure rests on (its `notes`: a rate taken as 1, a condition not
 * applied, the dossiers a rule moved), one line per indicator: the figures are the monitor's
 * reading of the portal's method, and the reader must see where they differ (docs/official.md).
 */
export function indicatorNotes(index: NationalIndex, locale: Locale = "vi"): string[] {
  return index.indicators
    .filter((i) => i.rate !== null && i.notes.length > 0)
    .map((i) => `${i.id}: ${i.notes.map((n) => n[locale]).join(" ")}`);
}

export function indexText(
  index: NationalIndex,
  locale: Locale = "vi",
  unitNames?: ReadonlyMap<string, string>,
): string {
  // A window named by its dates has no label: its dates say it, with no space left before them.
  const label = index.period.name ? periodLabel(index.period.name, locale) : "";
  const named = label ? `${label} ` : "";
  const head =
    locale === "vi"
      ? `Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg), kỳ ${named}(${formatDateVi(index.period.from)} – ${formatDateVi(index.period.to)}), số liệu tính đến ${formatLocalVi(instant(index.asOf))}`
      : `Service index (Decision 766/QĐ-TTg), period ${named}(${formatDateVi(index.period.from)} – ${formatDateVi(index.period.to)}), as of ${formatLocalVi(instant(index.asOf))}`;
  const lines = [head, ...index.indicators.map((i) => `- ${indicatorLine(i, locale)}`)];
  for (const u of index.byUnit.length > 1 ? index.byUnit : []) {
    lines.push("", unitNames?.get(u.unit) ?? u.name?.[locale] ?? unnamedCode(u.unit, locale));
    for (const i of u.indicators.filter((x) => x.rate !== null))
      lines.push(`  - ${indicatorLine(i, locale)}`);
  }
  const notes = indicatorNotes(index, locale);
  if (notes.length) lines.push("", locale === "vi" ? "Ghi chú:" : "Notes:", ...notes.map((n) => `- ${n}`));
  // Index 2.1 counts them within the deadline until the year's calendar is known: say so (docs/rules.md R6).
  const note = noCalendarNote(index.noCalendar ?? 0, locale);
  if (note) lines.push("", note);
  lines.push("", `${locale === "vi" ? "Nguồn" : "Source"}: ${index.indicators[0]?.source ?? ""}`);
  return `${lines.join("\n")}\n`;
}
