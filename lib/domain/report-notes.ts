/**
 * The footnotes every output a person reads carries beside the period's figures (the text report,
 * the email, form II.06a, the index, the dashboard), in one place so they say the same everywhere.
 * Pure text: the dashboard's bundle takes it too. Each is empty when it has nothing to say.
 */

const GROUPED = { vi: new Intl.NumberFormat("vi-VN"), en: new Intl.NumberFormat("en-GB") };

/**
 * Dossiers of the period whose deadline falls in a year without calendar data (docs/rules.md R6: a
 * `no_calendar` anomaly, their SLA unknown until the year's data is deployed). Until then they sit
 * in the "within the deadline" / "on time" columns, and the footnote says so rather than leave them
 * there in silence.
 */
export function noCalendarNote(count: number, locale: "vi" | "en"): string {
  return noted(noCalendarText(count, locale), locale);
}

/** {@link noCalendarNote} without its "Ghi chú:" / "Note:", as a line of a list (the KPI email's data quality). */
export function noCalendarText(count: number | undefined, locale: "vi" | "en"): string {
  if (!count) return "";
  const n = GROUPED[locale].format(count);
  return locale === "vi"
    ? `${n} hồ sơ có hạn giải quyết rơi vào năm chưa có lịch ngày nghỉ, ngày làm bù: chưa xác định được đúng hạn hay trễ hạn cho đến khi bổ sung lịch năm đó; tạm tính vào cột trong hạn, đúng hạn.`
    : `${n} ${count === 1 ? "dossier has" : "dossiers have"} a deadline in a year without calendar data: whether they are on time or late is unknown until that year's calendar is added; until then they are counted as within the deadline or on time.`;
}

/** Dossiers paused after their due instant: still overdue or late (a `late_supplement_request`, docs/rules.md R3). */
export function latePauseNote(count: number | undefined, locale: "vi" | "en"): string {
  return noted(latePauseText(count, locale), locale);
}

/** {@link latePauseNote} without its "Ghi chú:" / "Note:", as a line of a list. */
export function latePauseText(count: number | undefined, locale: "vi" | "en"): string {
  if (!count) return "";
  const n = GROUPED[locale].format(count);
  return locale === "vi"
    ? `${n} hồ sơ được yêu cầu bổ sung (hoặc tạm dừng chờ nghĩa vụ tài chính, chờ cơ quan khác) sau khi đã quá hạn: thời gian tạm dừng không được trừ, hồ sơ vẫn tính là quá hạn.`
    : `${n} ${count === 1 ? "dossier was" : "dossiers were"} asked for a supplement (or paused for fees or another agency) after they were overdue: the pause is not deducted and they still count as overdue or late.`;
}

/** A footnote: its text after "Ghi chú:" / "Note:", or nothing when there is none. */
const noted = (text: string, locale: "vi" | "en") =>
  text ? `${locale === "vi" ? "Ghi chú" : "Note"}: ${text}` : "";
