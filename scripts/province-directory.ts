/**
 * A synthetic province's unit directory (the shape lib/domain/agencies.ts reads), built from a
 * seed: scripts/generate-province.ts writes it, the tests rebuild it to hold the committed file to
 * it. Made-up names, Vietnamese with full diacritics; addresses on example.org only.
 */
import { mulberry32 } from "../dev/scenarios/rng";

export interface ProvinceOptions {
  seed: number;
  /** New communes from 2025-07-01 (each merged from 2 or 3 old ones). */
  communes: number;
}

interface Contact {
  name: string;
  email: string;
}

/** The merger date: districts end the day before, merged communes hand over to their successors. */
export const MERGER_DATE = "2025-07-01";
const LAST_DAY_BEFORE = "2025-06-30";
const SINCE = "2020-01-01";
/** The sample's department merger (two departments into one), before the communes'. */
const DEPARTMENT_MERGER = "2025-03-01";
const DEPARTMENT_LAST_DAY = "2025-02-28";

/** An ASCII id from a Vietnamese name: `Hòa Bình` → `hoa-binh`. */
export function slug(name: string): string {
  return name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

const SYLLABLES = [
  "An",
  "Bình",
  "Hòa",
  "Phú",
  "Tân",
  "Thạnh",
  "Long",
  "Phước",
  "Hưng",
  "Đông",
  "Tây",
  "Nam",
  "Bắc",
  "Mỹ",
  "Vĩnh",
  "Quảng",
  "Xuân",
  "Thanh",
  "Hải",
  "Sơn",
  "Trung",
  "Hiệp",
  "Lộc",
  "Thuận",
  "Đức",
  "Nghĩa",
  "Cẩm",
  "Kim",
  "Ngọc",
  "Lạc",
  "Yên",
  "Hồng",
  "Định",
  "Thái",
  "Hà",
  "Lâm",
  "Minh",
  "Quang",
  "Tiến",
  "Thắng",
  "Phong",
  "Khánh",
  "Cát",
  "Đại",
  "Thượng",
  "Hạ",
  "Châu",
  "Điền",
  "Mai",
  "Trà",
];

/** The provincial departments (after the sample's 2025-03-01 merger) and their units' names. */
const DEPARTMENTS: { vi: string; en: string; id: string }[] = [
  { id: "so-noi-vu", vi: "Sở Nội vụ", en: "Department of Home Affairs" },
  { id: "so-tu-phap", vi: "Sở Tư pháp", en: "Department of Justice" },
  { id: "so-tai-chinh", vi: "Sở Tài chính", en: "Department of Finance" },
  { id: "so-cong-thuong", vi: "Sở Công Thương", en: "Department of Industry and Trade" },
  { id: "so-nn-mt", vi: "Sở Nông nghiệp và Môi trường", en: "Department of Agriculture and Environment" },
  { id: "so-xay-dung", vi: "Sở Xây dựng", en: "Department of Construction" },
  { id: "so-khcn", vi: "Sở Khoa học và Công nghệ", en: "Department of Science and Technology" },
  { id: "so-gddt", vi: "Sở Giáo dục và Đào tạo", en: "Department of Education and Training" },
  { id: "so-y-te", vi: "Sở Y tế", en: "Department of Health" },
  { id: "so-vhttdl", vi: "Sở Văn hóa, Thể thao và Du lịch", en: "Department of Culture, Sports and Tourism" },
  {
    id: "so-dan-toc-ton-giao",
    vi: "Sở Dân tộc và Tôn giáo",
    en: "Department of Ethnic and Religious Affairs",
  },
  { id: "so-ngoai-vu", vi: "Sở Ngoại vụ", en: "Department of Foreign Affairs" },
  { id: "thanh-tra-tinh", vi: "Thanh tra tỉnh", en: "Provincial Inspectorate" },
  {
    id: "van-phong-ubnd",
    vi: "Văn phòng Ủy ban nhân dân tỉnh",
    en: "Office of the Provincial People's Committee",
  },
  { id: "ban-ql-kcn", vi: "Ban Quản lý các khu công nghiệp", en: "Industrial Zones Authority" },
  { id: "cong-an-tinh", vi: "Công an tỉnh", en: "Provincial Police" },
  { id: "thue-tinh", vi: "Thuế tỉnh", en: "Provincial Tax Office" },
  { id: "bhxh-tinh", vi: "Bảo hiểm xã hội tỉnh", en: "Provincial Social Insurance" },
  {
    id: "trung-tam-phvhcc",
    vi: "Trung tâm Phục vụ hành chính công tỉnh",
    en: "Provincial Public Administration Service Centre",
  },
  {
    id: "so-tn-mt",
    vi: "Sở Tài nguyên và Môi trường",
    en: "Department of Natural Resources and Environment",
  },
  {
    id: "so-nn-ptnt",
    vi: "Sở Nông nghiệp và Phát triển nông thôn",
    en: "Department of Agriculture and Rural Development",
  },
];

const DEPARTMENT_UNITS = [
  ["Văn phòng", "Office"],
  ["Phòng Hành chính - Tổng hợp", "Administration Division"],
  ["Phòng Kế hoạch - Tài chính", "Planning and Finance Division"],
  ["Phòng Pháp chế", "Legal Division"],
  ["Phòng Quản lý chuyên ngành", "Sector Management Division"],
  ["Phòng Cấp phép", "Licensing Division"],
  ["Phòng Thẩm định", "Appraisal Division"],
  ["Chi cục", "Sub-department"],
  ["Trung tâm Dịch vụ", "Service Centre"],
  ["Phòng Kiểm tra", "Inspection Division"],
  ["Bộ phận Tiếp nhận và Trả kết quả", "One-stop desk"],
  ["Phòng Công nghệ thông tin", "IT Division"],
] as const;

/** A commune's offices under the two-level model. */
const NEW_COMMUNE_UNITS = [
  ["Văn phòng HĐND và UBND", "Office of the People's Council and Committee"],
  ["Phòng Kinh tế", "Economic Division"],
  ["Phòng Văn hóa - Xã hội", "Culture and Society Division"],
  ["Trung tâm Phục vụ hành chính công", "Public Administration Service Centre"],
  ["Bộ phận Địa chính - Xây dựng", "Land and Construction Section"],
  ["Bộ phận Tư pháp - Hộ tịch", "Justice and Civil Status Section"],
] as const;

/** An old commune's offices. */
const OLD_COMMUNE_UNITS = [
  ["Bộ phận Một cửa", "One-stop desk"],
  ["Công chức Tư pháp - Hộ tịch", "Justice and Civil Status Officer"],
] as const;

/** A district's offices (abolished with the district). */
const DISTRICT_UNITS = [
  ["Phòng Tư pháp", "Justice Division"],
  ["Phòng Tài nguyên và Môi trường", "Natural Resources and Environment Division"],
  ["Phòng Tài chính - Kế hoạch", "Finance and Planning Division"],
  ["Phòng Kinh tế và Hạ tầng", "Economy and Infrastructure Division"],
  ["Phòng Lao động - Thương binh và Xã hội", "Labour, Invalids and Social Affairs Division"],
  ["Phòng Văn hóa và Thông tin", "Culture and Information Division"],
  ["Phòng Nội vụ", "Home Affairs Division"],
  ["Chi nhánh Văn phòng Đăng ký đất đai", "Land Registration Office branch"],
  ["Bộ phận Một cửa", "One-stop desk"],
  ["Phòng Giáo dục và Đào tạo", "Education and Training Division"],
] as const;

const mail = (local: string): string => `${local}@example.org`;
const contact = (name: string, local: string): Contact => ({ name, email: mail(local) });

export function generateProvince(options: ProvinceOptions) {
  const rnd = mulberry32(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const used = new Set<string>();
  /** A made-up place name of two syllables, unique in the province. */
  const placeName = (): string => {
    for (;;) {
      const name = `${pick(SYLLABLES)} ${pick(SYLLABLES)}`;
      const [a, b] = name.split(" ");
      if (a === b || used.has(slug(name))) continue;
      used.add(slug(name));
      return name;
    }
  };
  const provinceName = "Sơn Hà";
  used.add(slug(provinceName));
  const province = "tinh-son-ha";
  const agencies: Record<string, unknown>[] = [];
  const units: Record<string, unknown>[] = [];

  agencies.push({
    id: province,
    nameVi: `Ủy ban nhân dân tỉnh ${provinceName}`,
    nameEn: `${provinceName} Provincial People's Committee`,
    level: "province",
    validFrom: SINCE,
    leadership: [
      contact(`Chủ tịch UBND tỉnh ${provinceName}`, "chu-tich.tinh"),
      contact("Phó Chủ tịch UBND tỉnh phụ trách cải cách hành chính", "pho-chu-tich.tinh"),
    ],
    oneStopDesk: [contact("Trung tâm Phục vụ hành chính công tỉnh", "phvhcc.tinh")],
    thresholds: { nearDueWorkingHours: 16, escalationWorkingDays: 5 },
  });

  const unitsOf = (
    parent: string,
    list: readonly (readonly [string, string])[],
    suffixVi: string,
    suffixEn: string,
    level: string,
    validity: { validFrom?: string; validTo?: string },
    count = list.length,
  ) => {
    for (const [vi, en] of list.slice(0, count)) {
      const id = `${parent}.${slug(en)}`;
      units.push({
        id,
        nameVi: `${vi} ${suffixVi}`.trim(),
        nameEn: `${en}, ${suffixEn}`,
        level,
        parentId: parent,
        ...validity,
        head: contact(
          `Trưởng ${vi.charAt(0).toLowerCase()}${vi.slice(1)} ${suffixVi}`.trim(),
          `truong.${id}`,
        ),
      });
    }
  };

  for (const d of DEPARTMENTS) {
    const merged = d.id === "so-tn-mt" || d.id === "so-nn-ptnt";
    const validity = merged ? { validFrom: SINCE, validTo: DEPARTMENT_LAST_DAY } : { validFrom: SINCE };
    agencies.push({
      id: d.id,
      nameVi: d.vi,
      nameEn: d.en,
      level: "provincial-department",
      parentId: province,
      ...validity,
      ...(d.id === "so-nn-mt" ? { validFrom: DEPARTMENT_MERGER } : {}),
      ...(merged ? { successorIds: ["so-nn-mt"] } : {}),
      leadership: [contact(`Giám đốc ${d.vi}`, `giam-doc.${d.id}`)],
    });
    const unitValidity = d.id === "so-nn-mt" ? { validFrom: DEPARTMENT_MERGER } : validity;
    unitsOf(
      d.id,
      DEPARTMENT_UNITS,
      d.vi,
      d.en,
      "provincial-department",
      unitValidity,
      8 + Math.floor(rnd() * 5),
    );
  }

  // Districts and their old communes until 2025-06-30; new communes from 2025-07-01.
  const districtKinds = [
    ["huyện", "District", "Huyện"],
    ["thị xã", "Town", "Thị xã"],
    ["thành phố", "City", "Thành phố"],
  ] as const;
  const districts = Math.max(1, Math.round(options.communes / 12));
  const newCommunes: { id: string; name: string; ward: boolean }[] = [];
  for (let i = 0; i < options.communes; i++) {
    const ward = rnd() < 0.2;
    const name = placeName();
    newCommunes.push({ id: `${ward ? "phuong" : "xa"}-${slug(name)}`, name, ward });
  }
  let next = 0;
  for (let i = 0; i < districts; i++) {
    const [kindVi, kindEn, kindTitle] = i === 0 ? districtKinds[2] : pick(districtKinds);
    const name = placeName();
    const id = `${slug(kindVi)}-${slug(name)}`;
    agencies.push({
      id,
      nameVi: `Ủy ban nhân dân ${kindVi} ${name}`,
      nameEn: `${name} ${kindEn} People's Committee`,
      level: "district",
      parentId: province,
      validFrom: SINCE,
      validTo: LAST_DAY_BEFORE,
      leadership: [contact(`Chủ tịch UBND ${kindVi} ${name}`, `chu-tich.${id}`)],
      oneStopDesk: [contact(`Bộ phận Một cửa ${kindVi} ${name}`, `mot-cua.${id}`)],
      ...(i % 3 === 0 ? { thresholds: { nearDueWorkingHours: 24 } } : {}),
    });
    unitsOf(id, DISTRICT_UNITS, `${kindTitle} ${name}`, `${name} ${kindEn}`, "district-department", {
      validFrom: SINCE,
      validTo: LAST_DAY_BEFORE,
    });
    // This district's share of the new communes, each merged from 2 or 3 old ones.
    const share = i === districts - 1 ? options.communes - next : Math.round(options.communes / districts);
    for (const successor of newCommunes.slice(next, next + share)) {
      const olds = 2 + (rnd() < 0.4 ? 1 : 0);
      for (let k = 0; k < olds; k++) {
        const oldName = placeName();
        const oldWard = successor.ward && k === 0;
        const oldId = `${oldWard ? "phuong" : "xa"}-${slug(oldName)}`;
        const kind = oldWard ? "phường" : "xã";
        agencies.push({
          id: oldId,
          nameVi: `Ủy ban nhân dân ${kind} ${oldName}`,
          nameEn: `${oldName} ${oldWard ? "Ward" : "Commune"} People's Committee`,
          level: "commune",
          parentId: id,
          validFrom: SINCE,
          validTo: LAST_DAY_BEFORE,
          successorIds: [successor.id],
          leadership: [contact(`Chủ tịch UBND ${kind} ${oldName}`, `chu-tich.${oldId}`)],
        });
        unitsOf(oldId, OLD_COMMUNE_UNITS, `UBND ${kind} ${oldName}`, `${oldName}`, "commune", {
          validFrom: SINCE,
          validTo: LAST_DAY_BEFORE,
        });
      }
    }
    next += share;
  }
  for (const c of newCommunes) {
    const kind = c.ward ? "phường" : "xã";
    agencies.push({
      id: c.id,
      nameVi: `Ủy ban nhân dân ${kind} ${c.name}`,
      nameEn: `${c.name} ${c.ward ? "Ward" : "Commune"} People's Committee`,
      level: "commune",
      parentId: province,
      validFrom: MERGER_DATE,
      leadership: [contact(`Chủ tịch UBND ${kind} ${c.name}`, `chu-tich.${c.id}`)],
      oneStopDesk: [contact(`Trung tâm Phục vụ hành chính công ${kind} ${c.name}`, `phvhcc.${c.id}`)],
    });
    unitsOf(c.id, NEW_COMMUNE_UNITS, `${kind} ${c.name}`, c.name, "commune", { validFrom: MERGER_DATE });
  }

  return {
    $comment:
      "A synthetic province (made-up names) with its agency tree: districts and their communes until 2025-06-30, merged communes naming their successors from 2025-07-01. Written by scripts/generate-province.ts; every address is on example.org. See events/units/README.md.",
    leadership: [contact(`Chủ tịch UBND tỉnh ${provinceName}`, "chu-tich.tinh")],
    agencies,
    units,
  };
}
