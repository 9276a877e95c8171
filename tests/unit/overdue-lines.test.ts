import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type KpiDeps, overdueAndQuality } from "../../lib/app/period-report";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { type DossierRecord, NONE_COUNTED } from "../../lib/domain/records";
import { DAY_MS, instant } from "../../lib/domain/time";
import { parseUnitDirectory, type Unit, UnitDirectory } from "../../lib/domain/units";
import { ROOT } from "../helpers/fixtures";

// The KPI email's longest-overdue lines and its "possibly closed" count at a province's size: every
// unit's list read, several units at once, and only the ten earliest due kept, in one order
// whatever order the pages arrive in. An in-memory store, pages of 200 as the email asks for.
const NOW = instant("2025-12-16T17:00:00+07:00");
const seed = parseUnitDirectory(JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")));
const template = seed.units[0] as Unit;
const UNITS = 30;
const units = Array.from({ length: UNITS }, (_, i) => ({ ...template, id: `xa-${i}`, nameVi: `Xã ${i}` }));
const directory = new UnitDirectory(units, seed.leadership);

/** Unit i holds 3 × i + 1 overdue dossiers; some share due instants across units (ties). */
const stored = new Map(
  units.map((u, i) => [
    u.id,
    Array.from(
      { length: 3 * i + 1 },
      (_, k): DossierRecord => ({
        dossierId: `D-${String(i).padStart(2, "0")}-${String(k).padStart(3, "0")}`,
        version: 1,
        received: true,
        unitId: u.id,
        paused: false,
        supplementRequests: 0,
        extensions: 0,
        apologyIssued: false,
        eventCount: 1,
        anomalies: [],
        counted: {} as DossierRecord["counted"],
        kpiDueAt: NOW - ((k * 7 + i) % 40) * DAY_MS,
        // Every fifth: no event for 60 days, so possibly closed.
        lastEventAt: NOW - (k % 5 === 0 ? 60 : 1) * DAY_MS,
      }),
    ),
  ]),
);

function depsWith(listBySla: KpiDeps["dossiers"]["listBySla"]): KpiDeps {
  return {
    dossiers: { listBySla, countBySla: async () => NONE_COUNTED },
    quarantine: { waiting: async () => NONE_COUNTED },
    calendar: WorkingCalendar.official(),
    units: directory,
    now: () => NOW,
  } as unknown as KpiDeps;
}

/** A page of 200 from a unit's list, the cursor the next index. */
function page(unit: string | null, cursor: string | undefined) {
  const all = stored.get(unit ?? "") ?? [];
  const from = Number(cursor ?? 0);
  const items = all.slice(from, from + 200);
  return {
    ok: true as const,
    value: { items, cursor: from + 200 < all.length ? String(from + 200) : undefined },
  };
}

describe("the KPI email's longest overdue, read across a province's units", () => {
  it("keeps the ten earliest due (ties by dossier id) and counts every possibly closed dossier", async () => {
    const everything = [...stored.values()].flat();
    const expected = everything
      .sort((a, b) => (a.kpiDueAt ?? 0) - (b.kpiDueAt ?? 0) || a.dossierId.localeCompare(b.dossierId))
      .slice(0, 10)
      .map((d) => d.dossierId);
    const { longest, quality } = await overdueAndQuality(
      depsWith(async (unit, _sla, options) => page(unit, options?.cursor)),
      units.map((u) => u.id),
      false,
    );
    expect(longest.map((l) => l.dossierId)).toEqual(expected);
    expect(longest.map((l) => l.unitName)).toEqual(expected.map((id) => `Xã ${Number(id.slice(2, 4))}`));
    expect(quality.possiblyClosed).toBe(
      everything.filter((d) => (NOW - (d.lastEventAt ?? 0)) / DAY_MS === 60).length,
    );
    expect(quality.possiblyClosed).toBeGreaterThan(0);
  });

  it("reads several units' lists at once, in whatever order their pages come back", async () => {
    // The first read waits until a second unit's read has begun: read one unit after another,
    // this never finishes. Then pages come back newest-asked first, so arrival order differs.
    let inFlight = 0;
    let most = 0;
    const waiting: (() => void)[] = [];
    const { longest } = await overdueAndQuality(
      depsWith(async (unit, _sla, options) => {
        inFlight++;
        most = Math.max(most, inFlight);
        if (most < 2) await new Promise<void>((resolve) => waiting.push(resolve));
        else for (let r = waiting.pop(); r; r = waiting.pop()) r();
        inFlight--;
        return page(unit, options?.cursor);
      }),
      units.map((u) => u.id),
      false,
    );
    expect(most).toBeGreaterThanOrEqual(2);
    const reversed = await overdueAndQuality(
      depsWith(async (unit, _sla, options) => page(unit, options?.cursor)),
      [...units.map((u) => u.id)].reverse(),
      false,
    );
    expect(longest).toEqual(reversed.longest);
  });

  it("fails the email when one unit's read fails, and starts no other unit after it", async () => {
    const asked: string[] = [];
    const failing = overdueAndQuality(
      depsWith(async (unit, _sla, options) => {
        asked.push(unit ?? "");
        if (unit === "xa-3") throw new Error("storage unavailable");
        return page(unit, options?.cursor);
      }),
      units.map((u) => u.id),
      false,
    );
    await expect(failing).rejects.toThrow("storage unavailable");
    // The readers in flight finish their unit; none begins another once the failure is known.
    expect(asked.length).toBeLessThan(UNITS);
  });

  it("leaves out what the strict supplement rule alone lists overdue: its due instant ahead, or its clock stopped", async () => {
    const base = stored.get("xa-0")?.[0] as DossierRecord;
    // Each with no event for 60 days: only the one past its due instant is possibly closed.
    const quiet = { ...base, lastEventAt: NOW - 60 * DAY_MS };
    const items: DossierRecord[] = [
      { ...quiet, dossierId: "S-AHEAD", kpiDueAt: NOW + 3 * DAY_MS },
      { ...quiet, dossierId: "S-STOPPED", kpiDueAt: NOW - 30 * DAY_MS, paused: true, clockStopped: true },
      { ...quiet, dossierId: "LATE", kpiDueAt: NOW - 2 * DAY_MS },
    ];
    const { longest, quality } = await overdueAndQuality(
      depsWith(async () => ({ ok: true, value: { items, cursor: undefined } })),
      ["xa-0"],
      false,
    );
    expect(longest.map((l) => l.dossierId)).toEqual(["LATE"]);
    expect(longest[0]?.overdueWorkingDays).toBeGreaterThan(0);
    expect(quality.possiblyClosed).toBe(1);
  });
});
