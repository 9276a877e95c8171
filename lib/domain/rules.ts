import type { AfterHoursReceipt, WorkingCalendar } from "./calendar/calendar";
import { err, ok, type Result } from "./result";
import { addDays, type LocalDate, localDate, startOfLocalDate } from "./time";

/**
 * The one-stop rules as sets with effective dates (docs/rules.md "Rule sets by date"). A dossier is
 * judged by the set in force on the local date it arrived (`dossier.received`'s `occurredAt`).
 * The arrival instant, not the deemed receipt instant, picks the set, because the set itself says
 * how the receipt instant is deemed (R1).
 *
 * Amendments keep coming, so this is a table: a new set is one more entry, with every parameter
 * restated and its source named. A parameter whose source could not be read in full says
 * "(to verify)" in its `source`, and nothing here invents a clause number.
 */

/** A parameter with the document and article it comes from (kept beside the value it sources). */
export interface Sourced<T> {
  value: T;
  source: string;
}

export const LEVELS = ["province", "district", "commune"] as const;
export type Level = (typeof LEVELS)[number];

export interface RuleSet {
  id: string;
  /** First local date (Asia/Ho_Chi_Minh) of dossiers this set governs. */
  effectiveFrom: LocalDate;
  /** The documents of the set, for display. */
  sources: { vi: string; en: string };
  /** R1: how a receipt outside office hours counts, unless the deployment sets otherwise. */
  afterHoursReceipt: Sourced<AfterHoursReceipt>;
  /** R4: the apology and new appointment are due this many working days before the due instant. */
  apologyLeadWorkingDays: Sourced<number>;
  /** R4: how many new appointments (extensions) a dossier may get. */
  allowedNewAppointments: Sourced<number>;
  /** R3: the supplement guidance is given once, in full (a second request is a breach). */
  supplementGuidanceOnce: Sourced<boolean>;
  /** The administrative levels that exist (reports group by these). */
  levels: Sourced<readonly Level[]>;
  /** R5: the source that takes the applicant's financial obligations out of a land dossier's time. */
  financialObligationPause: Sourced<true>;
  /** R4: what the apology document is called (for the digest). */
  apologyDocument: Sourced<{ vi: string; en: string }>;
}

// R1 has no general decree (docs/rules.md R1): the default is the sector practice, hence a setting.
const AFTER_HOURS: Sourced<AfterHoursReceipt> = {
  value: "next-session",
  source:
    "monitor setting: no general text found; sector texts Circular 87/2021/TT-BTC Art. 10, " +
    "Decision 2988/QĐ-TCHQ Art. 7(5) (to verify); receipt time from the portal, Decree 45/2020/NĐ-CP Art. 11 (to verify)",
};

// Decree 61/2018 Art. 19: "chậm nhất một ngày trước ngày hết hạn" (as a June 2018 press summary of
// the decree words it; the decree's own text not read). The decree says "ngày", the monitor reads
// it as one working day for reminders (the stricter reading, docs/rules.md R4), and judges a letter
// late by its words (apologyBreachFrom). The point of Art. 19 is to
// verify.
const APOLOGY_LEAD_2018: Sourced<number> = {
  value: 1,
  source:
    'Decree 61/2018/NĐ-CP Art. 19 (point to verify): "chậm nhất một ngày trước ngày hết hạn", read as 1 working day',
};

// Only one new appointment: Decree 61/2018 as issued ("Việc hẹn lại ngày trả kết quả được thực
// hiện không quá một lần", in a press summary of June 2018, before Decree 107/2021 existed); the
// point is to verify (docs/rules.md R4 and "Sources: what was checked").
const ONE_APPOINTMENT_2018: Sourced<number> = {
  value: 1,
  source:
    'Decree 61/2018/NĐ-CP Art. 19 (point to verify): "Việc hẹn lại ngày trả kết quả được thực hiện không quá một lần"',
};

// Guidance once, in full: Decree 61/2018 Art. 19 (point to verify); Decision 09/2015/QĐ-TTg, the
// one-stop regulation Decree 61/2018 took over from, stated the principle.
const GUIDANCE_ONCE_2018: Sourced<boolean> = {
  value: true,
  source:
    "Decree 61/2018/NĐ-CP Art. 19 (point to verify); its principle also stated by Decision 09/2015/QĐ-TTg (the one-stop regulation before it)",
};

const THREE_LEVELS: Sourced<readonly Level[]> = {
  value: ["province", "district", "commune"],
  source: "Law on the Organisation of Local Government 2015 Art. 2 (to verify): province, district, commune",
};

// Circular 01/2018/TT-VPCP, Form 04 (Mẫu số 04) "Phiếu xin lỗi và hẹn lại ngày trả kết quả", as a
// legal site reproducing the circular's forms and a legal database list them (the circular's own
// text not read); the circular applies from 2019-01-06, and the decree's apology letter before it
// is named by the same title.
const APOLOGY_DOC_2018: Sourced<{ vi: string; en: string }> = {
  value: {
    vi: "phiếu xin lỗi và hẹn lại ngày trả kết quả",
    en: "apology letter with a new appointment for the result",
  },
  source: "Circular 01/2018/TT-VPCP, Form 04 (from 2019-01-06; two secondary lists of its forms)",
};

