/**
 * The seed district office of \`seed-2022-q3\` (./seed-2022-q3.ts): its one-stop desk, its
 * departments with their procedures, and how many of each department's dossiers the generator
 * makes end the seed window in each state (the seed report's figures, by department).
 */

export interface SeedUnit {
  id: string;
  vi: string;
  en: string;
  procedures: string[];
  /** How many of its dossiers end the window in each state. */
  plan: { received: number; late: number; overdue: number; within: number };
}

/** The one-stop desk (Bộ phận Một cửa) that receives some dossiers before handing them on. */
export const ONE_STOP_DESK = {
  id: "bp-mot-cua",
  vi: "Bộ phận Tiếp nhận và Trả kết quả",
  en: "One-stop desk",
};

export const SEED_UNITS: readonly SeedUnit[] = [
  {
    id: "cn-vpdk-dat-dai",
    vi: "Chi nhánh Văn phòng Đăng ký đất đai",
    en: "Land Registration Office branch",
    procedures: ["1.004227", "1.003010", "1.004203"],
    plan: { received: 1900, late: 230, overdue: 55, within: 260 },
  },
  {
    id: "phong-tnmt",
    vi: "Phòng Tài nguyên và Môi trường",
    en: "Natural Resources and Environment Division",
    procedures: ["1.001990", "1.010728"],
    plan: { received: 420, late: 60, overdue: 15, within: 70 },
  },
  {
    id: "phong-ldtbxh",
    vi: "Phòng Lao động – Thương binh và Xã hội",
    en: "Labour, Invalids and Social Affairs Division",
    procedures: ["1.001776", "1.001758", "1.002519"],
    plan: { received: 610, late: 25, overdue: 35, within: 60 },
  },
  {
    id: "phong-tu-phap",
    vi: "Phòng Tư pháp",
    en: "Justice Division",
    procedures: ["2.000815", "1.001193"],
    plan: { received: 1850, late: 5, overdue: 0, within: 120 },
  },
  {
    id: "phong-tckh",
    vi: "Phòng Tài chính – Kế hoạch",
    en: "Finance and Planning Division",
    procedures: ["2.000575"],
    plan: { received: 380, late: 10, overdue: 5, within: 70 },
  },
  {
    id: "phong-qldt",
    vi: "Phòng Quản lý đô thị",
    en: "Urban Management Division",
    procedures: ["1.009974"],
    plan: { received: 260, late: 15, overdue: 5, within: 60 },
  },
  {
    id: "phong-vhtt",
    vi: "Phòng Văn hóa và Thông tin",
    en: "Culture and Information Division",
    procedures: ["1.001029"],
    plan: { received: 100, late: 0, overdue: 0, within: 20 },
  },
];
