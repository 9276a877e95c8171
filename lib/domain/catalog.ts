import { CUTOFF_PATTERN } from "./calendar/calendar";
import type { ProcedureCatalog } from "./dossier-state";
import { err, ok, type Problem, type Result } from "./result";
import * as z from "./zod";

/**
 * The procedure catalog: each procedure's lawful processing period, the fallback when a
 * `dossier.received` gives neither `dueAt` nor a period (docs/events.md), and its receipt cut-off
 * (docs/rules.md R1). A deployment loads its own file ({@link loadCatalog}); the seed district's
 * procedures below are the default sample, for the sample data and the simulator.
 *
 * A period is one of three deadline kinds: `days` (working days, the receipt day not counted),
 * `hours` (working hours from the receipt instant) or `sameDay` (due at the close of office hours
 * of the receipt's working day; with a `cutoff`, received after it, at the close of the next
 * working day). `source` names the text that sets the period.
 */

const TEXT = z.string().check(z.trim(), z.minLength(1));

export const ProcedureSchema = z
  .strictObject({
    /** The national procedure code (mã thủ tục), e.g. `1.004227`. */
    code: TEXT.check(z.maxLength(64)),
    vi: TEXT.check(z.maxLength(300)),
    en: TEXT.check(z.maxLength(300)),
    domain: TEXT.check(z.maxLength(64)),
    /** Working days (the receipt day does not count; a fraction is office hours). */
    days: z.optional(z.number().check(z.positive(), z.maximum(400))),
    /** Working hours. */
    hours: z.optional(z.number().check(z.positive(), z.maximum(3200))),
    /**
     * Due the same working day, at the close of office hours (with `cutoff`: the next working day
     * when received after it), e.g. certification of copies, Decree 23/2015/NĐ-CP Art. 7.
     */
    sameDay: z.optional(z.literal(true)),
    /**
     * Received after this local time (`HH:MM`) on a working day, the dossier counts as received
     * the next working day (docs/rules.md R1; e.g. certification of copies, Decree 23/2015/NĐ-CP Art. 7).
     */
    cutoff: z.optional(z.string().check(z.regex(CUTOFF_PATTERN, "expected HH:MM, e.g. 15:00"))),
    /** The legal text that sets the period (document, article), shown to whoever checks it. */
    source: z.optional(TEXT.check(z.maxLength(300))),
  })
  .check(
    z.refine((p) => [p.days, p.hours, p.sameDay].filter((k) => k !== undefined).length === 1, {
      message: "a procedure needs exactly one of days, hours or sameDay",
    }),
  );
export type Procedure = z.infer<typeof ProcedureSchema>;

const DomainNameSchema = z.strictObject({ vi: TEXT, en: TEXT });

/** A deployment's catalog file (JSON). */
export const CatalogFileSchema = z
  .strictObject({
    $comment: z.optional(z.string()),
    procedures: z.array(ProcedureSchema).check(z.minLength(1)),
    /** Display names of the domains, by domain code. */
    domains: z._default(z.record(z.string().check(z.minLength(1)), DomainNameSchema), {}),
  })
  .check(
    z.superRefine((file, ctx) => {
      const seen = new Set<string>();
      file.procedures.forEach((p, i) => {
        if (seen.has(p.code)) {
          ctx.addIssue({
            code: "custom",
            path: ["procedures", i, "code"],
            message: `duplicate code ${p.code}`,
          });
        }
        seen.add(p.code);
      });
    }),
  );
export type CatalogFile = z.infer<typeof CatalogFileSchema>;

/** A loaded catalog: procedures by code, and domain display names. */
export interface Catalog {
  procedures: ReadonlyMap<string, Procedure>;
  domains: Readonly<Record<string, { vi: string; en: string }>>;
}

/**
 * The seed district office's procedures, with the periods its report works with: a sample, not
 * a legal table. A procedure's lawful period is the one announced for its code in the national
 * database of administrative procedures (Decree 63/2010/NĐ-CP on the control of administrative
 * procedures, as amended by Decree 92/2017/NĐ-CP, article to verify), which the province
 * publishes; a deployment loads that as its catalog (`CATALOG`), and an entry whose period
 * another text sets names it in `source`, as certification's does. A producer's `dueAt` wins
 * over either.
 */
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
    // "Ngay trong ngày cơ quan, tổ chức tiếp nhận yêu cầu hoặc trong ngày làm việc tiếp theo, nếu
    // tiếp nhận yêu cầu sau 15 giờ". The exceptions of Art. 21, 33 and 37 (many originals or pages,
    // up to 2 more working days, or longer as agreed in writing) are not a kind: the producer
    // sends the agreed `dueAt`, which wins over the catalog.
    sameDay: true,
    cutoff: "15:00",
    source: "Nghị định 23/2015/NĐ-CP, Điều 7",
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

/**
 * A catalog map from a list of procedures: the periods the projection falls back on, and each
 * procedure's receipt cut-off (docs/rules.md R1), which applies whoever gave the period.
 */
export function catalogOf(procedures: readonly Procedure[] = SEED_PROCEDURES): ProcedureCatalog {
  return new Map(
    procedures.map((p) => [
      p.code,
      {
        days: p.days,
        hours: p.hours,
        ...(p.sameDay ? { sameDay: true } : {}),
        ...(p.cutoff ? { cutoff: p.cutoff } : {}),
      },
    ]),
  );
}

/** The seed district's catalog: the default sample. */
export const SEED_CATALOG: Catalog = {
  procedures: new Map(SEED_PROCEDURES.map((p) => [p.code, p])),
  domains: DOMAIN_NAMES,
};

/**
 * A deployment's catalog from its parsed JSON file. A bad file is a value naming every problem
 * (path and message), never a half-loaded catalog. Domain names the file leaves out fall back on
 * the sample's.
 */
export function loadCatalog(json: unknown): Result<Catalog, Problem[]> {
  const parsed = CatalogFileSchema.safeParse(json);
  if (!parsed.success) {
    return err(
      parsed.error.issues.map((i) => ({
        path: i.path
          .map((k) => (typeof k === "number" ? `[${k}]` : String(k)))
          .join(".")
          .replaceAll(".[", "["),
        message: i.message,
      })),
    );
  }
  return ok({
    procedures: new Map(parsed.data.procedures.map((p) => [p.code, p])),
    domains: { ...DOMAIN_NAMES, ...parsed.data.domains },
  });
}
