import { describe, expect, it } from "vitest";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import {
  catalogOf,
  DOMAIN_NAMES,
  loadCatalog,
  SEED_CATALOG,
  SEED_PROCEDURES,
} from "../../lib/domain/catalog";
import {
  judgeLevel,
  RULE_SETS,
  ruleSetFor,
  tooManyAppointments,
  tooManySupplementRequests,
} from "../../lib/domain/rules";
import { formatInstant, instant } from "../../lib/domain/time";

const at = (s: string) => instant(s);

describe("rule sets by date", () => {
  const june30 = at("2025-06-30T16:30:00+07:00");
  const july1 = at("2025-07-01T07:30:00+07:00");

  it("judges a dossier received 2025-06-30 and one received 2025-07-01 by their own sets", () => {
    expect(ruleSetFor(june30).id).toBe("nd61-2018-land-2024");
    expect(ruleSetFor(july1).id).toBe("nd118-2025");
    // Districts exist until 2025-06-30 and not after.
    expect(judgeLevel(june30, "district")).toEqual({ ok: true });
    expect(judgeLevel(july1, "district")).toMatchObject({
      ok: false,
      error: { kind: "abolished_level", ruleSet: "nd118-2025" },
    });
    expect(judgeLevel(july1, "commune")).toEqual({ ok: true });
    // The land pause rests on another decree.
    expect(ruleSetFor(june30).financialObligationPause.source).toMatch(/Decree 101\/2024\/NĐ-CP Art\. 22/);
    expect(ruleSetFor(july1).financialObligationPause.source).toMatch(/Decree 151\/2025\/NĐ-CP/);
    // And the apology document is named differently.
    expect(ruleSetFor(june30).apologyDocument.value.vi).toMatch(/hẹn lại ngày trả kết quả/);
    expect(ruleSetFor(july1).apologyDocument.value.vi).toMatch(/đề nghị gia hạn/);
  });

  it("switches at local midnight, not UTC midnight", () => {
    expect(ruleSetFor(at("2025-06-30T23:59:59+07:00")).id).toBe("nd61-2018-land-2024");
    // 2025-06-30T17:00Z is already 2025-07-01 00:00 in Hà Nội.
    expect(ruleSetFor(at("2025-06-30T17:00:00Z")).id).toBe("nd118-2025");
  });

  it("takes the land source of its date", () => {
    expect(ruleSetFor(at("2024-07-31T10:00:00+07:00")).financialObligationPause.source).toMatch(
      /Decree 43\/2014\/NĐ-CP Art\. 61\(4\)/,
    );
    expect(ruleSetFor(at("2024-08-01T10:00:00+07:00")).financialObligationPause.source).toMatch(
      /Decree 101\/2024/,
    );
    expect(ruleSetFor(at("2022-07-08T10:00:00+07:00")).id).toBe("nd61-2018");
    expect(ruleSetFor(at("2010-01-04T10:00:00+07:00")).id).toBe("nd61-2018");
  });

  it("names a source for every parameter of every set, and keeps the sets in date order", () => {
    for (const set of RULE_SETS) {
      for (const key of [
        "afterHoursReceipt",
        "apologyLeadWorkingDays",
        "allowedNewAppointments",
        "supplementGuidanceOnce",
        "levels",
        "financialObligationPause",
        "apologyDocument",
      ] as const) {
        expect(set[key].source.length, `${set.id}.${key}`).toBeGreaterThan(10);
      }
    }
    const dates = RULE_SETS.map((s) => s.effectiveFrom);
    expect([...dates].sort()).toEqual(dates);
  });

  it("counts a second appointment and a second supplement request as breaches", () => {
    expect(tooManyAppointments(june30, 1)).toBe(false);
    expect(tooManyAppointments(june30, 2)).toBe(true);
    expect(tooManyAppointments(july1, 2)).toBe(true);
    expect(tooManySupplementRequests(june30, 1)).toBe(false);
    expect(tooManySupplementRequests(july1, 2)).toBe(true);
  });
});

describe("procedure catalog", () => {
  it("validates the seed catalog and keeps its periods", () => {
    const loaded = loadCatalog({ procedures: SEED_PROCEDURES, domains: DOMAIN_NAMES });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.value.procedures.size).toBe(SEED_PROCEDURES.length);
    expect(loaded.value.procedures.get("2.000815")?.cutoff).toBe("15:00");
    expect(loaded.value.procedures.get("2.000815")?.sameDay).toBe(true);
    expect(loaded.value.procedures.get("2.000815")?.source).toMatch(/23\/2015\/NĐ-CP, Điều 7/);
    expect(SEED_CATALOG.procedures.get("1.004227")?.days).toBe(10);
    expect(catalogOf().get("1.004227")).toEqual({ days: 10, hours: undefined });
  });

  it("loads a deployment's own catalog, with its cut-off used for the due instant", () => {
    const loaded = loadCatalog({
      procedures: [
        {
          code: "2.000815",
          vi: "Chứng thực bản sao",
          en: "Certified copies",
          domain: "chung-thuc",
          hours: 8,
          cutoff: "15:00",
        },
      ],
    });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const p = loaded.value.procedures.get("2.000815");
    expect(p).toBeDefined();
    const cal = WorkingCalendar.official();
    const due = cal.dueFrom(at("2022-07-07T15:30:00+07:00"), { hours: p?.hours }, { cutoff: p?.cutoff });
    expect(formatInstant(due)).toBe("2022-07-08T17:00:00+07:00");
    expect(loaded.value.domains["dat-dai"]?.vi).toBe("Đất đai");
  });

  it("answers a bad file with every problem, naming the field", () => {
    const loaded = loadCatalog({
      procedures: [
        { code: "1", vi: "A", en: "A", domain: "x", days: 3, cutoff: "25:00" },
        { code: "1", vi: "B", en: "B", domain: "x" },
        { code: "2", vi: "C", en: "C", domain: "x", days: 2, hours: 3 },
        { code: "3", vi: "D", en: "D", domain: "x", hours: 4, sameDay: true },
        { code: "4", vi: "E", en: "E", domain: "x", sameDay: false },
      ],
    });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    const paths = loaded.error.map((p) => p.path);
    expect(paths).toContain("procedures[0].cutoff");
    expect(paths).toContain("procedures[1]");
    expect(paths).toContain("procedures[2]");
    expect(paths).toContain("procedures[3]");
    expect(paths).toContain("procedures[4].sameDay");
    expect(loaded.error.find((p) => p.path === "procedures[3]")?.message).toMatch(/days, hours or sameDay/);
    expect(loadCatalog({ procedures: [] }).ok).toBe(false);
    expect(loadCatalog("not a catalog").ok).toBe(false);
  });
});
