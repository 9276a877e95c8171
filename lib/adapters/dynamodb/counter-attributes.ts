import { type CounterKey, type Counts, NO_LEVEL } from "../../domain/report";

/**
 * How a unit's counter item holds its counts split by level and domain: one number attribute per
 * (counter, level, domain), so that DynamoDB's `ADD` changes each one in place. A unit item is
 * written on every counted event, and DynamoDB bills a write per started kilobyte, twice inside a
 * transaction (README "Architecture"), so the names are short: the counter's two-letter code
 * ({@link COUNTER_CODES}), the level's one-letter code ({@link LEVEL_CODES}), then the domain as
 * the event named it: `RNdho-tich` is `receivedNew` of district-level `ho-tich` dossiers. A unit's
 * totals are the sum of its split, so they are not stored apart. Attribute names that start with a
 * lower-case letter are the counters' own names (`receivedNew`), which items counted before the
 * split hold whole (lib/domain/counting.ts `CountedEntry.path`); `from`, `to`, `pk` and `sk` are
 * the item's own.
 */

/**
 * Each counter's code in a split attribute's name. Stored data: a code is never changed or reused
 * (a new counter takes a new code). Two upper-case letters, so a split attribute never reads as a
 * counter's own name or the item's other attributes.
 */
export const COUNTER_CODES: Readonly<Record<CounterKey, string>> = {
  receivedNew: "RN",
  receivedOnline: "RO",
  receivedDirect: "RD",
  receivedPostal: "RP",
  carriedOver: "CO",
  resolvedTotal: "ST",
  resolvedEarly: "SE",
  resolvedOnTime: "SO",
  resolvedLate: "SL",
  withdrawn: "WD",
  pendingTotal: "PT",
  pendingWithin: "PW",
  pendingOverdue: "PO",
  ratingsTotal: "AT",
  ratingsSatisfied: "AS",
  withdrawnOnTime: "WT",
  withdrawnCarriedOver: "WC",
  withdrawnOnline: "WO",
  indexOnTime: "IT",
  supplementMulti: "SM",
  complaints: "CP",
  indexUnsatisfied: "IU",
  resultReported: "ER",
  resultElectronic: "EE",
  digitisedReported: "DR",
  digitisedElectronic: "DE",
  pausedSupplementMs: "XS",
  pausedSupplementDossiers: "YS",
  pausedFinancialObligationMs: "XF",
  pausedFinancialObligationDossiers: "YF",
  pausedOtherAgencyMs: "XA",
  pausedOtherAgencyDossiers: "YA",
  noCalendar: "NC",
  latePause: "LP",
  // Anomalies by kind (lib/domain/anomaly-counts.ts): Q for quality, then the kind's letter.
  anomalyOrphan: "QO",
  anomalyBeforeReceived: "QB",
  anomalyDuplicateReceived: "QD",
  anomalyAfterClose: "QA",
  anomalySecondExtension: "QE",
  anomalySecondSupplementRequest: "QT",
  anomalyLateApology: "QY",
  anomalyAlreadyPaused: "QP",
  anomalyResumeWithoutPause: "QR",
  anomalyNoDueInstant: "QN",
  anomalyOtherSource: "QS",
  anomalyConflict: "QC",
  anomalyNoCalendar: "QK",
  anomalyLateSupplementRequest: "QL",
  anomalyAbolishedLevel: "QV",
};

/** Each level's code: the `received` event's levels (docs/events.md), and none given. */
export const LEVEL_CODES: Readonly<Record<string, string>> = {
  province: "p",
  district: "d",
  commune: "c",
  [NO_LEVEL]: "n",
};

const KEY_OF_CODE = new Map(Object.entries(COUNTER_CODES).map(([k, c]) => [c, k as CounterKey]));
const LEVEL_OF_CODE = new Map(Object.entries(LEVEL_CODES).map(([l, c]) => [c, l]));
const SPLIT_NAME = /^[A-Z]{2}[a-z]/;

/** The attribute holding counter `key` of the `level#domain` split (`levelDomainKey`, report.ts). */
export function splitAttribute(levelDomain: string, key: CounterKey): string {
  const cut = levelDomain.indexOf("#");
  const level = levelDomain.slice(0, cut);
  const code = LEVEL_CODES[level];
  // The event contract's levels are an enum (lib/domain/events/schema.ts): another is a bug.
  if (code === undefined) throw new Error(`counter split: no code for level ${level}`);
  return `${COUNTER_CODES[key]}${code}${levelDomain.slice(cut + 1)}`;
}

/** What a split attribute's name holds, or `undefined` for any other attribute. */
export function splitOfAttribute(name: string): { levelDomain: string; key: CounterKey } | undefined {
  if (!SPLIT_NAME.test(name)) return undefined;
  const key = KEY_OF_CODE.get(name.slice(0, 2));
  const level = LEVEL_OF_CODE.get(name.charAt(2));
  if (key === undefined || level === undefined)
    throw new Error(`counter split: attribute ${name} names no known counter and level`);
  return { levelDomain: `${level}#${name.slice(3)}`, key };
}

/** The number attributes a delta adds to: counts kept whole under their names, then the split's. */
export function counterAttributes(d: {
  counts: Partial<Counts>;
  split?: Record<string, Partial<Counts>>;
}): [string, number][] {
  const out: [string, number][] = [];
  for (const [k, v] of Object.entries(d.counts)) if (v) out.push([k, v]);
  for (const [levelDomain, counts] of Object.entries(d.split ?? {}))
    for (const [k, v] of Object.entries(counts))
      if (v) out.push([splitAttribute(levelDomain, k as CounterKey), v]);
  return out;
}
