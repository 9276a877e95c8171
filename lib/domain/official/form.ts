import { type Period, periodBounds } from "../periods";
import { addCounts, type Counts, NO_LEVEL, noCalendarNote, type PeriodCounts, zeroCounts } from "../report";
import { formatInstant } from "../time";
import { domainName, type OfficialSettings } from "./settings";

/**
 * Form II.06a/VPCP/KSTT (Circular 01/2020/TT-VPCP; docs/official.md): received, resolved and pending
 * dossiers by level of the `received`, then by domain, with a subtotal per level and a total.
 * The form has no withdrawn column and holds total = resolved + pending: withdrawn dossiers count
 * as resolved (on time by the due instant, else late) or are left out (`withdrawnInForm`).
 */

export type Locale = "vi" | "en";

/** Columns 3..13, in the form's order. */
export const FORM_VALUE_KEYS = [
  "receivedTotal",
  "online",
  "directOrPostal",
  "carriedOver",
  "resolvedTotal",
  "early",
  "onTime",
  "late",
  "pendingTotal",
  "withinDeadline",
  "overdue",
] as const;
export type FormValueKey = (typeof FORM_VALUE_KEYS)[number];
export type FormValues = Record<FormValueKey, number>;

/** The 13 columns: number, the group heading (first header row) and the column's own heading. */
export const FORM_COLUMNS: readonly {
  n: number;
  key?: FormValueKey;
  group?: Record<Locale, string>;
  vi: string;
  en: string;
}[] = [
  { n: 1, vi: "STT", en: "No." },
  { n: 2, vi: "Lĩnh vực, công việc giải quyết theo cấp", en: "Domain, by level" },
  ...(() => {
    const received = { vi: "Số hồ sơ nhận giải quyết", en: "Dossiers received" };
    const resolved = { vi: "Số hồ sơ đã giải quyết", en: "Dossiers resolved" };
    const pending = { vi: "Số hồ sơ đang giải quyết", en: "Dossiers in progress" };
    return [
      { n: 3, key: "receivedTotal", group: received, vi: "Tổng số", en: "Total" },
      { n: 4, key: "online", group: received, vi: "Trong đó: Trực tuyến", en: "of which online" },
      {
        n: 5,
        key: "directOrPostal",
        group: received,
        vi: "Trong đó: Trực tiếp, dịch vụ bưu chính",
        en: "of which at the desk or by post",
      },
      {
        n: 6,
        key: "carriedOver",
        group: received,
        vi: "Trong đó: Từ kỳ trước",
        en: "of which from the previous period",
      },
      { n: 7, key: "resolvedTotal", group: resolved, vi: "Tổng số", en: "Total" },
      { n: 8, key: "early", group: resolved, vi: "Trước hạn", en: "Before the deadline" },
      { n: 9, key: "onTime", group: resolved, vi: "Đúng hạn", en: "On the deadline" },
      { n: 10, key: "late", group: resolved, vi: "Quá hạn", en: "Late" },
      { n: 11, key: "pendingTotal", group: pending, vi: "Tổng số", en: "Total" },
      { n: 12, key: "withinDeadline", group: pending, vi: "Trong hạn", en: "Within the deadline" },
      { n: 13, key: "overdue", group: pending, vi: "Quá hạn", en: "Overdue" },
    ] as const;
  })(),
];

export interface FormRow {
  kind: "level" | "domain" | "total";
  /** Column 1: I, II, … for levels, 1, 2, … for domains within a level, empty for the total. */
  stt: string;
  /** Column 2: a name, never an id. */
  label: string;
  level?: string;
  domain?: string;
  values: FormValues;
}

export interface OfficialForm {
  code: string;
  title: string;
  office: string;
  recipient: string | null;
  period: { name?: string; from: string; to: string };
  /** "Số liệu tính đến": T, the period's end once it has ended. */
  dataAsOf: string;
  rolling: boolean;
  unitOfMeasure: string;
  withdrawnInForm: OfficialSettings["withdrawnInForm"];
  /** Withdrawn dossiers of the period (the footnote's number). */
  withdrawn: number;
  columns: { n: number; group: string | null; header: string }[];
  rows: FormRow[];
  footnotes: string[];
}

const LEVEL_NAMES: Record<string, Record<Locale, string>> = {
  province: { vi: "Cấp tỉnh", en: "Province level" },
  district: { vi: "Cấp huyện", en: "District level" },
  commune: { vi: "Cấp xã", en: "Commune level" },
  [NO_LEVEL]: { vi: "Cấp chưa xác định", en: "Level not given" },
};
const LEVEL_ORDER = ["province", "district", "commune", NO_LEVEL];
/**
 * From 2025-07-01 local government has two levels, province and commune (Law 72/2025/QH15 on the
 * Organisation of Local Government, Art. 2 and Art. 51(3), to verify; Decree 118/2025/NĐ-CP
 * Art. 1; rules.ts, docs/rules.md).
 */
