import * as z from "../domain/zod";

/**
 * The query parameters of the read routes (lib/http/query-api.ts parses with them), apart from
 * the handler so that the OpenAPI generator (lib/http/openapi.ts) reads them without importing the
 * handler, which bundles the generated document.
 */

const Name = () => z.string().check(z.minLength(1), z.maxLength(64));
const Lang = () => z._default(z.enum(["vi", "en"]), "vi");
const Limit = () => z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(200)), 50);
const Cursor = () => z.optional(z.string().check(z.maxLength(2000)));

export const KpisQuery = z.strictObject({
  period: z.optional(Name()),
  unit: z.optional(Name()),
  /** An agency of the directory's tree: its figures, the sum of the units under it. */
  agency: z.optional(Name()),
});
/**
 * `GET /kpis/index`: also `byUnit=false`, the index without each unit's block. A unit's block is
 * about 7 KB (its indicators with their names, notes and sources in both languages), so a
 * province's thousand units make megabytes; the dashboard shows the whole's indicators only.
 */
export const IndexQuery = z.extend(KpisQuery, {
  byUnit: z._default(z.enum(["true", "false"]), "true"),
});
export const ExportQuery = z.extend(KpisQuery, {
  format: z._default(z.enum(["csv", "xlsx"]), "csv"),
  lang: Lang(),
});
export const FormQuery = z.strictObject({
  period: z.optional(Name()),
  agency: z.optional(Name()),
  format: z._default(z.enum(["json", "csv", "xlsx"]), "json"),
  lang: Lang(),
});
export const ListQuery = z.strictObject({
  unit: Name(),
  sla: z.enum(["near_due", "overdue", "paused"]),
  limit: Limit(),
  cursor: Cursor(),
});

export const QuarantineQuery = z.strictObject({
  limit: Limit(),
  cursor: Cursor(),
});

/** The dashboard's read routes (lib/http/dashboard.ts). */
export const TrendQuery = z.strictObject({ period: z.optional(Name()) });
/** `GET /agencies` (lib/http/agencies.ts): the visible tree's figures for a period. */
export const AgenciesQuery = z.strictObject({ period: z.optional(Name()) });
export const QualityQuery = z.strictObject({
  period: z.optional(Name()),
  limit: Limit(),
  cursor: Cursor(),
});
