import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyEvent } from "../../lib/app/apply";
import { dossiersInTurn, dropStaleAlerts, STALE_CHECK_MAX_DOSSIERS } from "../../lib/app/stale-alerts";
import { runSweep } from "../../lib/app/sweep";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { CountingSettings } from "../../lib/domain/counting";
import { instant } from "../../lib/domain/time";
import { testTable } from "../helpers/dynamo";
import { ev, received, seedDirectory, seedDirectoryFile } from "../helpers/tu-phap";

/**
 * The sweep drops, unsent, the pending clock alerts of a dossier that closed since they were raised
 * (a failed send left them waiting), stamps their history, and keeps the others, on DynamoDB Local.
 */

const file = seedDirectoryFile();
const units = seedDirectory();
const settings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  scheme: { kind: "calendar-quarter" },
};

let t: Awaited<ReturnType<typeof testTable>>;
beforeAll(async () => {
  t = await testTable("stalealerts");
  await t.store.directory.put(file.units, file.leadership);
});
afterAll(async () => t.drop());

describe("pending alerts of dossiers that closed or moved", () => {
  it("are dropped unsent when it closed, a missed apology kept, the moved and open ones' kept", async () => {
    let now = instant("2022-07-12T09:00:00+07:00");
    const deps = { ...t.store, settings, units, now: () => now };
    for (const id of ["ST-CLOSED", "ST-MOVED", "ST-OPEN"]) await applyEvent(deps, received(id));
    await runSweep(deps);
    const kinds = async () =>
      (await t.store.alerts.pending())
        .map((a) => `${a.dossier.dossierId} ${a.kind}${a.recipient ? ` ${a.recipient}` : ""}`)
        .sort();
    const raised = await kinds();
    expect(raised).toContain("ST-CLOSED overdue");
    expect(raised).toContain("ST-CLOSED apology_missed");
    // No digest went (as after a failed send); meanwhile one dossier is resolved, one moves.
    now = instant("2022-07-12T10:00:00+07:00");
    await applyEvent(
      deps,
      ev("ST-CLOSED", "z", "dossier.resolved", "2022-07-12T09:30", { outcome: "approved" }),
    );
    await applyEvent(
      deps,
      ev("ST-MOVED", "t", "dossier.transferred", "2022-07-12T09:30", { toUnitId: "phong-tnmt" }),
    );
    const { dropped, left: leftCount } = await dropStaleAlerts(deps);
    const left = await kinds();
    const of = (id: string, list: string[]) => list.filter((k) => k.startsWith(`${id} `));
    // The open dossier's and the moved one's are all kept (the new unit's escalation and desk copy
    // would otherwise never go: each unit is told once); the closed one keeps its missed apology.
    for (const id of ["ST-OPEN", "ST-MOVED"]) expect(of(id, left)).toEqual(of(id, raised));
    expect(of("ST-CLOSED", left)).toEqual(
      of("ST-CLOSED", raised).filter((k) => k.includes("apology_missed")),
    );
    expect(dropped).toBe(raised.length - left.length);
    expect(dropped).toBeGreaterThan(0);
    // What it says is left pending is what is (the sweep tells send-alerts from it).
    expect(leftCount).toBe(left.length);
    // The dossier's page says which were dropped unsent, and when.
    const { alerts } = await t.store.dossiers.getWithLog("ST-CLOSED", { withAlerts: true });
    const overdue = alerts.find((a) => a.kind === "overdue");
    expect(overdue?.droppedAt).toBe(now);
    expect(overdue?.sentAt).toBeUndefined();
    expect(alerts.find((a) => a.kind === "apology_missed")?.droppedAt).toBeUndefined();
    // Nothing more to drop the second time.
    expect(await dropStaleAlerts(deps)).toEqual({ dropped: 0, left: left.length });
  });
});

describe("the dossiers a sweep checks", () => {
  const QUARTER = 15 * 60_000;
  it("are all of them when they are few, sorted, once each", () => {
    expect(dossiersInTurn(["b", "a", "b", "c"], 0)).toEqual(["a", "b", "c"]);
  });

  it("are the next ones in turn when more wait, so successive sweeps read every one", () => {
    const ids = Array.from({ length: 2 * STALE_CHECK_MAX_DOSSIERS + 700 }, (_, i) => `D-${i}`);
    const seen = new Map<string, number>();
    for (let turn = 0; turn < 3; turn++) {
      const chosen = dossiersInTurn(ids, instant("2022-07-12T17:00:00+07:00") + turn * QUARTER);
      expect(chosen).toHaveLength(STALE_CHECK_MAX_DOSSIERS);
      expect(new Set(chosen).size).toBe(chosen.length);
      for (const id of chosen) seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    // Three sweeps read 3 × 2,000 of 4,700: every dossier at least once, none more than twice.
    expect(seen.size).toBe(ids.length);
    expect(Math.max(...seen.values())).toBeLessThanOrEqual(2);
    // One sweep's choice does not move within its quarter hour.
    const t = instant("2022-07-12T17:00:00+07:00");
    expect(dossiersInTurn(ids, t + QUARTER - 1)).toEqual(dossiersInTurn(ids, t));
  });
});
