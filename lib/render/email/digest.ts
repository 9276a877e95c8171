import escapeHtml from "escape-html";
import { stageGuidance } from "../../domain/alert-guidance";
import { ALERT_KINDS, type AlertKind } from "../../domain/alerts";
import { calendarResult, type WorkingCalendar } from "../../domain/calendar/calendar";
import type { OfficeHours } from "../../domain/calendar/calendar-data";
import { type Catalog, SEED_CATALOG } from "../../domain/catalog";
import type { PendingAlert } from "../../domain/records";
import { apologyDeadlineOf, ruleSetFor } from "../../domain/rules";
import { headerText } from "../../domain/text";
import { formatLocalVi } from "../../domain/time";
import { formatNumber, type Locale, unnamedCode } from "../format";

/**
 * The department digest: one email per unit per sweep, sections per kind, and for each dossier
 * its code, procedure, domain, due instant in local time, working time left or overdue, and what
 * the rules require next. HTML and plain text; every value that came from an event is escaped in
 * the HTML (and left intact in the text).
 */

/** Section titles; what to do comes from {@link stageGuidance}, by the dossier's rule set. */
export const ALERT_TEXT: Record<AlertKind, Record<Locale, { title: string }>> = {
  near_due: { vi: { title: "Hồ sơ sắp đến hạn" }, en: { title: "Due soon" } },
  apology_due: {
    vi: { title: "Sắp hết hạn xin lỗi và hẹn lại" },
    en: { title: "Apology deadline approaching" },
  },
  apology_missed: {
    vi: { title: "Đã qua hạn xin lỗi mà chưa hẹn lại" },
    en: { title: "Apology deadline missed" },
  },
  overdue: { vi: { title: "Hồ sơ đã quá hạn" }, en: { title: "Overdue" } },
  escalation: {
    vi: { title: "Quá hạn kéo dài — báo cáo lãnh đạo" },
    en: { title: "Long overdue — for leadership" },
  },
  past_appointment: { vi: { title: "Đã quá ngày hẹn lại" }, en: { title: "Past the new appointment" } },
  possibly_closed: {
    vi: { title: "Có thể đã kết thúc ngoài hệ thống" },
    en: { title: "Possibly closed outside the system" },
  },
  late_apology: { vi: { title: "Xin lỗi và hẹn lại muộn" }, en: { title: "Late apology" } },
  supplement_twice: {
    vi: { title: "Yêu cầu bổ sung hồ sơ lần thứ hai" },
    en: { title: "Supplement requested twice" },
  },
  extended_twice: { vi: { title: "Hẹn lại quá một lần" }, en: { title: "Extended more than once" } },
  late_supplement_request: {
    vi: { title: "Yêu cầu bổ sung sau khi đã quá hạn" },
    en: { title: "Supplement requested after the due date" },
  },
};

/** `07:00–11:30, 13:30–17:00` from the calendar's office hours. */
function officeHoursText(hours: OfficeHours): string {
  const hm = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  return hours.map(([from, to]) => `${hm(from)}–${hm(to)}`).join(", ");
}

/**
 * The most alerts one digest carries (about 5 MB of email at some 520 bytes a line): a group with
 * more (a land office with thousands of long-overdue dossiers at its first sweep) gets its oldest
 * in this one and the rest in the next, so an email stays within SES's size, and the mark of the
 * alerts it carried (16 bytes each) within an item, which past some 25,000 failed after SES had
 * taken the email, and the digest went again at every notice.
 */
export const MAX_DIGEST_ALERTS = 10_000;

