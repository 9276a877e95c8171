import { formatDateVi } from "../../domain/time";
import type { Locale } from "../format";

/** Whether an English count, as formatted, is one (its noun then singular). */
const one = (n: string) => n === "1";

/** The KPI email's words (./kpi.ts lays them out), Vietnamese first, and English. */
export const KPI_TEXT = {
  vi: {
    subject: (kind: string, about: string, period: string, when: string) =>
      `[Báo cáo KPI${kind === "close" ? " — chốt kỳ" : ""}] ${about}Kết quả giải quyết hồ sơ ${period} — số liệu đến ${when}`,
    title: "Kết quả giải quyết hồ sơ thủ tục hành chính",
    period: (from: string, to: string, at: string) =>
      `Kỳ báo cáo ${formatDateVi(from)} – ${formatDateVi(to)}, số liệu tính đến ${at}`,
    rolling: "Số liệu đang cập nhật: kỳ báo cáo chưa kết thúc.",
    unit: "Đơn vị",
    received: "Tiếp nhận",
    resolved: "Đã giải quyết",
    pending: "Đang giải quyết",
    total: "Tổng",
    online: "Trực tuyến",
    direct: "Trực tiếp",
    postal: "Bưu chính",
    carried: "Kỳ trước chuyển sang",
    early: "Trước hạn",
    onTime: "Đúng hạn",
    late: "Trễ hạn",
    withdrawn: "Rút hồ sơ",
    within: "Trong hạn",
    overdue: "Quá hạn",
    rate: "Tỷ lệ đúng hạn",
    previous: "Kỳ trước",
    whole: "Toàn cơ quan",
    chart: "Tỷ lệ giải quyết đúng hạn theo đơn vị",
    longest: "Hồ sơ quá hạn lâu nhất",
    code: "Mã hồ sơ",
    procedure: "Thủ tục",
    domain: "Lĩnh vực",
    due: "Hạn giải quyết",
    overdueBy: "Quá hạn (ngày làm việc)",
    none: "Không có hồ sơ quá hạn.",
    quality: "Chất lượng dữ liệu",
    atLeast: (n: string) => `Ít nhất ${n}`,
    orphans: (n: string) => `${n} hồ sơ có sự kiện nhưng chưa có sự kiện tiếp nhận (chưa được tính).`,
    possiblyClosed: (n: string) =>
      `${n} hồ sơ quá hạn không có sự kiện mới trong thời gian dài: có thể đã trả kết quả ngoài hệ thống (ví dụ tại cấp xã).`,
    quarantined: (n: string) =>
      `${n} sự kiện chưa áp dụng được (sai định dạng, trùng mã nhưng khác nội dung, hệ thống gửi không được phép ghi vào hồ sơ, đơn vị chưa có trong danh mục, hoặc hồ sơ đã đủ số sự kiện tối đa) đang lưu để kiểm tra và gửi lại.`,
    secondExtension: (n: string) =>
      `${n} lần hẹn lại ngày trả kết quả lần thứ hai trở lên trong kỳ: việc hẹn lại chỉ được thực hiện một lần.`,
    secondSupplement: (n: string) =>
      `${n} lần yêu cầu bổ sung hồ sơ lần thứ hai trở lên trong kỳ: việc hướng dẫn bổ sung chỉ được thực hiện một lần, đầy đủ.`,
    lateApology: (n: string) =>
      `${n} văn bản xin lỗi, hẹn lại ngày trả kết quả gửi sau hạn trong kỳ: phải gửi chậm nhất một ngày trước ngày hết hạn giải quyết.`,
    calendar: (year: number, days: string) =>
      `Chưa có lịch ngày nghỉ, ngày làm bù năm ${year} (còn ${days} ngày): hồ sơ có hạn xử lý rơi vào năm ${year} sẽ không tính được hạn. Cần bổ sung lịch năm ${year} ngay khi có thông báo chính thức.`,
    amended: (when: string) =>
      `Báo cáo đã phát hành lúc ${when} và được điều chỉnh sau đó do có sự kiện đến muộn:`,
    attachments: "Bảng số liệu kèm theo dạng CSV và XLSX.",
    footer: "Thư tự động của hệ thống giám sát hồ sơ thủ tục hành chính.",
  },
  en: {
    subject: (kind: string, about: string, period: string, when: string) =>
      `[KPI report${kind === "close" ? " — period close" : ""}] ${about}Dossier resolution ${period} — as of ${when}`,
    title: "Administrative dossier resolution",
    period: (from: string, to: string, at: string) =>
      `Period ${formatDateVi(from)} – ${formatDateVi(to)}, figures as of ${at}`,
    rolling: "Rolling figures: the period has not ended.",
    unit: "Unit",
    received: "Received",
    resolved: "Resolved",
    pending: "Pending",
    total: "Total",
    online: "Online",
    direct: "Desk",
    postal: "Postal",
    carried: "Carried over",
    early: "Early",
    onTime: "On time",
    late: "Late",
    withdrawn: "Withdrawn",
    within: "Within",
    overdue: "Overdue",
    rate: "On-time rate",
    previous: "Previous period",
    whole: "Whole office",
    chart: "On-time rate by unit",
    longest: "Longest-overdue dossiers",
    code: "Dossier",
    procedure: "Procedure",
    domain: "Domain",
    due: "Due",
    overdueBy: "Overdue (working days)",
    none: "No overdue dossier.",
    quality: "Data quality",
    atLeast: (n: string) => `At least ${n}`,
    orphans: (n: string) =>
      `${n} ${one(n) ? "dossier has" : "dossiers have"} events but no received event (not counted).`,
    possiblyClosed: (n: string) =>
      `${n} overdue ${one(n) ? "dossier has" : "dossiers have"} had no event for a long time: possibly closed outside the system.`,
    quarantined: (n: string) =>
      one(n)
        ? `${n} event could not be applied (invalid, a second body under its event id, not allowed on its dossier, a unit not in the directory, or a dossier full) and is kept to review and send again.`
        : `${n} events could not be applied (invalid, a second body under one event id, not allowed on their dossier, a unit not in the directory, or a dossier full) and are kept to review and send again.`,
    secondExtension: (n: string) =>
      `Second or later new appointments given in the period: ${n} (a dossier may be given a new appointment only once).`,
    secondSupplement: (n: string) =>
      `Second or later supplement requests in the period: ${n} (an office asks for a supplement once, in full).`,
    lateApology: (n: string) =>
      `Apology letters sent after their deadline in the period: ${n} (due at the latest on the day before the dossier's due day).`,
    calendar: (year: number, days: string) =>
      `The working-day calendar has no data for ${year} (${days} days left): deadlines reaching ${year} cannot be computed. Add the ${year} entry as soon as the official schedule is announced.`,
    amended: (when: string) => `Issued at ${when}, amended since by late events:`,
    attachments: "The table is attached as CSV and XLSX.",
    footer: "Sent automatically by the dossier compliance monitor.",
  },
} as const;

