import type { StageKind } from "./alerts";
import type { RuleSet } from "./rules";

/**
 * What to do at each stage, for the digest: Vietnamese first, English available. The apology
 * document is named as the dossier's rule set names it (rules.ts).
 */
export function stageGuidance(kind: StageKind, ruleSet: RuleSet): { vi: string; en: string } {
  const doc = ruleSet.apologyDocument.value;
  // The apology's lead time, the one new appointment and guidance once are the rule set's, each
  // with its source (Decree 61/2018/NĐ-CP Art. 19, point to verify; for dossiers received from
  // 2025-07-01 kept as labelled assumptions: rules.ts, docs/rules.md R4). The decree says "một ngày
  // trước ngày hết hạn"; the reminders read a working day, and the apology stage's text says so; a
  // letter is judged late by the decree's words (rules.ts `apologyBreachFrom`), and that text says so.
  const lead = ruleSet.apologyLeadWorkingDays.value;
  const leadVi = `${String(lead).padStart(2, "0")} ngày làm việc trước hạn giải quyết`;
  const leadEn = `${lead === 1 ? "one working day" : `${lead} working days`} before the due date`;
  switch (kind) {
    case "near_due":
      return {
        vi: `Hồ sơ sắp đến hạn: giải quyết ngay. Nếu không kịp, chuẩn bị ${doc.vi} trước hạn xin lỗi (${leadVi}).`,
        en: `Due soon: resolve it now. If it cannot be done in time, prepare the ${doc.en} before the apology deadline (${leadEn}).`,
      };
    case "apology_due":
      return {
        vi: `Nếu hồ sơ không kịp hạn: gửi văn bản thông báo cho Bộ phận Một cửa và ${doc.vi} cho người nộp (chỉ hẹn lại một lần), chậm nhất ${leadVi} (nghị định quy định chậm nhất một ngày trước ngày hết hạn; hệ thống tính theo ngày làm việc).`,
        en: `If the dossier will be late: notify the one-stop desk in writing and send the applicant the ${doc.en} (one new appointment only), at the latest ${leadEn} (the decree says "one day before the due date"; the monitor counts working days).`,
      };
    case "apology_missed":
      return {
        vi: `Đã qua hạn xin lỗi (${leadVi}) mà chưa có ${doc.vi}: gửi ngay cho người nộp qua Bộ phận Một cửa và giải quyết hồ sơ trong hạn còn lại.`,
        en: `The apology deadline (${leadEn}) has passed with no ${doc.en}: send it to the applicant through the one-stop desk now, and resolve the dossier in the time left.`,
      };
    case "overdue":
      return {
        vi: "Hồ sơ đã quá hạn: giải quyết ngay và ghi rõ lý do chậm. Hẹn lại không làm hồ sơ trở thành đúng hạn.",
        en: "Overdue: resolve it now and record why it is late. A new appointment does not make it on time.",
      };
    case "escalation":
      return {
        vi: "Hồ sơ quá hạn kéo dài: lãnh đạo chỉ đạo giải quyết dứt điểm và xác định trách nhiệm.",
        en: "Long overdue: leadership directs its resolution and establishes responsibility.",
      };
    case "past_appointment":
      return {
        vi: "Đã qua ngày hẹn lại: trả kết quả ngay cho người nộp; không được hẹn lại lần thứ hai.",
        en: "The new appointment has passed: hand the result to the applicant now; a second appointment is not allowed.",
      };
    case "possibly_closed":
      return {
        vi: "Hồ sơ lâu không có cập nhật: kiểm tra xem kết quả đã trả ngoài hệ thống chưa và cập nhật trạng thái.",
        en: "No update for a long time: check whether the result was handed over outside the system, and update its status.",
      };
    case "late_apology":
      return {
        vi: `${capitalise(doc.vi)} được gửi sau hạn (vào ngày hết hạn giải quyết hoặc sau đó; nghị định quy định chậm nhất một ngày trước ngày hết hạn): được tính trong báo cáo KPI gửi lãnh đạo; cần rút kinh nghiệm.`,
        en: `The ${doc.en} was sent after its deadline (on the dossier's due day or later; the decree says "one day before the due date" at the latest): counted in the KPI email to leadership; review why.`,
      };
    case "supplement_twice":
      return {
        vi: "Yêu cầu bổ sung hồ sơ lần thứ hai: việc hướng dẫn bổ sung chỉ được thực hiện một lần, đầy đủ. Kiểm tra lý do và báo cáo Bộ phận Một cửa.",
        en: "A second supplement request: guidance must be given once, in full. Check why, and report to the one-stop desk.",
      };
    case "extended_twice":
      return {
        vi: "Hẹn lại ngày trả kết quả lần thứ hai: chỉ được hẹn lại một lần. Giải quyết ngay và báo cáo lãnh đạo.",
        en: "A second new appointment: only one is allowed. Resolve the dossier now and report to leadership.",
      };
    case "late_supplement_request":
      return {
        vi: `Yêu cầu bổ sung (hoặc tạm dừng chờ nghĩa vụ tài chính, chờ cơ quan khác) sau khi hồ sơ đã quá hạn: thời gian tạm dừng không được trừ, hồ sơ vẫn tính là quá hạn. Giải quyết ngay; nếu chưa có ${doc.vi} thì gửi cho người nộp.`,
        en: `A supplement request (or a pause for fees or another agency) made after the dossier was overdue: the pause is not deducted and the dossier still counts as overdue. Resolve it now; if there is no ${doc.en} yet, send it to the applicant.`,
      };
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
