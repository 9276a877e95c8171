import { describe, expect, it } from "vitest";
import * as ingestApi from "../../functions/ingest-api";
import * as sendAlerts from "../../functions/send-alerts";
import { countingSettings, parseEnv, parseMonitorEnv } from "../../lib/contracts/config";
import { DEFAULT_OFFICE_HOURS } from "../../lib/domain/calendar/calendar-data";
import { SEED_PROCEDURES } from "../../lib/domain/catalog";

describe("the monitor's environment (one config path)", () => {
  it("defaults the catalog to the seed's and office hours to the calendar's", () => {
    const env = parseMonitorEnv({ TABLE_NAME: "table" });
    const settings = countingSettings(env);
    expect([...(settings.catalog?.keys() ?? [])]).toEqual(SEED_PROCEDURES.map((p) => p.code));
    expect(env.OFFICE_HOURS).toEqual(DEFAULT_OFFICE_HOURS);
  });

  it("takes the after-hours receipt rule from AFTER_HOURS_RECEIPT, else from the rule set", () => {
    expect(countingSettings(parseMonitorEnv({ TABLE_NAME: "table" })).afterHoursReceipt).toBeUndefined();
    const asIs = parseMonitorEnv({ TABLE_NAME: "table", AFTER_HOURS_RECEIPT: "as-is" });
    expect(countingSettings(asIs).afterHoursReceipt).toBe("as-is");
    expect(() => parseMonitorEnv({ TABLE_NAME: "table", AFTER_HOURS_RECEIPT: "never" })).toThrow(
      /AFTER_HOURS_RECEIPT/,
    );
  });

  it("loads a deployment's catalog from CATALOG (JSON), and names every problem of a bad one", () => {
    const catalog = {
      procedures: [{ code: "9.000001", vi: "Thủ tục thử", en: "A test procedure", domain: "thu", days: 3 }],
    };
    const settings = countingSettings(
      parseMonitorEnv({ TABLE_NAME: "table", CATALOG: JSON.stringify(catalog) }),
    );
    expect([...(settings.catalog?.entries() ?? [])]).toEqual([["9.000001", { days: 3, hours: undefined }]]);
    expect(() => parseMonitorEnv({ TABLE_NAME: "table", CATALOG: '{"procedures":[]}' })).toThrow(
      /CATALOG: procedures/,
    );
    expect(() => parseMonitorEnv({ TABLE_NAME: "table", CATALOG: "{" })).toThrow(/CATALOG: not JSON/);
    expect(() => parseMonitorEnv({ TABLE_NAME: "table", OFFICE_HOURS: "8-5" })).toThrow(/OFFICE_HOURS/);
  });

  it("each function's schema extends the monitor's: what it adds is required, at cold start", () => {
    expect(() => parseEnv(ingestApi.EnvSchema, { TABLE_NAME: "table" })).toThrow(/EVENT_BUS_NAME/);
    expect(() =>
      parseEnv(sendAlerts.EnvSchema, { TABLE_NAME: "table", SENDER_ADDRESS: "not an address" }),
    ).toThrow(/SENDER_ADDRESS/);
    const env = parseEnv(sendAlerts.EnvSchema, { TABLE_NAME: "table", SENDER_ADDRESS: "a@example.org" });
    expect(env.UNKNOWN_UNITS).toBe("reject");
  });

  it("names the digests' domains as the official settings do, over the catalog's, as the KPI emails do", () => {
    const official = {
      domains: {
        "dat-dai": { vi: "Đất đai (tỉnh)", en: "Land (province)" },
        "giao-thong": { vi: "Giao thông", en: "Transport" },
      },
    };
    const env = parseEnv(sendAlerts.EnvSchema, {
      TABLE_NAME: "table",
      SENDER_ADDRESS: "a@example.org",
      OFFICIAL_SETTINGS: JSON.stringify(official),
    });
    const catalog = sendAlerts.digestCatalog(env);
    expect(catalog.domains["giao-thong"]).toEqual({ vi: "Giao thông", en: "Transport" });
    expect(catalog.domains["dat-dai"]?.vi).toBe("Đất đai (tỉnh)");
    // The catalog's own names stay for the domains the settings do not name.
    expect(catalog.domains["ho-tich"]?.vi).toBe("Hộ tịch");
    expect(catalog.procedures).toBe(env.CATALOG.procedures);
  });
});