export interface DigestInput {
  locale: Locale;
  /** Unit name as the recipients know it. */
  unitName: string;
  alerts: PendingAlert[];
  now: number;
  calendar: WorkingCalendar;
  /** Names of the units the alerts are about (escalation digests cover several). */
  unitNames?: Map<string, string>;
  /** The deployment's catalog: procedures' and domains' names (default: the seed district's sample). */
  catalog?: Catalog;
  /**
   * A unit's digest sent to others in its place (its escalation list, else leadership) because
   * every address of the unit is suppressed: the email says so first.
   */
  inPlaceOfUnit?: boolean;
  /** Alerts of the group left for the next digest, past what one carries (lib/app/digests.ts). */
  waiting?: { count: number; perDigest: number };
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/**
 * The instant a line's time counts to: the new appointment for a dossier past it; for the apology
 * stages the apology deadline, what those sections are about: the letter comes "chậm nhất một ngày
 * trước ngày hết hạn" (Decree 61/2018/NĐ-CP Art. 19, point to verify; for dossiers received from
 * 2025-07-01 Decree 118/2025/NĐ-CP, the 2018 lead kept as an assumption: lib/domain/rules.ts), read
 * for reminders as the close of the working day before the due day (`apologyDeadlineOf`;
 * docs/rules.md R4); else the KPI due instant.
 */
function countedTo(a: PendingAlert, calendar: WorkingCalendar): { at?: number; apology: boolean } {
  if (a.kind === "past_appointment") return { at: a.dossier.appointmentAt, apology: false };
  const due = a.dossier.kpiDueAt;
  const receivedAt = a.dossier.receivedAt;
  if (
    (a.kind === "apology_due" || a.kind === "apology_missed") &&
    due !== undefined &&
    receivedAt !== undefined
  ) {
    const deadline = calendarResult(() => apologyDeadlineOf(due, receivedAt, calendar));
    if (deadline.ok && deadline.value !== undefined) return { at: deadline.value, apology: true };
  }
  return { at: due, apology: false };
}

function workingTimeText(a: PendingAlert, now: number, calendar: WorkingCalendar, locale: Locale): string {
  const { at: due, apology } = countedTo(a, calendar);
  if (due === undefined) return "";
  const late = now > due;
  // A year without calendar data (docs/rules.md R6) is never an abort: the line says it cannot
  // count the time, and the digest goes with every other line.
  const counted = calendarResult(() =>
    late ? calendar.workingTimeBetween(due, now) : calendar.workingTimeBetween(now, due),
  );
  if (!counted.ok)
    return locale === "vi"
      ? `chưa tính được thời gian (chưa có lịch làm việc năm ${counted.error.year})`
      : `time not counted (no working-day calendar for ${counted.error.year})`;
  const ms = counted.value;
  const hours = ms / 3_600_000;
  const [value, unit] =
    hours < 8
      ? [Math.round(hours * 10) / 10, locale === "vi" ? "giờ làm việc" : "working hour"]
      : [
          Math.round((ms / calendar.workingDayMs) * 10) / 10,
          locale === "vi" ? "ngày làm việc" : "working day",
        ];
  const amount = `${formatNumber(value, locale)} ${unit}${locale === "en" && value !== 1 ? "s" : ""}`;
  const deadline = formatLocalVi(due);
  // Past by less than it shows (a digest at the opening, the evening's due instant behind it): said
  // past, never "due now".
  if (locale === "vi") {
    if (apology)
      return late
        ? value === 0
          ? `đã qua hạn gửi văn bản xin lỗi (${deadline})`
          : `quá hạn gửi văn bản xin lỗi ${amount} (hạn ${deadline})`
        : value === 0
          ? `đến hạn gửi văn bản xin lỗi (${deadline})`
          : `còn ${amount} đến hạn gửi văn bản xin lỗi (${deadline})`;
    if (late) return value === 0 ? `quá hạn từ ${deadline}` : `quá hạn ${amount}`;
    return value === 0 ? "đến hạn" : `còn ${amount}`;
  }
  if (apology)
    return late
      ? value === 0
        ? `apology deadline passed (${deadline})`
        : `${amount} past the apology deadline (${deadline})`
      : value === 0
        ? `apology due now (${deadline})`
        : `${amount} left to the apology deadline (${deadline})`;
  if (late) return value === 0 ? `overdue since ${deadline}` : `${amount} overdue`;
  return value === 0 ? "due now" : `${amount} left`;
}

interface Line {
  code: string;
  procedure: string;
  domain: string;
  unit?: string;
  due: string;
  appointment?: string;
  left: string;
}

function lineOf(a: PendingAlert, input: DigestInput): Line {
  const { locale } = input;
  const catalog = input.catalog ?? SEED_CATALOG;
  const p = a.dossier.procedureCode ? catalog.procedures.get(a.dossier.procedureCode) : undefined;
  const code = a.dossier.procedureCode;
  const procedure = p ? `${p[locale]} (${p.code})` : code ? unnamedCode(code, locale) : "";
  const domainName = a.dossier.domain ? catalog.domains[a.dossier.domain]?.[locale] : undefined;
  return {
    code: a.dossier.dossierId,
    procedure,
    domain: domainName ?? (a.dossier.domain ? unnamedCode(a.dossier.domain, locale) : ""),
    // A unit the directory lacks is said so, never left blank (its id is not shown).
    unit: input.unitNames && (input.unitNames.get(a.unitId) ?? LABELS[locale].unknownUnit),
    due: a.dossier.kpiDueAt !== undefined ? formatLocalVi(a.dossier.kpiDueAt) : "",
    appointment:
      a.dossier.appointmentAt !== undefined && a.dossier.appointmentAt !== a.dossier.kpiDueAt
        ? formatLocalVi(a.dossier.appointmentAt)
        : undefined,
    left: workingTimeText(a, input.now, input.calendar, locale),
  };
}

/**
 * Sections per kind, and within a kind per rule set, since what to do names the documents of the
 * rule set the dossier is judged by (docs/rules.md "Rule sets by date").
 */
function sections(input: DigestInput): { kind: AlertKind; next: string; lines: Line[] }[] {
  const out: { kind: AlertKind; next: string; lines: Line[] }[] = [];
  for (const kind of ALERT_KINDS) {
    const bySet = new Map<string, { next: string; alerts: PendingAlert[] }>();
    for (const a of input.alerts.filter((x) => x.kind === kind)) {
      // A dossier whose receipt is unknown to the snapshot is judged by today's rules.
      const set = ruleSetFor(a.dossier.receivedAt ?? input.now);
      const group = bySet.get(set.id) ?? { next: stageGuidance(kind, set)[input.locale], alerts: [] };
      group.alerts.push(a);
      bySet.set(set.id, group);
    }
    for (const { next, alerts } of bySet.values())
      out.push({
        kind,
        next,
        lines: alerts
          .sort(
            (x, y) =>
              (x.dossier.kpiDueAt ?? 0) - (y.dossier.kpiDueAt ?? 0) ||
              (x.dossier.dossierId < y.dossier.dossierId ? -1 : 1),
          )
          .map((a) => lineOf(a, input)),
      });
  }
  return out;
}

const LABELS = {
  vi: {
    code: "Mã hồ sơ",
    procedure: "Thủ tục",
    domain: "Lĩnh vực",
    unit: "Đơn vị",
    unknownUnit: "Đơn vị chưa có trong danh mục",
    due: "Hạn giải quyết",
    appointment: "Hẹn lại",
    left: "Thời gian",
    next: "Việc cần làm",
    // A unit's digest is about its dossiers; leadership's and a desk's about several units', sent to them.
    intro: (unit: string, when: string, several: boolean) =>
      several
        ? `Tổng hợp cảnh báo hồ sơ của các đơn vị, gửi ${unit}, lúc ${when} (giờ Việt Nam).`
        : `Tổng hợp cảnh báo hồ sơ của ${unit}, lúc ${when} (giờ Việt Nam).`,
    inPlace: (unit: string) =>
      `Thư này gửi thay cho ${unit}: mọi địa chỉ thư của đơn vị đang bị chặn gửi (thư bị trả lại hoặc bị báo là thư rác). Đề nghị cập nhật địa chỉ của đơn vị trong danh mục đơn vị.`,
    waiting: (n: string, max: string) =>
      `Còn ${n} cảnh báo khác sẽ gửi trong thư sau (mỗi thư tối đa ${max} cảnh báo, cũ trước).`,
    footer: (hours: string) =>
      `Thư tự động của hệ thống giám sát hồ sơ thủ tục hành chính. Thời gian tính theo giờ làm việc (${hours}, trừ ngày nghỉ).`,
    subject: (unit: string, n: number, when: string) =>
      `[Cảnh báo hồ sơ] ${unit}: ${formatNumber(n, "vi")} hồ sơ cần xử lý — ${when}`,
  },
  en: {
    code: "Dossier",
    procedure: "Procedure",
    domain: "Domain",
    unit: "Unit",
    unknownUnit: "Unit not in the directory",
    due: "Due",
    appointment: "New appointment",
    left: "Time",
    next: "What is required",
    intro: (unit: string, when: string, several: boolean) =>
      several
        ? `Dossier alerts of several units, sent to ${unit}, at ${when} (Viet Nam time).`
        : `Dossier alerts for ${unit}, at ${when} (Viet Nam time).`,
    inPlace: (unit: string) =>
      `Sent to you in place of ${unit}: every address of the unit is suppressed (mail bounced or was marked as spam). Please update the unit's addresses in the unit directory.`,
    waiting: (n: string, max: string) =>
      `${n} more ${n === "1" ? "alert follows" : "alerts follow"} in the next digest (at most ${max} alerts an email, oldest first).`,
    footer: (hours: string) =>
      `Sent automatically by the dossier compliance monitor. Times count working hours (${hours}, days off excluded).`,
    subject: (unit: string, n: number, when: string) =>
      `[Dossier alerts] ${unit}: ${formatNumber(n, "en")} ${n === 1 ? "dossier needs" : "dossiers need"} attention — ${when}`,
  },
} as const;

/**
 * A digest's opening paragraphs, each with its HTML style: why it is read in the unit's place (first,
 * when it is), the intro, and how many alerts wait for the next digest.
 */
function openingOf(input: DigestInput, when: string, several: boolean): { text: string; style: string }[] {
  const L = LABELS[input.locale];
  const n = (x: number) => formatNumber(x, input.locale);
  return [
    ...(input.inPlaceOfUnit
      ? [
          {
            text: L.inPlace(input.unitName),
            style: "font-size:14px;background:#fdecea;border-left:3px solid #8a1c1c;padding:6px 8px",
          },
        ]
      : []),
    { text: L.intro(input.unitName, when, several), style: "font-size:15px" },
    ...(input.waiting
      ? [
          {
            text: L.waiting(n(input.waiting.count), n(input.waiting.perDigest)),
            style: "font-size:14px;font-weight:bold",
          },
        ]
      : []),
  ];
}

/** Renders a digest; `e` escapes every interpolated value in the HTML. */
export function renderDigest(input: DigestInput): RenderedEmail {
  const L = LABELS[input.locale];
  const when = formatLocalVi(input.now);
  const all = sections(input);
  const count = new Set(input.alerts.map((a) => a.dossier.dossierId)).size;
  const e = (s: string) => escapeHtml(s);
  const showUnit = input.unitNames !== undefined;

  const opening = openingOf(input, when, showUnit);
  const text: string[] = opening.flatMap((p) => [p.text, ""]);
  const html: string[] = [
    '<!doctype html><html lang="' +
      input.locale +
      '"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>' +
      e(L.subject(input.unitName, count, when)) +
      "</title></head>",
    '<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;color:#1a1a1a;background:#f4f5f7">',
    '<div style="max-width:760px;margin:0 auto;background:#ffffff;border:1px solid #d9dce1;border-radius:6px;padding:20px">',
    ...opening.map((p) => `<p style="margin:0 0 16px 0;${p.style}">${e(p.text)}</p>`),
  ];
  for (const { kind, next, lines } of all) {
    const t = { title: ALERT_TEXT[kind][input.locale].title, next };
    const count = formatNumber(lines.length, input.locale);
    text.push(`== ${t.title} (${count}) ==`, `${L.next}: ${t.next}`);
    html.push(
      `<h2 style="font-size:16px;margin:20px 0 6px 0;color:#8a1c1c">${e(t.title)} (${e(count)})</h2>`,
      `<p style="margin:0 0 8px 0;font-size:13px;background:#fff6e5;border-left:3px solid #e0a100;padding:6px 8px"><b>${e(L.next)}:</b> ${e(t.next)}</p>`,
      '<table role="presentation" cellpadding="6" cellspacing="0" style="border-collapse:collapse;width:100%;font-size:13px">',
      `<tr style="background:#eef0f3;text-align:left"><th>${e(L.code)}</th>${showUnit ? `<th>${e(L.unit)}</th>` : ""}<th>${e(L.procedure)}</th><th>${e(L.domain)}</th><th>${e(L.due)}</th><th>${e(L.left)}</th></tr>`,
    );
    for (const l of lines) {
      const due = l.appointment ? `${l.due} (${L.appointment.toLowerCase()} ${l.appointment})` : l.due;
      text.push(
        `- ${l.code}${showUnit && l.unit ? ` [${l.unit}]` : ""} | ${l.procedure} | ${l.domain} | ${L.due}: ${due} | ${l.left}`,
      );
      html.push(
        `<tr style="border-top:1px solid #e3e5e8"><td style="font-family:monospace">${e(l.code)}</td>${showUnit ? `<td>${e(l.unit ?? "")}</td>` : ""}<td>${e(l.procedure)}</td><td>${e(l.domain)}</td><td>${e(due)}</td><td>${e(l.left)}</td></tr>`,
      );
    }
    html.push("</table>");
    text.push("");
  }
  // The hours the deployment counts (OFFICE_HOURS), not the default's.
  const footer = L.footer(officeHoursText(input.calendar.hours));
  text.push(footer);
  html.push(
    `<p style="margin:20px 0 0 0;font-size:12px;color:#5f6670">${e(footer)}</p>`,
    "</div></body></html>",
  );
  return {
    // The unit's name is the directory's; stripped of control characters all the same.
    subject: headerText(L.subject(headerText(input.unitName, 120), count, when), 250),
    html: html.join("\n"),
    text: `${text.join("\n")}\n`,
  };
}

/**
 * Reads a rendered text digest back: the dossier codes in each section (for tests and tools).
 * With `withDue`, each code is followed by ` @ ` and its due instant as shown.
 */
export function parseDigestText(
  text: string,
  locale: Locale = "vi",
  withDue = false,
): Map<AlertKind, string[]> {
  const byTitle = new Map(ALERT_KINDS.map((k) => [ALERT_TEXT[k][locale].title, k]));
  const out = new Map<AlertKind, string[]>();
  let current: AlertKind | undefined;
  for (const line of text.split("\n")) {
    const header = /^== (.+) \([\d.,]+\) ==$/.exec(line);
    if (header) {
      current = byTitle.get(header[1] as string);
      continue;
    }
    if (current && line.startsWith("- ")) {
      const parts = line.slice(2).split(" | ");
      const code = parts[0]?.replace(/ \[.*\]$/, "") ?? "";
      out.set(current, [...(out.get(current) ?? []), withDue ? `${code} @ ${parts[3] ?? ""}` : code]);
    }
  }
  return out;
}