/** The figures an amendment names (lib/app/period-report.ts AMENDABLE), as the report's reader knows them. */
const AMENDED_FIELDS: Record<string, Record<Locale, string>> = {
  // The table's own words, its group first (the table's headings, above).
  "received.total": { vi: "Tiếp nhận, tổng", en: "Received, total" },
  "received.carriedOver": { vi: "Tiếp nhận, kỳ trước chuyển sang", en: "Received, carried over" },
  "received.new": { vi: "Tiếp nhận, mới trong kỳ", en: "Received, new" },
  "resolved.total": { vi: "Đã giải quyết, tổng", en: "Resolved, total" },
  "resolved.early": { vi: "Đã giải quyết, trước hạn", en: "Resolved, early" },
  "resolved.onTime": { vi: "Đã giải quyết, đúng hạn", en: "Resolved, on time" },
  "resolved.late": { vi: "Đã giải quyết, trễ hạn", en: "Resolved, late" },
  withdrawn: { vi: "Rút hồ sơ", en: "Withdrawn" },
  "pending.total": { vi: "Đang giải quyết, tổng", en: "Pending, total" },
  "pending.withinDeadline": { vi: "Đang giải quyết, trong hạn", en: "Pending, within the deadline" },
  "pending.overdue": { vi: "Đang giải quyết, quá hạn", en: "Pending, overdue" },
  "ratings.total": { vi: "Lượt đánh giá", en: "Ratings" },
  "ratings.satisfied": { vi: "Lượt đánh giá hài lòng", en: "Satisfied ratings" },
};
export const amendedField = (field: string, locale: Locale) => AMENDED_FIELDS[field]?.[locale] ?? field;