export const RULE_SETS: readonly RuleSet[] = [
  {
    id: "nd61-2018",
    // Decree 61/2018/NĐ-CP, signed 2018-04-23, in force from 2018-06-21 (two secondary sources
    // agree; the decree's own text not read); Decree 107/2021 amends it.
    effectiveFrom: "2018-06-21",
    sources: {
      vi: "Nghị định 61/2018/NĐ-CP, sửa đổi bởi Nghị định 107/2021/NĐ-CP; đất đai: Nghị định 43/2014/NĐ-CP",
      en: "Decree 61/2018/NĐ-CP as amended by Decree 107/2021/NĐ-CP; land: Decree 43/2014/NĐ-CP",
    },
    afterHoursReceipt: AFTER_HOURS,
    apologyLeadWorkingDays: APOLOGY_LEAD_2018,
    allowedNewAppointments: ONE_APPOINTMENT_2018,
    supplementGuidanceOnce: GUIDANCE_ONCE_2018,
    levels: THREE_LEVELS,
    // Land: the time to fulfil financial obligations is not counted (Decree 43/2014/NĐ-CP Art. 61(4),
    // to verify; corroborated by land offices' receipts "Không tính thời gian thực hiện nghĩa vụ tài chính").
    financialObligationPause: { value: true, source: "Decree 43/2014/NĐ-CP Art. 61(4) (to verify)" },
    apologyDocument: APOLOGY_DOC_2018,
  },
  {
    id: "nd61-2018-land-2024",
    // The Land Law 2024 and its Decree 101/2024/NĐ-CP from 2024-08-01: only the land source changes.
    effectiveFrom: "2024-08-01",
    sources: {
      vi: "Nghị định 61/2018/NĐ-CP, sửa đổi bởi Nghị định 107/2021/NĐ-CP; đất đai: Nghị định 101/2024/NĐ-CP",
      en: "Decree 61/2018/NĐ-CP as amended by Decree 107/2021/NĐ-CP; land: Decree 101/2024/NĐ-CP",
    },
    afterHoursReceipt: AFTER_HOURS,
    apologyLeadWorkingDays: APOLOGY_LEAD_2018,
    allowedNewAppointments: ONE_APPOINTMENT_2018,
    supplementGuidanceOnce: GUIDANCE_ONCE_2018,
    levels: THREE_LEVELS,
    // Decree 101/2024/NĐ-CP Art. 22 (to verify): financial obligations, determination, appraisal,
    // public posting and violations are not counted in a land procedure's time.
    financialObligationPause: { value: true, source: "Decree 101/2024/NĐ-CP Art. 22 (to verify)" },
    apologyDocument: APOLOGY_DOC_2018,
  },
  {
    id: "nd118-2025",
    // Decree 118/2025/NĐ-CP (signed 2025-06-09) with the two-level local government from 2025-07-01.
    effectiveFrom: "2025-07-01",
    sources: {
      vi: "Nghị định 118/2025/NĐ-CP (sửa đổi bởi Nghị định 367/2025/NĐ-CP); đất đai: Nghị định 151/2025/NĐ-CP",
      en: "Decree 118/2025/NĐ-CP (amended by Decree 367/2025/NĐ-CP); land: Decree 151/2025/NĐ-CP",
    },
    afterHoursReceipt: AFTER_HOURS,
    // Decree 118/2025's article on late dossiers was not read: the 2018 lead is kept as a labelled
    // assumption until it is.
    apologyLeadWorkingDays: {
      value: 1,
      source: "Decree 118/2025/NĐ-CP (article to verify); 2018 rule kept as an assumption",
    },
    allowedNewAppointments: {
      value: 1,
      source: "Decree 118/2025/NĐ-CP (article to verify); 2018 rule kept as an assumption",
    },
    supplementGuidanceOnce: {
      value: true,
      source: "Decree 118/2025/NĐ-CP (article to verify); 2018 rule kept as an assumption",
    },
    // Two-level local government from 2025-07-01: province and commune, no district. Law 72/2025/QH15
    // on the Organisation of Local Government (in force 2025-07-01): administrative units are
    // provinces and communes (Art. 2), district-level government ends (Art. 51(3), to verify);
    // Law 72/2025/QH15 Art. 2 and Art. 51(3) (to verify): two levels; Decree 118/2025/NĐ-CP Art. 1
    // names the ministries' desks and the provincial and commune-level one-stop centres, no district
    // level (docs/rules.md).
    levels: {
      value: ["province", "commune"],
      source:
        "Law 72/2025/QH15 on the Organisation of Local Government Art. 2, Art. 51(3) (to verify); Decree 118/2025/NĐ-CP Art. 1 (ministry-level desks, provincial and commune-level one-stop centres: no district level); two-level local government from 2025-07-01",
    },
    // Decree 151/2025/NĐ-CP Appendix I, Part V.A, Section II, item 10 (to verify).
    financialObligationPause: {
      value: true,
      source: "Decree 151/2025/NĐ-CP Appendix I, Part V.A, Section II, item 10 (to verify)",
    },
    // Circular 03/2025/TT-VPCP Appendix I form 04 (issued 2025-09-15; the form's title as a legal
    // library lists the circular's forms): an apology *and a request to extend*. Before that
    // circular took effect, the form reference is unknown.
    apologyDocument: {
      value: {
        vi: "văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
        en: "apology letter and request to extend the processing time",
      },
      source: "Circular 03/2025/TT-VPCP Appendix I, Form 04 (from its effective date, to verify)",
    },
  },
];

