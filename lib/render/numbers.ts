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
