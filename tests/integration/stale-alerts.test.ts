import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyEvent } from "../../lib/app/apply";
import { dropStaleAlerts } from "../../lib/app/stale-alerts";
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
    const dropped = await dropStaleAlerts(deps);
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
    // The dossier's page says which were dropped unsent, and when.
    const { alerts } = await t.store.dossiers.getWithLog("ST-CLOSED", { withAlerts: true });
    const overdue = alerts.find((a) => a.kind === "overdue");
    expect(overdue?.droppedAt).toBe(now);
    expect(overdue?.sentAt).toBeUndefined();
    expect(alerts.find((a) => a.kind === "apology_missed")?.droppedAt).toBeUndefined();
    // Nothing more to drop the second time.
    expect(await dropStaleAlerts(deps)).toBe(0);
  });
});
