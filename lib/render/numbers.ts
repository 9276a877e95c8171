/**
 * Numbers as people read them: Vietnamese grouping (dot for thousands, comma for decimals), English
 * available. A leaf module (no domain import), so the dashboard's bundle carries only this.
 */

export type Locale = "vi" | "en";

const VI_NUMBER = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 2 });
const EN_NUMBER = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 });

/** 5520 → `5.520` (vi) or `5,520` (en). */
export function formatNumber(n: number, locale: Locale = "vi"): string {
  return (locale === "vi" ? VI_NUMBER : EN_NUMBER).format(n);
}

/** 0.9273 → `92,73%` (vi) or `92.73%` (en); `—` for a rate with no denominator. */
export function formatRate(r: number | null, locale: Locale = "vi"): string {
  if (r === null) return "—";
  return `${formatNumber(Math.round(r * 10_000) / 100, locale)}%`;
}

/**
 * How an on-time rate's bar is coloured, alike in the KPI email and the dashboard: `good` from 95 %,
 * `warn` from 85 %, `bad` below. A reading aid beside the figure, not a target (a deployment's
 * targets are the index's, per indicator: docs/official.md).
 */
const RATE_TONES = { good: 0.95, warn: 0.85 } as const;
export function rateTone(r: number): "good" | "warn" | "bad" {
  // The rate as shown ({@link formatRate}: two decimals of a percent), so "95%" is never amber.
  const shown = Math.round(r * 10_000) / 10_000;
  return shown >= RATE_TONES.good ? "good" : shown >= RATE_TONES.warn ? "warn" : "bad";
}

const ROMAN = ["I", "II", "III", "IV"] as const;

/**
 * A period's name as people read it, beside its dates: a quarter (`2022-Q3`) as `Quý III/2022`
 * (vi) or `Q3 2022` (en); a deployment's own name as it is; nothing for a window named by its dates
 * (`2022-06-06..2022-09-05`), which its dates already say.
 */
export function periodLabel(name: string, locale: Locale = "vi"): string {
  const quarter = /^(\d{4})-Q([1-4])$/.exec(name);
  if (quarter) {
    const [, year, q] = quarter;
    return locale === "vi" ? `Quý ${ROMAN[Number(q) - 1]}/${year}` : `Q${q} ${year}`;
  }
  return /^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$/.test(name) ? "" : name;
}

/** `2022-07-01` as `01/07/2022`, in both languages, as the emails and the dashboard write dates. */
const dateOf = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;

/** A period standing alone (a subject, a column's heading): its name as read, else its dates. */
export function periodTitle(
  period: { name?: string; from: string; to: string },
  locale: Locale = "vi",
): string {
  return (period.name && periodLabel(period.name, locale)) || `${dateOf(period.from)} – ${dateOf(period.to)}`;
}

export { unnamedCode } from "../domain/text";

/** What a ranking of units or agencies reads: the on-time rate and the overdue dossiers still open. */
interface Ranked {
  rates: { onTime: number | null };
  pending: { overdue: number };
}

/**
 * Worst first by the on-time rate, as the dashboard's lists and the KPI email's unit tables rank
 * them, each list headed by that measure (the email's ranking of agencies is the national index's,
 * headed by it: lib/domain/agency-rollup.ts `rankAgencies`, indicator 2.1 then 5.4): a node
 * with overdue dossiers open and none resolved yet comes first of all (having no rate must not hide
 * it at the bottom), then the lowest on-time rate, more overdue first on a tie; a node with nothing
 * resolved and nothing overdue comes last.
 */
export function worstFirst(a: Ranked, b: Ranked): number {
  const key = (x: Ranked) => x.rates.onTime ?? (x.pending.overdue > 0 ? -1 : 2);
  return key(a) - key(b) || b.pending.overdue - a.pending.overdue;
}
