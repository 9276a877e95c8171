import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { localSesClient, readSesStore } from "../../dev/local/ses-local";
import { sesMailer } from "../../lib/adapters/ses";
import { type ApplyDeps, applyEvent } from "../../lib/app/apply";
import { sendDigests } from "../../lib/app/digests";
import { buildKpiEmail, closeEndedPeriod } from "../../lib/app/kpi-report";
import { readKpiReport } from "../../lib/app/kpis";
import { runSweep, type SweepDeps } from "../../lib/app/sweep";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { CountingSettings } from "../../lib/domain/counting";
import type { DossierEvent } from "../../lib/domain/events/schema";
import type { OfficialForm } from "../../lib/domain/official/form";
import { type Period, periodByName } from "../../lib/domain/periods";
import { computeReport, type Report } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory, UnitDirectory } from "../../lib/domain/units";
import { createApiKey } from "../../lib/http/auth";
import { handleQuery } from "../../lib/http/query-api";
import { parseDigestText } from "../../lib/render/email/digest";
import { apiGet } from "../helpers/api";
import { kpiView } from "../helpers/compare";
import { testTable } from "../helpers/dynamo";
import { ROOT } from "../helpers/fixtures";
import { kpiSendDeps } from "../helpers/kpi-deps";

/**
 * An overdue dossier stays overdue: a pause of any kind, or a new appointment,
 * that comes after the due instant never counts the dossier within the deadline. Through the
 * consumer's counters on DynamoDB Local, the query API, the digest, the KPI email's data quality,
 * and the period close with its form II.06a.
 */

const file = parseUnitDirectory(JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")));
const units = new UnitDirectory(file.units, file.leadership);
const settings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  scheme: { kind: "calendar-quarter" },
};
const Q3 = periodByName(settings.scheme, "2022-Q3") as Period;
const UNIT = "phong-tu-phap";

function ev(id: string, n: string, type: DossierEvent["type"], at: string, data: object = {}): DossierEvent {
  return { dossierId: id, eventId: `${id}.${n}`, type, occurredAt: `${at}:00+07:00`, data } as DossierEvent;
}
/** Received Mon 2022-07-04, due Mon 2022-07-11 17:00 (docs/rules.md R3's example). */
const received = (id: string) =>
  ev(id, "r", "dossier.received", "2022-07-04T08:00", {
    unitId: UNIT,
    procedureCode: "1.001193",
    channel: "direct",
    dueAt: "2022-07-11T17:00:00+07:00",
    domain: "ho-tich",
    level: "district",
  });

const LATE_PAUSE_EVENTS: DossierEvent[] = [
  // R3's example: a supplement asked for on 2022-07-20, nine days after the due instant, and
  // still awaited at the end of the quarter.
  received("LATE-SUPPLEMENT"),
  ev("LATE-SUPPLEMENT", "p", "dossier.supplement_requested", "2022-07-20T09:00"),
  // The control: the same request made before the due instant stops the clock.
  received("IN-TIME-SUPPLEMENT"),
  ev("IN-TIME-SUPPLEMENT", "p", "dossier.supplement_requested", "2022-07-08T09:00"),
  // Waiting on the applicant's fees, asked for after the due instant, resumed with a new due
  // instant from the source and resolved before it: still resolved late.
  received("LATE-FEES"),
  ev("LATE-FEES", "p", "dossier.supplement_requested", "2022-07-13T09:00", {
    pauseKind: "financial_obligation",
  }),
  ev("LATE-FEES", "s", "dossier.supplement_received", "2022-07-25T08:00", {
    dueAt: "2022-08-30T17:00:00+07:00",
  }),
  ev("LATE-FEES", "z", "dossier.resolved", "2022-08-10T10:00", { outcome: "approved" }),
  // A new appointment given after the due instant, resolved before it: late all the same.
  received("LATE-EXTENSION"),
  ev("LATE-EXTENSION", "x", "dossier.deadline_extended", "2022-07-15T09:00", {
    newDueAt: "2022-07-29T17:00:00+07:00",
    apologyIssued: true,
  }),
  ev("LATE-EXTENSION", "z", "dossier.resolved", "2022-07-20T10:00", { outcome: "approved" }),
];

