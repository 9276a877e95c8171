import { type Period, periodBounds } from "../periods";
import { shownRatio } from "../ratio";
import { addCounts, type Counts, type PeriodCounts, zeroCounts } from "../report";
import { formatInstant } from "../time";
import type { IndicatorId, OfficialSettings } from "./settings";

/**
 * The national service index (Decision 766/QĐ-TTg, 2022; docs/official.md), computed live from the
 * same counters, period and T as the report. Formulas and scales follow the national portal's
 * calculation description ("Mô tả công thức tính chỉ số 766", as embedded in public one-stop
 * code), except 5.4, which follows the decision's wording (as a provincial summary quotes it;
 * the annex was not read) where the portal's description
 * (100% − overdue rate − complaint rate) would subtract a dossier twice. Every indicator the
 * events cannot support yet is listed with the missing input.
 */

const SOURCE = "Quyết định 766/QĐ-TTg (2022); “Mô tả công thức tính chỉ số 766” của Cổng DVCQG";

/** A count as Vietnamese writes it (1.234); the renderers' formatting lives outside the domain. */
const groupVi = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
const groupEn = (n: number) => n.toLocaleString("en");

/** Text a person reads, in both languages (Vietnamese first). */
export type Text = { vi: string; en: string };

export interface Indicator {
  id: IndicatorId;
  name: { vi: string; en: string };
  /** In [0, 1], or null with the reason. */
  rate: number | null;
  numerator: number | null;
  denominator: number | null;
  reason: Text | null;
  /** The rate at which the indicator earns its full points, when the index gives one. */
  fullPointsAt: number | null;
  /** Share of the indicator's maximum points (min(1, rate / fullPointsAt)); null without a scale. */
  pointsShare: number | null;
  scale: Text | null;
  source: string;
  /** What the number leaves out, when it is an approximation of the index's formula. */
  notes: Text[];
  /** The deployment's target rate, when configured. */
  target: number | null;
}

export interface IndexBlock {
  indicators: Indicator[];
}

export interface NationalIndex extends IndexBlock {
  period: { name?: string; from: string; to: string };
  /** The same T as the report: min(asOf, end of the period). */
  asOf: string;
  rolling: boolean;
  unit: string | null;
  /** Dossiers of the period whose deadline falls in a year without calendar data (docs/rules.md R6). */
  noCalendar: number;
  /** Per unit, with its name from the unit directory (null when the directory lacks the unit). */
  byUnit: (IndexBlock & { unit: string; name: { vi: string; en: string } | null })[];
}

const ratio = shownRatio;

/** An indicator's rate before rounding, from its numerator and denominator when it has them. */
const exactRate = (fields: Partial<Indicator>, rate: number) =>
  fields.numerator != null && fields.denominator
    ? Math.min(1, Math.max(0, fields.numerator / fields.denominator))
    : rate;

/**
 * The share of full points from the exact ratio, in whole numbers where the counts are known
 * (numerator ÷ denominator × full-points rate, half up as every rate is shown).
 */
function pointsShareOf(fields: Partial<Indicator>, rate: number, fullPointsAt: number): number | null {
  const { numerator, denominator } = fields;
  if (numerator != null && denominator)
    return shownRatio(numerator * 10_000, Math.round(denominator * fullPointsAt * 10_000));
  return shownRatio(rate, fullPointsAt);
}

/**
 * A rate under a threshold it is read against (its indicator's full-points rate, the deployment's
 * target) never shown at it: 12,499 of 25,000 rounds to 50 %, where 3.3 gives full points, yet earns
 * 99,99 % of them; 189,991 of 200,000 rounds to 95 % against a 95 % target it missed. Shown 49,99 %
 * and 94,99 %, the rate says why.
 */
