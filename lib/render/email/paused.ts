import escapeHtml from "escape-html";
import { PAUSE_KINDS, type PauseKind } from "../../domain/events/schema";
import type { Report, ReportBlock } from "../../domain/report";
import { formatNumber, type Locale, unnamedCode } from "../format";

/**
 * The KPI email's paused time by kind (docs/rules.md R5): per unit and for the whole office, of the
 * dossiers resolved or withdrawn in the period (lib/domain/paused-time.ts says why that basis).
 */

const L = {
  vi: {
    title: "Thời gian tạm dừng tính thời hạn giải quyết",
    basis:
      "Tính trên hồ sơ đã giải quyết hoặc rút trong kỳ: tổng giờ làm việc đã tạm dừng và số hồ sơ có tạm dừng, theo lý do.",
    unit: "Đơn vị",
    whole: "Toàn cơ quan",
    kinds: {
      supplement: "Chờ bổ sung hồ sơ",
      financial_obligation: "Chờ thực hiện nghĩa vụ tài chính",
      other_agency: "Chờ cơ quan khác",
    },
    cell: (dossiers: string, hours: string) => `${hours} giờ (${dossiers} hồ sơ)`,
  },
  en: {
    title: "Time the deadline clock was paused",
    basis:
      "Of the dossiers resolved or withdrawn in the period: working hours paused and dossiers that paused, by reason.",
    unit: "Unit",
    whole: "Whole office",
    kinds: {
      supplement: "Waiting for a supplement",
      financial_obligation: "Waiting for fees and taxes",
      other_agency: "Waiting for another agency",
    },
    cell: (dossiers: string, hours: string) =>
      `${hours} h (${dossiers} ${dossiers === "1" ? "dossier" : "dossiers"})`,
  },
} as const satisfies Record<Locale, { kinds: Record<PauseKind, string> } & Record<string, unknown>>;

/** Blocks counted before pause kinds were have no `pausedByKind`: they show nothing. */
const anyPaused = (b: ReportBlock) =>
  b.pausedByKind !== undefined && PAUSE_KINDS.some((k) => b.pausedByKind[k].dossiers > 0);

function rows(report: Report, names: ReadonlyMap<string, string>, locale: Locale, whole?: string) {
  const t = L[locale];
  const cell = (b: ReportBlock, k: PauseKind) =>
    t.cell(
      formatNumber(b.pausedByKind[k].dossiers, locale),
      formatNumber(b.pausedByKind[k].workingHours, locale),
    );
  return [
    ...report.byUnit
      .filter(anyPaused)
      .map((u) => ({ label: names.get(u.unit) ?? unnamedCode(u.unit, locale), block: u as ReportBlock })),
    { label: whole ?? t.whole, block: report as ReportBlock },
  ].map((r) => ({ label: r.label, cells: PAUSE_KINDS.map((k) => cell(r.block, k)) }));
}

/** The section's HTML (every name escaped); empty when no dossier closed in the period had paused. */
export function renderPausedHtml(
  report: Report,
  names: ReadonlyMap<string, string>,
  locale: Locale,
  /** The total row's label: the agency's name in an agency's email (default: the whole office). */
  whole?: string,
): string {
  if (!anyPaused(report)) return "";
  const t = L[locale];
  const e = (s: string) => escapeHtml(s);
  const th = 'style="padding:4px 6px;border:1px solid #d9dce1;background:#eef0f3;font-weight:bold"';
  const td = 'style="padding:4px 6px;border:1px solid #d9dce1"';
  return [
    `<h2 style="font-size:16px;margin:20px 0 8px 0">${e(t.title)}</h2>`,
    `<p style="margin:0 0 6px 0;color:#5f6670;font-size:12px">${e(t.basis)}</p>`,
    '<table role="presentation" cellspacing="0" style="border-collapse:collapse;font-size:12px;width:100%">',
    `<tr><th ${th}>${e(t.unit)}</th>${PAUSE_KINDS.map((k) => `<th ${th}>${e(t.kinds[k])}</th>`).join("")}</tr>`,
    ...rows(report, names, locale, whole).map(
      (r) => `<tr><td ${td}>${e(r.label)}</td>${r.cells.map((c) => `<td ${td}>${e(c)}</td>`).join("")}</tr>`,
    ),
    "</table>",
  ].join("\n");
}

/** The section as text lines; none when no dossier closed in the period had paused. */
export function renderPausedText(
  report: Report,
  names: ReadonlyMap<string, string>,
  locale: Locale,
  whole?: string,
): string[] {
  if (!anyPaused(report)) return [];
  const t = L[locale];
  return [
    "",
    `${t.title}:`,
    t.basis,
    `${t.unit} | ${PAUSE_KINDS.map((k) => t.kinds[k]).join(" | ")}`,
    ...rows(report, names, locale, whole).map((r) => `${r.label} | ${r.cells.join(" | ")}`),
  ];
}
