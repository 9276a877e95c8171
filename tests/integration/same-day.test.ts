import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApplyDeps, applyEvent } from "../../lib/app/apply";
import { runSweep, type SweepDeps } from "../../lib/app/sweep";
import { alertFactsOf, alertTimeline, timelineThresholds } from "../../lib/domain/alerts";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import type { CountingSettings } from "../../lib/domain/counting";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { projectDossier } from "../../lib/domain/projection";
import { formatInstant, instant } from "../../lib/domain/time";
import { parseUnitDirectory, UnitDirectory } from "../../lib/domain/units";
import { testTable } from "../helpers/dynamo";
import { ROOT } from "../helpers/fixtures";

/**
 * Same-day procedures: certification of copies (2.000815) is due the same
 * working day, or the next working day when received after 15:00 (Decree 23/2015/NĐ-CP Art. 7).
 * Monday 2022-08-29 is a working day (2 September, a Friday, is the holiday that week). The
 * events name the procedure only: the due instant comes from the catalog's deadline kind.
 */

const ev = (id: string, dossierId: string, type: DossierEvent["type"], at: string, data: object) =>
  ({ eventId: id, type, occurredAt: at, dossierId, data }) as DossierEvent;
const certification = (dossierId: string, unitId: string, at: string) =>
  ev(`r-${dossierId}`, dossierId, "dossier.received", at, {
    unitId,
    procedureCode: "2.000815",
    channel: "direct",
  });
const resolved = (dossierId: string, at: string) =>
  ev(`z-${dossierId}`, dossierId, "dossier.resolved", at, { outcome: "approved" });

/** The three same-day cases, one unit each so the report shows each apart. */
const CASES = [
  // Received Mon 09:00, resolved Mon 16:00: on time (the 4-hour model made it late).
  {
    unit: "u-same-day",
    received: "2022-08-29T09:00:00+07:00",
    resolved: "2022-08-29T16:00:00+07:00",
    late: false,
  },
  // Received Mon 15:30 (after the cut-off), resolved Tue 14:00: on time.
  {
    unit: "u-after-cutoff",
    received: "2022-08-29T15:30:00+07:00",
    resolved: "2022-08-30T14:00:00+07:00",
    late: false,
  },
  // Received Mon 14:30 (before the cut-off), resolved Tue 08:00: late.
  {
    unit: "u-next-morning",
    received: "2022-08-29T14:30:00+07:00",
    resolved: "2022-08-30T08:00:00+07:00",
    late: true,
  },
] as const;

const run = promisify(execFile);
const BIN = join(ROOT, "bin", "dossier-monitor.mjs");

describe("certification of copies through the CLI report (Decree 23/2015/NĐ-CP Art. 7)", () => {
  it("counts each case as the decree does: Mon 09:00→16:00 and Mon 15:30→Tue 14:00 on time, Mon 14:30→Tue 08:00 late", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dm-same-day-"));
    const file = join(dir, "certification.ndjson");
    const lines = CASES.flatMap((c, i) => [
      certification(`C-${i}`, c.unit, c.received),
      resolved(`C-${i}`, c.resolved),
    ]);
    writeFileSync(file, lines.map((e) => JSON.stringify(e)).join("\n"));
    const { stdout } = await run(process.execPath, [
      BIN,
      "report",
      "--events",
      file,
      "--from",
      "2022-08-01",
      "--to",
      "2022-08-31",
      "--as-of",
      "2022-08-31",
      "--format",
      "json",
    ]);
    const report = JSON.parse(stdout) as {
      resolved: { total: number; early: number; onTime: number; late: number };
      byUnit: { unit: string; resolved: { total: number; early: number; onTime: number; late: number } }[];
    };
    expect(report.resolved.total).toBe(3);
    for (const c of CASES) {
      const unit = report.byUnit.find((b) => b.unit === c.unit);
      expect(unit?.resolved.total, c.unit).toBe(1);
      expect(unit?.resolved.late, c.unit).toBe(c.late ? 1 : 0);
      expect((unit?.resolved.early ?? 0) + (unit?.resolved.onTime ?? 0), c.unit).toBe(c.late ? 0 : 1);
    }
  });
});