function belowThresholds(
  rate: number | null,
  thresholds: readonly (number | null)[],
  fields: Partial<Indicator>,
) {
  if (rate === null) return rate;
  const exact = exactRate(fields, rate);
  let shown = rate;
  for (const at of thresholds)
    if (at !== null && shown >= at && exact < at) shown = Math.round((at - 0.0001) * 10_000) / 10_000;
  return shown;
}

function indicator(
  id: IndicatorId,
  name: Indicator["name"],
  targets: OfficialSettings["targets"],
  fields: Partial<Indicator>,
): Indicator {
  const fullPointsAt = fields.fullPointsAt ?? null;
  const rate = belowThresholds(fields.rate ?? null, [fullPointsAt, targets[id] ?? null], fields);
  return {
    id,
    name,
    rate,
    numerator: fields.numerator ?? null,
    denominator: fields.denominator ?? null,
    reason:
      rate === null
        ? (fields.reason ?? { vi: "không có hồ sơ nào ở mẫu số", en: "no dossiers in the denominator" })
        : null,
    fullPointsAt,
    // From the exact ratio when it is known: the rate shown is rounded, and rounding twice moves
    // the share (668/1,501 at full points from 90 %: 49.45 %, not 49.44 %).
    pointsShare: rate !== null && fullPointsAt !== null ? pointsShareOf(fields, rate, fullPointsAt) : null,
    scale:
      fullPointsAt === null
        ? null
        : fullPointsAt === 1
          ? { vi: "điểm = tỷ lệ × điểm tối đa", en: "points = rate × full points" }
          : {
              vi: `≥ ${fullPointsAt * 100}%: điểm tối đa; dưới: tỷ lệ × điểm tối đa / ${fullPointsAt * 100}%`,
              en: `≥ ${fullPointsAt * 100}%: full points; below: rate × full points / ${fullPointsAt * 100}%`,
            },
    source: SOURCE,
    notes: fields.notes ?? [],
    target: targets[id] ?? null,
  };
}

/** The index's indicators for one set of counts (a unit's, or the office's). */
export function indexOf(c: Counts, targets: OfficialSettings["targets"] = {}): IndexBlock {
  return {
    indicators: [
      ...progressIndicators(c, targets),
      ...onlineIndicators(c, targets),
      ...digitalIndicators(c, targets),
      satisfactionIndicator(c, targets),
      syncIndicator(targets),
    ],
  };
}

/** Area 2, progress: on time (2.1), and the mean processing time (2.2), not computed. */
function progressIndicators(c: Counts, targets: OfficialSettings["targets"]): Indicator[] {
  const total = c.carriedOver + c.receivedNew;
  const onTime = ratio(c.indexOnTime, total);
  return [
    indicator("2.1", { vi: "Tiến độ giải quyết (đúng hạn, trong hạn)", en: "On-time progress" }, targets, {
      rate: onTime,
      numerator: c.indexOnTime,
      denominator: total,
      // The portal's description gives 2.1 no threshold: its points are the rate × its maximum.
      fullPointsAt: 1,
      notes: [
        {
          vi: "Hồ sơ chưa hoàn thành đã yêu cầu bổ sung hơn 01 lần tính quá hạn; hồ sơ đang chờ bổ sung xét tại thời điểm yêu cầu; hồ sơ đã hoàn thành xét theo thời điểm hoàn thành, trừ thời gian bổ sung.",
          en: "A dossier not finished that was asked for supplements more than once counts as overdue; one waiting for a supplement is judged at the request; a finished one by when it finished, supplement time deducted.",
        },
        {
          vi: `Hồ sơ chưa hoàn thành đã yêu cầu bổ sung từ 2 lần (tính quá hạn): ${groupVi(c.supplementMulti)}.`,
          en: `Dossiers not finished and asked for supplements twice or more (counted overdue): ${groupEn(c.supplementMulti)}.`,
        },
      ],
    }),
    indicator("2.2", { vi: "Thời gian giải quyết trung bình", en: "Mean processing time" }, targets, {
      reason: {
        vi: "chỉ số tính theo từng thủ tục, trong đơn vị giải quyết, trừ thời gian bổ sung: chưa có bộ đếm thời gian giải quyết theo thủ tục",
        en: "shown per procedure only, in its own unit, supplement time deducted: no per-procedure processing-time counters yet",
      },
    }),
  ];
}

