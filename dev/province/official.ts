import type { OfficialSettingsSchema } from "../../lib/domain/official/settings";
import type * as z from "../../lib/domain/zod";
import { SEED_OFFICIAL_SETTINGS } from "../scenarios/seed-official";

/**
 * The synthetic province's settings for the official outputs (docs/official.md), as `serve
 * --province` gives them in `OFFICIAL_SETTINGS`: the province's People's Committee reports (to the
 * Government Office), with the seed district's targets. Made-up name, as the directory's.
 */
export const PROVINCE_OFFICIAL_SETTINGS: z.input<typeof OfficialSettingsSchema> = {
  office: {
    vi: "Ủy ban nhân dân tỉnh Sơn Hà (dữ liệu mẫu)",
    en: "Sơn Hà Provincial People's Committee (sample data)",
  },
  recipient: { vi: "Văn phòng Chính phủ", en: "Government Office" },
  targets: SEED_OFFICIAL_SETTINGS.targets,
};
