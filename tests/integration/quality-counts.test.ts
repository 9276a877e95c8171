import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApplyDeps, applyEvent } from "../../lib/app/apply";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { CountingSettings } from "../../lib/domain/counting";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory, UnitDirectory } from "../../lib/domain/units";
import { testTable } from "../helpers/dynamo";
import { ROOT } from "../helpers/fixtures";

/**
 * The data-quality counts every KPI email, `GET /kpis` and `GET /quality` make (the orphans, the
 * quarantine's waiting events) read at most a bound's records, and say when more were left unread.
 * On DynamoDB Local, with a bound of a few records.
 */
const settings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  scheme: { kind: "calendar-quarter" },
};
const file = parseUnitDirectory(JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")));
const units = new UnitDirectory(file.units, file.leadership);
const now = instant("2022-07-12T09:00:00+07:00");

let table: Awaited<ReturnType<typeof testTable>>;
let deps: ApplyDeps;
beforeAll(async () => {
  table = await testTable("quality-counts");
  deps = { ...table.store, settings, units, now: () => now };
});
afterAll(async () => table.drop());

/** An event of a dossier whose receipt never came: the dossier is an orphan. */
const rated = (n: number): DossierEvent => ({
  eventId: `rated-${n}`,
  type: "dossier.rated",
  occurredAt: "2022-07-11T09:00:00+07:00",
  dossierId: `ORPHAN-${n}`,
  source: "igate",
  data: { score: 4 },
});

describe("bounded data-quality counts", () => {
  it("count the orphans up to the bound, and say when more were left unread", async () => {
    for (let n = 0; n < 5; n++) await applyEvent(deps, rated(n));
    expect(await table.store.dossiers.countBySla(null, "orphan")).toEqual({ count: 5, atLeast: false });
    expect(await table.store.dossiers.countBySla(null, "orphan", 6)).toEqual({ count: 5, atLeast: false });
    expect(await table.store.dossiers.countBySla(null, "orphan", 3)).toEqual({ count: 3, atLeast: true });
  });

  it("count the quarantine's waiting events among at most the bound's records, and say when more were left unread", async () => {
    // Five records kept; the first one's event applied since (sent again, corrected).
    for (let n = 0; n < 5; n++)
      await table.store.quarantine.put(
        {
          at: now,
          reason: "invalid event: data.score: Too big",
          eventId: `kept-${n}`,
          dossierId: `KEPT-${n}`,
          type: "dossier.rated",
          source: "igate",
          body: "{}",
        },
        `arrived ${n}`,
      );
    await applyEvent(deps, { ...rated(100), eventId: "kept-0", dossierId: "KEPT-0" });
    expect(await table.store.quarantine.waiting()).toEqual({ count: 4, atLeast: false });
    const some = await table.store.quarantine.waiting(3);
    expect(some.atLeast).toBe(true);
    // Of the three records read, those not applied since: the least there are.
    expect(some.count).toBeGreaterThanOrEqual(2);
    expect(some.count).toBeLessThanOrEqual(3);
  });
});