/** Area 3, online service: procedures offered online (3.1), not computed, and the online rate (3.3). */
function onlineIndicators(c: Counts, targets: OfficialSettings["targets"]): Indicator[] {
  return [
    indicator(
      "3.1",
      { vi: "Thủ tục cung cấp dịch vụ công trực tuyến", en: "Procedures offered online" },
      targets,
      {
        reason: {
          vi: "tính theo thủ tục, không theo hồ sơ: danh mục thủ tục chưa có trường mức độ dịch vụ công trực tuyến",
          en: "per procedure, not per dossier: the procedure catalog has no online-service level field",
        },
      },
    ),
    indicator("3.3", { vi: "Tỷ lệ hồ sơ trực tuyến", en: "Online rate" }, targets, {
      rate: ratio(c.receivedOnline, c.receivedNew),
      numerator: c.receivedOnline,
      denominator: c.receivedNew,
      fullPointsAt: 0.5,
      notes: [
        {
          vi: "Tỷ lệ đồng bộ (1.4) lấy bằng 1 (các sự kiện không có dữ liệu của nó).",
          en: "The sync rate (1.4) is taken as 1 (its inputs are not in the events).",
        },
        {
          vi: "Chưa áp dụng điều kiện kết quả điện tử với thủ tục có kết quả giấy: danh mục thủ tục chưa cho biết thủ tục nào.",
          en: "The electronic-result condition for procedures with a paper result is not applied: the catalog does not say which procedures issue one.",
        },
      ],
    }),
  ];
}

/** Area 4, digitisation: electronic results (4.1) and digitised dossiers (4.2). */
function digitalIndicators(c: Counts, targets: OfficialSettings["targets"]): Indicator[] {
  return [
    indicator("4.1", { vi: "Hồ sơ có kết quả điện tử", en: "Electronic results" }, targets, {
      rate: ratio(c.resultElectronic, c.resultReported),
      numerator: c.resultElectronic,
      denominator: c.resultReported,
      reason: {
        vi: "chưa có hồ sơ nào giải quyết trong kỳ cho biết kết quả có phải bản điện tử hay không",
        en: "no dossier resolved in the period says whether its result is electronic (resolved.data.resultElectronic)",
      },
      notes: [
        {
          vi: "Trên các hồ sơ có cho biết kết quả có phải điện tử hay không, không chỉ thủ tục có kết quả giấy.",
          en: "Over dossiers whose result says whether it is electronic, not only procedures with a paper result.",
        },
      ],
    }),
    indicator("4.2", { vi: "Hồ sơ số hóa", en: "Digitised dossiers" }, targets, {
      rate: ratio(c.digitisedElectronic, c.digitisedReported),
      numerator: c.digitisedElectronic,
      denominator: c.digitisedReported,
      fullPointsAt: 0.8,
      reason: {
        vi: "chưa có hồ sơ nào tiếp nhận trong kỳ cho biết đã được số hóa hay chưa",
        en: "no dossier received in the period says whether it was digitised (received.data.digitised)",
      },
      notes: [
        {
          vi: "Thành phần được số hóa và có kết quả điện tử, trên các hồ sơ có cho biết đã số hóa hay chưa.",
          en: "Digitised components and an electronic result, over dossiers that say whether they were digitised.",
        },
      ],
    }),
  ];
}