describe("certification of copies: the alerts follow the same-day due instant", () => {
  const settings: CountingSettings = {
    calendar: WorkingCalendar.official(),
    catalog: catalogOf(),
    scheme: { kind: "calendar-quarter" },
  };
  const calendar = settings.calendar;

  it("the domain timeline: near due at 14:00 (half of 6 working hours), overdue after 17:00, nothing at the first sweep", () => {
    const state = projectDossier(
      "T",
      [certification("T", "phong-tu-phap", "2022-08-29T09:00:00+07:00")],
      settings,
    );
    expect(formatInstant(state.kpiDueAt ?? 0)).toBe("2022-08-29T17:00:00+07:00");
    const facts = alertFactsOf(state);
    expect(facts).toBeDefined();
    if (!facts) return;
    const t = timelineThresholds(undefined, calendar);
    const raisedAt = (at: string) =>
      alertTimeline(facts, {}, instant(at), calendar, t).raise.map((s) => s.kind);
    // The first sweep after receipt raises nothing: an alert at once helps nobody.
    expect(raisedAt("2022-08-29T09:15:00+07:00")).toEqual([]);
    expect(raisedAt("2022-08-29T13:45:00+07:00")).toEqual([]);
    expect(raisedAt("2022-08-29T14:00:00+07:00")).toEqual(["near_due"]);
    expect(raisedAt("2022-08-29T17:00:00+07:00")).toEqual(["near_due"]);
    expect(raisedAt("2022-08-29T17:15:00+07:00")).toContain("overdue");
    // A same-day period is shorter than the apology lead: no apology deadline before receipt.
    expect(raisedAt("2022-08-29T17:15:00+07:00")).not.toContain("apology_missed");
  });

  describe("through the consumer and the sweep on DynamoDB Local", () => {
    const file = parseUnitDirectory(
      JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")),
    );
    const units = new UnitDirectory(file.units, file.leadership);
    const MIN15 = 15 * 60_000;
    let table: Awaited<ReturnType<typeof testTable>>;
    let clock = instant("2022-08-29T09:00:00+07:00");
    let deps: ApplyDeps & SweepDeps;
    beforeAll(async () => {
      table = await testTable("same-day");
      await table.store.directory.put(file.units, file.leadership);
      deps = { ...table.store, settings, units, now: () => clock };
    });
    afterAll(async () => table.drop());

    it("received Mon 09:00 and resolved Mon 16:00: near due at 14:00, never overdue (the 4-hour model raised it at 15:15)", async () => {
      await applyEvent(deps, certification("S-1", "phong-tu-phap", "2022-08-29T09:00:00+07:00"));
      // A second one, still open at the close: overdue at the first sweep after 17:00.
      await applyEvent(deps, certification("S-2", "phong-tu-phap", "2022-08-29T09:00:00+07:00"));
      const raised: { kind: string; at: string }[] = [];
      const sweepUntil = async (until: number) => {
        for (; clock <= until; clock += MIN15) {
          const r = await runSweep(deps, {
            onFailure: (f) => {
              throw f.error;
            },
          });
          for (const [kind, n] of Object.entries(r.byKind))
            for (let i = 0; i < (n ?? 0); i++) raised.push({ kind, at: formatInstant(clock) });
        }
      };
      await sweepUntil(instant("2022-08-29T15:45:00+07:00"));
      clock = instant("2022-08-29T16:00:00+07:00");
      await applyEvent(deps, resolved("S-1", "2022-08-29T16:00:00+07:00"));
      await sweepUntil(instant("2022-08-29T17:30:00+07:00"));
      expect(raised).toEqual([
        { kind: "near_due", at: "2022-08-29T14:00:00+07:00" },
        { kind: "near_due", at: "2022-08-29T14:00:00+07:00" },
        { kind: "overdue", at: "2022-08-29T17:15:00+07:00" },
      ]);
      const s1 = await table.store.dossiers.get("S-1");
      expect(s1?.kpiDueAt).toBe(instant("2022-08-29T17:00:00+07:00"));
      expect(s1?.sla).toBe("closed");
      expect((await table.store.dossiers.get("S-2"))?.sla).toBe("overdue");
    });
  });
});