/**
 * The rule set for a dossier that arrived at `receivedAt`: the latest set in force on that local
 * date. A dossier older than every set is judged by the oldest one (the monitor has no earlier
 * rules).
 */
export function ruleSetFor(receivedAt: number, sets: readonly RuleSet[] = RULE_SETS): RuleSet {
  const date = localDate(receivedAt);
  let chosen = sets[0];
  if (!chosen) throw new Error("rule sets: the table is empty");
  for (const set of sets)
    if (set.effectiveFrom <= date && set.effectiveFrom >= chosen.effectiveFrom) chosen = set;
  return chosen;
}

/**
 * Whether a dossier's level exists under its own rule set. A `district` dossier received from
 * 2025-07-01 names a level that no longer exists: a value, for the data-quality section (the
 * projection flags it as the anomaly `abolished_level`).
 */
export function judgeLevel(receivedAt: number, level: Level | undefined): Result<undefined, AbolishedLevel> {
  const set = ruleSetFor(receivedAt);
  if (level === undefined || set.levels.value.includes(level)) return ok(undefined);
  return err({ kind: "abolished_level", level, ruleSet: set.id, source: set.levels.source });
}

/** A level its rule set no longer has, with that set and the source that abolished it. */
export interface AbolishedLevel {
  kind: "abolished_level";
  level: Level;
  ruleSet: string;
  source: string;
}

/** Whether a dossier's new appointments exceed what its rule set allows (`extended_twice`). */
export function tooManyAppointments(receivedAt: number, extensions: number): boolean {
  return extensions > ruleSetFor(receivedAt).allowedNewAppointments.value;
}

/** Whether a dossier's supplement requests break the guidance-once rule (`supplement_twice`). */
export function tooManySupplementRequests(receivedAt: number, requests: number): boolean {
  return ruleSetFor(receivedAt).supplementGuidanceOnce.value && requests > 1;
}

/**
 * When a letter no longer counts as sent in time, as the decree words it, for judging a breach (the
 * anomaly `late_apology`): "chậm nhất một ngày trước ngày hết hạn" (Decree 61/2018/NĐ-CP Art. 19,
 * point to verify; docs/rules.md R4). A letter is in time on any day before the due day, working or
 * not, at any hour, and late from the start of the due day (local time). The due day is the one the
 * period's last instant falls in: a due instant at midnight (a date-only appointment) ends the day
 * before, as a period ends at the end of its last day (Civil Code 2015 Art. 148). Reminders take the
 * stricter working-day reading ({@link apologyDeadlineOf}), so they come first; a breach counts only
 * what the decree's words forbid. `undefined` where no reminder deadline exists (a period shorter
 * than the lead: the monitor never asked for a letter, so none is late) or the due day began at or
 * before the receipt.
 */
export function apologyBreachFrom(
  kpiDueAt: number,
  receivedAt: number,
  calendar: WorkingCalendar,
): number | undefined {
  if (apologyDeadlineOf(kpiDueAt, receivedAt, calendar) === undefined) return undefined;
  const lead = ruleSetFor(receivedAt).apologyLeadWorkingDays.value;
  const from = startOfLocalDate(addDays(localDate(kpiDueAt - 1), 1 - lead));
  return from > receivedAt ? from : undefined;
}

/**
 * The apology deadline of a due instant: due − 1 working day (the rule set's lead), read as the
 * close of the working day before, so Thu 17:00 gives Wed 17:00. Decree 61/2018/NĐ-CP Art. 19
 * (point to verify) says "chậm nhất một ngày trước ngày hết hạn" ("ngày", not "ngày làm việc"); the working-day
 * reading is the stricter one, taken for reminders (they come early), and the digest says so; a
 * letter is judged late by the decree's words ({@link apologyBreachFrom}). `undefined` when the deadline would
 * fall at or before the receipt (a period shorter than the lead): no apology can be required
 * before the dossier existed.
 */
export function apologyDeadlineOf(
  kpiDueAt: number,
  receivedAt: number,
  calendar: WorkingCalendar,
): number | undefined {
  const lead = ruleSetFor(receivedAt).apologyLeadWorkingDays.value;
  const deadline = calendar.deadlineBefore(kpiDueAt, lead * calendar.workingDayMs);
  return deadline > receivedAt ? deadline : undefined;
}
