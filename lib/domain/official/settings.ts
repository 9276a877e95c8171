import { DOMAIN_NAMES } from "../catalog";
import { err, ok, type Problem, type Result } from "../result";
import { unnamedCode } from "../text";
import * as z from "../zod";

/**
 * A deployment's settings for the official outputs (docs/official.md): the form's wording, the
 * reporting office, how withdrawn dossiers enter the form, domain names, and index targets.
 */

const Name = z.strictObject({
  vi: z.string().check(z.minLength(1), z.maxLength(300)),
  en: z.string().check(z.minLength(1), z.maxLength(300)),
});

export const INDEX_INDICATORS = ["2.1", "2.2", "3.1", "3.3", "4.1", "4.2", "5.4", "1.4"] as const;
export type IndicatorId = (typeof INDEX_INDICATORS)[number];

export const OfficialSettingsSchema = z.strictObject({
  /** For people reading the file; ignored. */
  $comment: z.optional(z.string()),
  /** The form's code as printed in its top-left box. */
  formCode: z._default(z.string().check(z.minLength(1), z.maxLength(100)), "Biểu số II.06a/VPCP/KSTT"),
  /**
   * The form's title. Public renderings print "… tại Trung tâm Phục vụ hành chính công" where
   * docs/official.md has "… tại cơ quan, đơn vị trực tiếp giải quyết"; the annex of Circular
   * 01/2020/TT-VPCP was not read, so each deployment sets the wording it files.
   */
  formTitle: z._default(Name, {
    vi: "Tình hình, kết quả giải quyết thủ tục hành chính tại cơ quan, đơn vị trực tiếp giải quyết",
    en: "Handling and results of administrative procedures at the agencies that resolve them",
  }),
  /** The reporting office ("Đơn vị báo cáo") and the one it reports to ("Đơn vị nhận báo cáo"). */
  office: z._default(Name, { vi: "Ủy ban nhân dân", en: "People's Committee" }),
  recipient: z.optional(Name),
  /**
   * docs/official.md: withdrawn dossiers count as resolved (on time by the due instant, else late),
   * or are left out.
   */
  withdrawnInForm: z._default(z.enum(["resolved", "excluded"]), "resolved"),
  /** Domain names by domain code (the catalog's names fill the rest). */
  domains: z._default(z.record(z.string().check(z.minLength(1)), Name), {}),
  /** The deployment's target rate per index indicator, e.g. `{"2.1": 0.95}`. */
  targets: z._default(
    z.partialRecord(z.enum(INDEX_INDICATORS), z.number().check(z.minimum(0), z.maximum(1))),
    {},
  ),
});
export type OfficialSettings = z.infer<typeof OfficialSettingsSchema>;

export const DEFAULT_OFFICIAL_SETTINGS: OfficialSettings = OfficialSettingsSchema.parse({});

/**
 * A deployment's settings from their parsed JSON (an environment variable, a CDK context value or
 * a file). A bad value is a value naming every problem by its field, e.g. `targets.2.1`, never a
 * half-read setting.
 */
export function loadOfficialSettings(json: unknown): Result<OfficialSettings, Problem[]> {
  const parsed = OfficialSettingsSchema.safeParse(json);
  if (parsed.success) return ok(parsed.data);
  return err(
    parsed.error.issues.map((i) => ({
      path: i.path.map(String).join(".") || "(settings)",
      message: i.message,
    })),
  );
}

/** The settings with the catalog's domain names under the deployment's own (theirs win). */
export function withCatalogDomains(
  settings: OfficialSettings,
  catalogDomains: Readonly<Record<string, { vi: string; en: string }>>,
): OfficialSettings {
  return { ...settings, domains: { ...catalogDomains, ...settings.domains } };
}

/** A domain's display name; the code, said to have no name, only when no list names it. */
export function domainName(settings: OfficialSettings, domain: string, locale: "vi" | "en"): string {
  const name = settings.domains[domain] ?? DOMAIN_NAMES[domain];
  if (name) return name[locale];
  if (domain === "(none)") return locale === "vi" ? "Lĩnh vực chưa xác định" : "Domain not given";
  return unnamedCode(domain, locale);
}