describe("an extension without the apology letter, through the consumer and the sweep", () => {
  const settings: CountingSettings = {
    calendar: WorkingCalendar.official(),
    catalog: catalogOf(),
    scheme: { kind: "calendar-quarter" },
  };
  const file = parseUnitDirectory(
    JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")),
  );
  const units = new UnitDirectory(file.units, file.leadership);
  let table: Awaited<ReturnType<typeof testTable>>;
  let clock = instant("2022-07-04T08:00:00+07:00");
  let deps: ApplyDeps & SweepDeps;
  beforeAll(async () => {
    table = await testTable("apology-letter");
    await table.store.directory.put(file.units, file.leadership);
    deps = { ...table.store, settings, units, now: () => clock };
  });
  afterAll(async () => table.drop());

  it("apologyIssued false on Wed 10:00 silences nothing: apology_missed at Wed 17:15; the letter on Thu 10:00 is a late apology", async () => {
    // Due Thu 2022-07-14 17:00: the apology deadline is Wed 17:00 (due − 1 working day).
    const received = (id: string) =>
      ev(`r-${id}`, id, "dossier.received", "2022-07-04T08:00:00+07:00", {
        unitId: "phong-tu-phap",
        procedureCode: "1.001193",
        channel: "direct",
        dueAt: "2022-07-14T17:00:00+07:00",
      });
    const extended = (id: string, at: string, apologyIssued: boolean) =>
      ev(`x-${id}-${at}`, id, "dossier.deadline_extended", at, {
        newDueAt: "2022-07-19T17:00:00+07:00",
        apologyIssued,
      });
    await applyEvent(deps, received("A-0"));
    await applyEvent(deps, received("A-1"));
    const raised: string[] = [];
    const sweepUntil = async (until: number) => {
      for (; clock <= until; clock += 15 * 60_000) {
        const r = await runSweep(deps, {
          onFailure: (f) => {
            throw f.error;
          },
        });
        for (const [kind, n] of Object.entries(r.byKind))
          for (let i = 0; i < (n ?? 0); i++) raised.push(`${kind} ${formatInstant(clock)}`);
      }
    };
    clock = instant("2022-07-13T09:00:00+07:00");
    await sweepUntil(instant("2022-07-13T09:45:00+07:00"));
    raised.length = 0;
    // Wed 10:00: A-0 gets a new appointment with the letter, A-1 one without it.
    clock = instant("2022-07-13T10:00:00+07:00");
    await applyEvent(deps, extended("A-0", "2022-07-13T10:00:00+07:00", true));
    await applyEvent(deps, extended("A-1", "2022-07-13T10:00:00+07:00", false));
    await sweepUntil(instant("2022-07-13T17:30:00+07:00"));
    // The reminder to send the letter still comes for A-1 only (Wed 11:00, 4 working hours
    // before the deadline), and the missed deadline after Wed 17:00.
    expect(raised).toEqual([
      "apology_due 2022-07-13T11:00:00+07:00",
      "apology_missed 2022-07-13T17:15:00+07:00",
    ]);
    raised.length = 0;
    clock = instant("2022-07-14T10:00:00+07:00");
    await applyEvent(deps, extended("A-1", "2022-07-14T10:00:00+07:00", true));
    await sweepUntil(instant("2022-07-14T10:00:00+07:00"));
    expect(raised.sort()).toEqual([
      "extended_twice 2022-07-14T10:00:00+07:00",
      "late_apology 2022-07-14T10:00:00+07:00",
    ]);
    expect((await table.store.dossiers.get("A-1"))?.apologyIssued).toBe(true);
  });
});