describe("a pause or a new appointment after the due instant, live", () => {
  it("leaves the dossier overdue in the counters, the API, the digest and the KPI email, as the fold counts it", async () => {
    const table = await testTable("latepause");
    await table.store.directory.put(file.units, file.leadership);
    const now = instant("2022-09-30T10:00:00+07:00");
    const deps: ApplyDeps & SweepDeps = { ...table.store, settings, units, now: () => now };
    // Every event twice, in reverse order: duplicates and disorder change nothing.
    for (const e of [...LATE_PAUSE_EVENTS].reverse()) await applyEvent(deps, e);
    for (const e of LATE_PAUSE_EVENTS) await applyEvent(deps, e);

    const reference = computeReport(LATE_PAUSE_EVENTS, settings, { period: Q3, asOf: now });
    expect(reference.pending).toEqual({ total: 2, withinDeadline: 1, overdue: 1 });
    expect(reference.resolved).toEqual({ total: 2, early: 0, onTime: 0, late: 2 });
    expect(reference.latePause).toBe(2);
    // The two late pauses, and the new appointment given after the due instant.
    expect(reference.dataQuality.anomalies.late_supplement_request).toBe(3);
    const counters = await readKpiReport(table.store.counters, Q3, { asOf: now });
    expect(kpiView(counters)).toEqual(kpiView(reference));
    expect(counters.latePause).toBe(2);

    const key = await createApiKey(table.store, {
      name: "d",
      role: "reader",
      source: "d",
      ratePerSecond: 50,
    });
    const sendDeps = kpiSendDeps(table.store, settings, units, () => now, "latepause");
    const kpis = JSON.parse(
      (await handleQuery(sendDeps, apiGet("/kpis", { period: "2022-Q3" }, key))).body ?? "",
    );
    expect((kpis as Report).pending).toEqual({ total: 2, withinDeadline: 1, overdue: 1 });
    const list = async (sla: string) =>
      (
        JSON.parse(
          (await handleQuery(sendDeps, apiGet("/dossiers", { unit: UNIT, sla }, key))).body ?? "",
        ) as {
          items: { dossierId: string }[];
        }
      ).items.map((d) => d.dossierId);
    expect(await list("overdue")).toEqual(["LATE-SUPPLEMENT"]);
    expect(await list("paused")).toEqual(["IN-TIME-SUPPLEMENT"]);

    // The department digest names it, to the unit and to the one-stop desk.
    await runSweep(deps);
    const from = `tre-han+${randomUUID().slice(0, 8)}@ubnd.example.org`;
    await sendDigests({
      ...table.store,
      mailer: sesMailer(localSesClient(inject("sesEndpoint"))),
      calendar: settings.calendar,
      units,
      from,
      now: () => now,
      owner: randomUUID(),
    });
    const digests = (await readSesStore(inject("sesEndpoint"))).filter((m) => m.from === from);
    const late = digests.map((m) => parseDigestText(m.body.text ?? "").get("late_supplement_request") ?? []);
    expect(late.filter((codes) => codes.includes("LATE-SUPPLEMENT")).length).toBe(2);
    expect(late.flat().sort()).toEqual(["LATE-SUPPLEMENT", "LATE-SUPPLEMENT"]);
    expect(digests.some((m) => m.destination.to.includes("mot-cua@ubnd.example.org"))).toBe(true);

    // The KPI email's data quality says why they are overdue.
    const email = await buildKpiEmail(sendDeps, Q3, "weekly");
    expect(email.text).toContain(
      "- 2 hồ sơ được yêu cầu bổ sung (hoặc tạm dừng chờ nghĩa vụ tài chính, chờ cơ quan khác) sau khi đã quá hạn",
    );
    await table.drop();
  }, 60_000);

  it("is issued overdue by the period close, on form II.06a as in the report", async () => {
    const table = await testTable("latepause-close");
    await table.store.directory.put(file.units, file.leadership);
    let now = instant("2022-09-30T10:00:00+07:00");
    const deps: ApplyDeps & SweepDeps = { ...table.store, settings, units, now: () => now };
    for (const e of LATE_PAUSE_EVENTS) await applyEvent(deps, e);
    now = instant("2022-10-01T00:30:00+07:00");
    await runSweep(deps);
    const sendDeps = kpiSendDeps(table.store, settings, units, () => now, "latepause-close");
    expect((await closeEndedPeriod(sendDeps))?.period).toBe("2022-Q3");

    const issued = await table.store.reports.getIssued<Report>("2022-Q3");
    expect(issued?.report.pending).toEqual({ total: 2, withinDeadline: 1, overdue: 1 });
    expect(issued?.report.resolved.late).toBe(2);

    const key = await createApiKey(table.store, {
      name: "d",
      role: "reader",
      source: "d",
      ratePerSecond: 50,
    });
    const res = await handleQuery(sendDeps, apiGet("/kpis/form", { period: "2022-Q3", format: "json" }, key));
    const form = JSON.parse(res.body ?? "") as OfficialForm;
    const total = form.rows.find((r) => r.kind === "total")?.values;
    expect(total).toMatchObject({
      receivedTotal: 4,
      resolvedTotal: 2,
      early: 0,
      onTime: 0,
      late: 2,
      pendingTotal: 2,
      withinDeadline: 1,
      overdue: 1,
    });
    expect(form.dataAsOf).toBe("2022-09-30T23:59:59.999+07:00");

    // The close email carries the same form.
    const [mail] = (await readSesStore(inject("sesEndpoint"))).filter((m) => m.from === sendDeps.from);
    expect(mail?.body.text).toContain("Tổng cộng | 4 | 0 | 4 | 0 | 2 | 0 | 0 | 2 | 2 | 1 | 1");
    await table.drop();
  }, 60_000);
});