const TWO_LEVELS_FROM = "2025-07-01";
const ROMAN = ["I", "II", "III", "IV", "V", "VI"];

/** A set of counts as the form's columns 3..13. */
export function formValues(c: Counts, withdrawnInForm: OfficialSettings["withdrawnInForm"]): FormValues {
  const v: FormValues = {
    receivedTotal: c.carriedOver + c.receivedNew,
    online: c.receivedOnline,
    directOrPostal: c.receivedDirect + c.receivedPostal,
    carriedOver: c.carriedOver,
    resolvedTotal: c.resolvedTotal,
    early: c.resolvedEarly,
    onTime: c.resolvedOnTime,
    late: c.resolvedLate,
    pendingTotal: c.pendingTotal,
    withinDeadline: c.pendingWithin,
    overdue: c.pendingOverdue,
  };
  if (withdrawnInForm === "resolved") {
    v.resolvedTotal += c.withdrawn;
    v.onTime += c.withdrawnOnTime;
    v.late += c.withdrawn - c.withdrawnOnTime;
  } else {
    v.receivedTotal -= c.withdrawn;
    v.online -= c.withdrawnOnline;
    v.carriedOver -= c.withdrawnCarriedOver;
    v.directOrPostal -= c.withdrawn - c.withdrawnOnline - c.withdrawnCarriedOver;
  }
  return v;
}

export interface FormOptions {
  period: Period;
  /** The report's instant: T = min(asOf, end of the period). */
  asOf: number;
  settings: OfficialSettings;
  locale?: Locale;
}

/** The form from the per-(level, domain) counts, the same counters as the report. */
export function buildForm(counts: PeriodCounts, options: FormOptions): OfficialForm {
  const { period, settings } = options;
  const locale = options.locale ?? "vi";
  const { end } = periodBounds(period);
  const T = Math.min(options.asOf, end);
  // A period that ends in the two-level era is filed in it: the 15th-to-14th window 2025-Q3
  // (from 2025-06-15) has no district row either, and its district dossiers go to the footnote's row.
  const twoLevels = period.to >= TWO_LEVELS_FROM;
  const { byLevel, abolished } = domainsByLevel(counts, twoLevels);
  const { rows, total } = formRows(byLevel, twoLevels, settings, locale);
  const withdrawn = total.withdrawn;
  return {
    code: settings.formCode,
    title: settings.formTitle[locale],
    office: settings.office[locale],
    recipient: settings.recipient?.[locale] ?? null,
    period: { name: period.name, from: period.from, to: period.to },
    dataAsOf: formatInstant(T),
    rolling: options.asOf < end,
    unitOfMeasure: locale === "vi" ? "Số hồ sơ TTHC" : "Dossiers",
    withdrawnInForm: settings.withdrawnInForm,
    withdrawn,
    columns: FORM_COLUMNS.map((c) => ({ n: c.n, group: c.group?.[locale] ?? null, header: c[locale] })),
    rows,
    // Dossiers whose SLA a missing calendar year leaves unknown are named, never silently "trong hạn".
    footnotes: [
      withdrawnFootnote(withdrawn, settings, locale),
      noCalendarNote(total.noCalendar, locale),
      ...abolishedFootnote(formValues(abolished, settings.withdrawnInForm), locale),
    ].filter(Boolean),
  };
}

type DomainCounts = { domain: string; counts: Counts };

/**
 * The counts by level, then domain. `abolished`: the dossiers that name the district level in a
 * two-level period, which no row is theirs.
 */
function domainsByLevel(
  counts: PeriodCounts,
  twoLevels: boolean,
): { byLevel: Map<string, DomainCounts[]>; abolished: Counts } {
  const byLevel = new Map<string, DomainCounts[]>();
  const abolished = zeroCounts();
  for (const [key, c] of counts.byLevelDomain) {
    const cut = key.indexOf("#");
    let level = key.slice(0, cut);
    const domain = key.slice(cut + 1);
    if (twoLevels && level === "district") {
      // The two-level form has no district row (Law 72/2025/QH15; Decree 118/2025/NĐ-CP): the
      // dossiers go to the row of an unknown level, and a footnote says how many (the projection
      // lists those received from 2025-07-01 as `abolished_level`).
      addCounts(abolished, c);
      level = NO_LEVEL;
    }
    const list = byLevel.get(level) ?? [];
    const same = list.find((d) => d.domain === domain);
    if (same) same.counts = addCounts(addCounts(zeroCounts(), same.counts), c);
    else list.push({ domain, counts: c });
    byLevel.set(level, list);
  }
  return { byLevel, abolished };
}