/** Area 5, satisfaction (5.4). */
function satisfactionIndicator(c: Counts, targets: OfficialSettings["targets"]): Indicator {
  const total = c.carriedOver + c.receivedNew;
  // Decision 766/QĐ-TTg (2022), indicator 5.4, by the decision's wording as quoted (its annex not
  // read; docs/official.md): dossiers, each once, not two rates added.
  const satisfied = total - c.indexUnsatisfied;
  const satisfaction = ratio(satisfied, total);
  return indicator("5.4", { vi: "Mức độ hài lòng (chỉ số 766)", en: "Satisfaction (index 766)" }, targets, {
    rate: satisfaction,
    numerator: total === 0 ? null : satisfied,
    denominator: total,
    fullPointsAt: 0.9,
    notes: [
      {
        vi: "(Tổng số hồ sơ − số hồ sơ bị đánh giá không hài lòng, có phản ánh, kiến nghị về việc tiếp nhận, giải quyết hoặc quá hạn) / tổng số hồ sơ, theo Quyết định 766/QĐ-TTg: mỗi hồ sơ trừ một lần, dù vừa quá hạn vừa bị đánh giá không hài lòng.",
        en: "(Total dossiers − dossiers rated unsatisfied, with a complaint about their receipt or resolution, or late) / total dossiers, as Decision 766/QĐ-TTg words it: each dossier subtracted once, even when both late and rated unsatisfied.",
      },
      {
        vi: `Hồ sơ bị trừ: ${groupVi(c.indexUnsatisfied)}. Phản ánh, kiến nghị: ${groupVi(c.complaints)} (chỉ phản ánh về tiếp nhận, xử lý hoặc chậm trễ bị trừ, không tính loại “khác”; dữ liệu đồng bộ của Cổng không có phản ánh, kiến nghị: số liệu đến từ hệ thống tiếp nhận phản ánh, kiến nghị hoặc nguồn tại chỗ). Đánh giá không hài lòng: điểm 1–2.`,
        en: `Dossiers subtracted: ${groupEn(c.indexUnsatisfied)}. Complaints: ${groupEn(c.complaints)} (dossier.complaint_received; only those about the receipt, the handling or a delay subtract, not "other"; not in the portal's sync payload: they come from the feedback system or a local source). Dissatisfied ratings: scores 1–2.`,
      },
    ],
  });
}

/** Area 1, the sync to the national portal (1.4): not computed from events. */
function syncIndicator(targets: OfficialSettings["targets"]): Indicator {
  return indicator(
    "1.4",
    { vi: "Đồng bộ hồ sơ lên Cổng DVCQG", en: "Sync to the national portal" },
    targets,
    {
      reason: {
        vi: "cần số hồ sơ của Hệ thống báo cáo quốc gia và của Cổng Dịch vụ công quốc gia, nhưng chưa có dữ liệu nào cung cấp các số này",
        en: "needs the national reporting system's and the portal's dossier counts, which no event carries",
      },
    },
  );
}

/** The index of a period from its counters: the office's, and each unit's. */
export function buildIndex(
  counts: PeriodCounts,
  options: {
    period: Period;
    asOf: number;
    unit?: string;
    targets?: OfficialSettings["targets"];
    /** Unit names by id (the unit directory): every text a person reads names units. */
    names?: ReadonlyMap<string, { vi: string; en: string }>;
  },
): NationalIndex {
  const { period } = options;
  const { end } = periodBounds(period);
  const units = [...counts.byUnit.entries()]
    .filter(([u]) => options.unit === undefined || u === options.unit)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const total = zeroCounts();
  for (const [, c] of units) addCounts(total, c);
  return {
    period: { name: period.name, from: period.from, to: period.to },
    asOf: formatInstant(Math.min(options.asOf, end)),
    rolling: options.asOf < end,
    unit: options.unit ?? null,
    noCalendar: total.noCalendar,
    ...indexOf(total, options.targets),
    byUnit: units.map(([unit, c]) => ({
      unit,
      name: options.names?.get(unit) ?? null,
      ...indexOf(c, options.targets),
    })),
  };
}
