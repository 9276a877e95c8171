import type { OfficialSettingsSchema } from "../../lib/domain/official/settings";
import type * as z from "../../lib/domain/zod";

/**
 * The seed district's settings for the official outputs (docs/official.md), as a deployment gives them
 * in `OFFICIAL_SETTINGS`: the demo's default (dev/local/stack.ts). The domain names come from the
 * catalog; the targets are the index's full-points rates where it has one, and 95 % on time.
 */
export const SEED_OFFICIAL_SETTINGS: z.input<typeof OfficialSettingsSchema> = {
  office: { vi: "Ủy ban nhân dân huyện (dữ liệu mẫu)", en: "District People's Committee (sample data)" },
  recipient: { vi: "Văn phòng Ủy ban nhân dân tỉnh", en: "Office of the Provincial People's Committee" },
  targets: { "2.1": 0.95, "3.3": 0.5, "4.2": 0.8, "5.4": 0.9 },
};
