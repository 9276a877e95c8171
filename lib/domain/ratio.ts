/**
 * A ratio as every output keeps it: four decimals (two of a percent), rounded half up, but never
 * to a whole or to nothing it is not. 19,999 on time of 20,000 is 0.9999 (99,99 %), not 1 (100 %),
 * and 1 online of 25,000 is 0.0001, not 0: a province's quarter, or any year, passes 20,000
 * dossiers, where plain rounding would show every dossier on time with one late. Null without a
 * denominator; clamped to [0, 1].
 */
export function shownRatio(num: number, den: number): number | null {
  if (den === 0) return null;
  const n = Math.min(den, Math.max(0, num));
  // Half up in whole numbers (counts are): 29 of 20,000 is 0.00145, which floating point would
  // round down to 0.0014.
  const rounded = Math.floor((n * 20_000 + den) / (2 * den)) / 10_000;
  if (rounded === 1 && n < den) return 0.9999;
  if (rounded === 0 && n > 0) return 0.0001;
  return rounded;
}
