import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { readSesStore } from "../../dev/local/ses-local";
import { type ApplyDeps, applyEvent } from "../../lib/app/apply";
import { buildKpiEmail } from "../../lib/app/kpi-report";
import { readKpiReport } from "../../lib/app/kpis";
import { sendWeeklyKpi } from "../../lib/app/weekly-kpi";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { CountingSettings } from "../../lib/domain/counting";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { type Period, periodByName } from "../../lib/domain/periods";
import { computeReport, type Report } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory, UnitDirectory } from "../../lib/domain/units";
import { createApiKey } from "../../lib/http/auth";
import { handleQuery } from "../../lib/http/query-api";
import { apiGet } from "../helpers/api";
import { kpiView } from "../helpers/compare";
import { testTable } from "../helpers/dynamo";
import { ROOT } from "../helpers/fixtures";
import { kpiSendDeps } from "../helpers/kpi-deps";

/**
 * Paused time by kind (docs/rules.md R5) and no-calendar dossiers (R6) through the consumer's counters,
 * the API and the KPI email, against the fold `report --events` uses.
 */

const file = parseUnitDirectory(JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")));
const units = new UnitDirectory(file.units, file.leadership);
const settings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  scheme: { kind: "calendar-quarter" },
};
const Q4 = periodByName(settings.scheme, "2026-Q4") as Period;
const NOW = instant("2026-12-28T07:30:00+07:00");

function ev(id: string, n: string, type: DossierEvent["type"], at: string, data: object = {}): DossierEvent {
  return { dossierId: id, eventId: `${id}.${n}`, type, occurredAt: `${at}:00+07:00`, data } as DossierEvent;
}
const received = (id: string, unitId: string, at: string, processingDays: number) =>
  ev(id, "r", "dossier.received", at, { unitId, procedureCode: "p", channel: "direct", processingDays });

// Office hours 07:00–11:30 and 13:30–17:00 (docs/calendar.md).
const events: DossierEvent[] = [
  // Land: 16 h waiting for a supplement, 2 h for the applicant's fees and taxes; resolved.
  received("P-1", "cn-vpdk-dat-dai", "2026-10-05T08:00", 30),
  ev("P-1", "p1", "dossier.supplement_requested", "2026-10-06T08:00"),
  ev("P-1", "s1", "dossier.supplement_received", "2026-10-08T08:00"),
  ev("P-1", "p2", "dossier.supplement_requested", "2026-10-09T16:00", { pauseKind: "financial_obligation" }),
  ev("P-1", "s2", "dossier.supplement_received", "2026-10-12T08:00"),
  ev("P-1", "z", "dossier.resolved", "2026-10-20T10:00", { outcome: "approved" }),
  // Another land dossier: 24 working hours of the tax office determining the amount.
  received("P-2", "cn-vpdk-dat-dai", "2026-10-05T08:00", 30),
  ev("P-2", "p1", "dossier.supplement_requested", "2026-10-06T07:00", { pauseKind: "other_agency" }),
  ev("P-2", "s1", "dossier.supplement_received", "2026-10-09T07:00"),
  ev("P-2", "z", "dossier.resolved", "2026-10-30T10:00", { outcome: "approved" }),
  // Justice: waiting on another agency, withdrawn during the pause (1.5 h).
  received("P-3", "phong-tu-phap", "2026-10-05T08:00", 10),
  ev("P-3", "p1", "dossier.supplement_requested", "2026-10-06T09:00", { pauseKind: "other_agency" }),
  ev("P-3", "w", "dossier.withdrawn", "2026-10-06T10:30"),
  // Due in 2027, a year without calendar data: kept and counted, its SLA unknown.
  received("N-1", "phong-tu-phap", "2026-12-21T08:00", 20),
];

describe("paused time by kind and no-calendar dossiers, live", () => {
  it("are counted exactly once by the consumer, shown by GET /kpis and in the KPI email as the fold counts them", async () => {
    const table = await testTable("paused");
    await table.store.directory.put(file.units, file.leadership);
    const deps: ApplyDeps = { ...table.store, settings, units, now: () => NOW };
    // Every event twice, in reverse order: duplicates and disorder change nothing.
    for (const e of [...events].reverse()) await applyEvent(deps, e);
    for (const e of events) await applyEvent(deps, e);

    const reference = computeReport(events, settings, { period: Q4, asOf: NOW });
    expect(reference.pausedByKind).toEqual({
      supplement: { dossiers: 1, workingHours: 16 },
      financial_obligation: { dossiers: 1, workingHours: 2 },
      other_agency: { dossiers: 2, workingHours: 25.5 },
    });
    expect(reference.noCalendar).toBe(1);
    const counters = await readKpiReport(table.store.counters, Q4, { asOf: NOW });
    expect(kpiView(counters)).toEqual(kpiView(reference));

    const key = await createApiKey(table.store, {
      name: "d",
      role: "reader",
      source: "d",
      ratePerSecond: 20,
    });
    const sendDeps = kpiSendDeps(table.store, settings, units, () => NOW, "paused");
    const api = await handleQuery(sendDeps, apiGet("/kpis", { period: "2026-Q4" }, key));
    const body = JSON.parse(api.body ?? "") as Report;
    expect(body.pausedByKind).toEqual(reference.pausedByKind);
    expect(body.byUnit.find((u) => u.unit === "phong-tu-phap")?.pausedByKind.other_agency).toEqual({
      dossiers: 1,
      workingHours: 1.5,
    });
    expect(body.noCalendar).toBe(1);

    await sendWeeklyKpi(sendDeps);
    const [mail] = (await readSesStore(inject("sesEndpoint"))).filter((m) => m.from === sendDeps.from);
    const text = mail?.body.text ?? "";
    expect(text).toContain("Thời gian tạm dừng tính thời hạn giải quyết:");
    expect(text).toContain(
      "Chi nhánh Văn phòng Đăng ký đất đai | 16 giờ (1 hồ sơ) | 2 giờ (1 hồ sơ) | 24 giờ (1 hồ sơ)",
    );
    expect(text).toContain("Toàn cơ quan | 16 giờ (1 hồ sơ) | 2 giờ (1 hồ sơ) | 25,5 giờ (2 hồ sơ)");
    expect(text).toContain(
      "- 1 hồ sơ có hạn giải quyết rơi vào năm chưa có lịch ngày nghỉ, ngày làm bù: chưa xác định được",
    );
    expect(mail?.body.html).toContain("Chờ thực hiện nghĩa vụ tài chính");
    // English on request, numbers grouped the English way.
    const en = await buildKpiEmail(sendDeps, Q4, "weekly", "en");
    expect(en.text).toContain("Whole office | 16 h (1 dossier) | 2 h (1 dossier) | 25.5 h (2 dossiers)");
    expect(en.text).toContain("- 1 dossier has a deadline in a year without calendar data");
    await table.drop();
  }, 60_000);
});