/** The rows: each level (expected ones even when empty) with its subtotal, its domains, then the total. */
function formRows(
  byLevel: Map<string, DomainCounts[]>,
  twoLevels: boolean,
  settings: OfficialSettings,
  locale: Locale,
): { rows: FormRow[]; total: Counts } {
  const expected = twoLevels ? ["province", "commune"] : ["province", "district", "commune"];
  const levels = [...new Set([...expected, ...byLevel.keys()])].sort(
    (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0),
  );
  const rows: FormRow[] = [];
  const total = zeroCounts();
  levels.forEach((level, i) => {
    const domains = (byLevel.get(level) ?? [])
      .map((d) => ({ ...d, name: domainName(settings, d.domain, locale) }))
      .sort((a, b) => a.name.localeCompare(b.name, "vi"));
    const subtotal = zeroCounts();
    for (const d of domains) addCounts(subtotal, d.counts);
    addCounts(total, subtotal);
    rows.push({
      kind: "level",
      stt: ROMAN[i] ?? String(i + 1),
      label: (LEVEL_NAMES[level] ?? { vi: level, en: level })[locale],
      level,
      values: formValues(subtotal, settings.withdrawnInForm),
    });
    for (const [j, d] of domains.entries()) {
      rows.push({
        kind: "domain",
        stt: String(j + 1),
        label: d.name,
        level,
        domain: d.domain,
        values: formValues(d.counts, settings.withdrawnInForm),
      });
    }
  });
  rows.push({
    kind: "total",
    stt: "",
    label: locale === "vi" ? "Tổng cộng" : "Total",
    values: formValues(total, settings.withdrawnInForm),
  });
  return { rows, total };
}

/** How the withdrawn dossiers are counted in the form, and how many there were. */
function withdrawnFootnote(withdrawn: number, settings: OfficialSettings, locale: Locale): string {
  const n = locale === "vi" ? groupVi(withdrawn) : withdrawn.toLocaleString("en");
  if (settings.withdrawnInForm === "resolved")
    return locale === "vi"
      ? `Số hồ sơ rút trong kỳ: ${n}, tính là đã giải quyết (đúng hạn nếu rút trước hạn giải quyết, quá hạn nếu sau).`
      : `Dossiers withdrawn in the period: ${n}, counted as resolved (on time if withdrawn by the due instant, late after it).`;
  return locale === "vi"
    ? `Số hồ sơ rút trong kỳ: ${n}, không tính trong biểu.`
    : `Dossiers withdrawn in the period: ${n}, left out of the form.`;
}

/** A count as Vietnamese writes it (1.234). */
const groupVi = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");

/** The footnote of a two-level period's district dossiers, when there are any. */
function abolishedFootnote(v: FormValues, locale: Locale): string[] {
  if (v.receivedTotal === 0) return [];
  return [
    locale === "vi"
      ? `Số hồ sơ ghi cấp huyện, cấp không còn từ ngày 01/7/2025 (chính quyền địa phương hai cấp, Luật Tổ chức chính quyền địa phương số 72/2025/QH15): ${groupVi(v.receivedTotal)}, tính ở dòng “${LEVEL_NAMES[NO_LEVEL]?.vi}”.`
      : `Dossiers naming the district level, which no longer exists from 2025-07-01 (two-level local government, Law 72/2025/QH15 on the Organisation of Local Government): ${v.receivedTotal.toLocaleString("en")}, counted in the “${LEVEL_NAMES[NO_LEVEL]?.en}” row.`,
  ];
}

function rank(level: string): number {
  const i = LEVEL_ORDER.indexOf(level);
  return i < 0 ? LEVEL_ORDER.length : i;
}

/** The form's identities, on one row: what every row must satisfy. */
export function formRowProblems(v: FormValues): string[] {
  const p: string[] = [];
  if (v.receivedTotal !== v.resolvedTotal + v.pendingTotal) p.push("total != resolved + pending");
  if (v.receivedTotal !== v.online + v.directOrPostal + v.carriedOver)
    p.push("total != online + direct/postal + carried over");
  if (v.resolvedTotal !== v.early + v.onTime + v.late) p.push("resolved split");
  if (v.pendingTotal !== v.withinDeadline + v.overdue) p.push("pending split");
  return p;
}
