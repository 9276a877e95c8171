import type { ProcedureCatalog, ProcedurePeriod } from "./projection";

/**
 * The procedures of the seed district's one-stop desk, with their lawful processing periods: the
 * fallback when a `dossier.received` gives neither `dueAt` nor a period (events.md). A deployment
 * loads its own catalog; this one serves the sample data and the simulator.
 */
export interface Procedure extends ProcedurePeriod {
  code: string;
  vi: string;
  en: string;
  domain: string;
}

export const SEED_PROCEDURES: readonly Procedure[] = [
  {
    code: "1.004227",
    vi: "Đăng ký biến động quyền sử dụng đất do chuyển nhượng",
    en: "Registering a land-use right transfer",
    domain: "dat-dai",
    days: 10,
  },
  {
    code: "1.003010",
    vi: "Cấp đổi giấy chứng nhận quyền sử dụng đất",
    en: "Replacing a land-use right certificate",
    domain: "dat-dai",
    days: 7,
  },
  {
    code: "1.004203",
    vi: "Đăng ký thế chấp quyền sử dụng đất",
    en: "Registering a mortgage of a land-use right",
    domain: "dat-dai",
    hours: 8,
  },
  {
    code: "1.001990",
    vi: "Chuyển mục đích sử dụng đất",
    en: "Changing the purpose of land use",
    domain: "dat-dai",
    days: 15,
  },
  {
    code: "1.010728",
    vi: "Đăng ký kế hoạch bảo vệ môi trường",
    en: "Registering an environmental protection plan",
    domain: "moi-truong",
    days: 10,
  },
  {
    code: "1.001776",
    vi: "Trợ cấp xã hội hằng tháng",
    en: "Monthly social allowance",
    domain: "bao-tro-xa-hoi",
    days: 12,
  },
  {
    code: "1.001758",
    vi: "Hỗ trợ chi phí mai táng",
    en: "Funeral cost support",
    domain: "bao-tro-xa-hoi",
    days: 5,
  },
  {
    code: "1.002519",
    vi: "Giải quyết chế độ người có công",
    en: "Benefits for people with meritorious services",
    domain: "nguoi-co-cong",
    days: 10,
  },
  {
    code: "2.000815",
    vi: "Chứng thực bản sao từ bản chính",
    en: "Certifying copies from originals",
    domain: "chung-thuc",
    hours: 4,
  },
  {
    code: "1.001193",
    vi: "Đăng ký khai sinh có yếu tố nước ngoài",
    en: "Registering a birth with a foreign element",
    domain: "ho-tich",
    days: 5,
  },
  {
    code: "2.000575",
    vi: "Đăng ký thành lập hộ kinh doanh",
    en: "Registering a household business",
    domain: "ho-kinh-doanh",
    days: 3,
  },
  {
    code: "1.009974",
    vi: "Cấp giấy phép xây dựng nhà ở riêng lẻ",
    en: "Building permit for a detached house",
    domain: "xay-dung",
    days: 15,
  },
  {
    code: "1.001029",
    vi: "Cấp giấy phép tổ chức biểu diễn nghệ thuật",
    en: "Licence for an art performance",
    domain: "van-hoa",
    days: 5,
  },
];

/** Domain names for display. */
export const DOMAIN_NAMES: Readonly<Record<string, { vi: string; en: string }>> = {
  "dat-dai": { vi: "Đất đai", en: "Land" },
  "moi-truong": { vi: "Môi trường", en: "Environment" },
  "bao-tro-xa-hoi": { vi: "Bảo trợ xã hội", en: "Social protection" },
  "nguoi-co-cong": { vi: "Người có công", en: "Meritorious people" },
  "chung-thuc": { vi: "Chứng thực", en: "Certification" },
  "ho-tich": { vi: "Hộ tịch", en: "Civil status" },
  "ho-kinh-doanh": { vi: "Hộ kinh doanh", en: "Household business" },
  "xay-dung": { vi: "Xây dựng", en: "Construction" },
  "van-hoa": { vi: "Văn hóa", en: "Culture" },
};

/** A catalog map from a list of procedures. */
export function catalogOf(procedures: readonly Procedure[] = SEED_PROCEDURES): ProcedureCatalog {
  return new Map(procedures.map((p) => [p.code, { days: p.days, hours: p.hours }]));
}
