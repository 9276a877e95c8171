import * as z from "zod";

/**
 * The query parameters of the read routes (lib/http/query-api.ts parses with them), apart from
 * the handler so that the OpenAPI generator (lib/http/openapi.ts) reads them without importing the
 * handler, which bundles the generated document.
 */

export const KpisQuery = z.strictObject({
  period: z.string().min(1).max(64).optional(),
  unit: z.string().min(1).max(64).optional(),
});
export const ExportQuery = KpisQuery.extend({
  format: z.enum(["csv", "xlsx"]).default("csv"),
  lang: z.enum(["vi", "en"]).default("vi"),
});
export const FormQuery = z.strictObject({
  period: z.string().min(1).max(64).optional(),
  format: z.enum(["json", "csv", "xlsx"]).default("json"),
  lang: z.enum(["vi", "en"]).default("vi"),
});
export const ListQuery = z.strictObject({
  unit: z.string().min(1).max(64),
  sla: z.enum(["near_due", "overdue", "paused"]),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2000).optional(),
});

export const QuarantineQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2000).optional(),
});
