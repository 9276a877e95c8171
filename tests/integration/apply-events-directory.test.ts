import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEED_PERIOD } from "../../dev/scenarios/seed-2022-q3";
import type { ConsumerDeps } from "../../functions/apply-events";
import { MISS_REREAD_MS } from "../../lib/app/directory";
import type { DirectoryReader } from "../../lib/app/ports";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import type { CountingSettings } from "../../lib/domain/counting";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory, type Unit } from "../../lib/domain/units";
import { sqsRecord } from "../helpers/delivery";
import { testTable } from "../helpers/dynamo";
import { ROOT } from "../helpers/fixtures";

/**
 * The consumer keeps the unit directory a minute, and reads it again on a miss before it
 * quarantines an event as "not in the unit directory" (lib/app/directory.ts): a unit imported into
 * a running stack takes its events at once, and a flood of events for units that do not exist
 * costs at most one directory read a second.
 */
const NOW = instant("2026-11-30T09:00:00+07:00");
const directory = parseUnitDirectory(
  JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")),
);
const settings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  catalog: catalogOf(),
  scheme: { kind: "explicit", windows: [SEED_PERIOD] },
};
const received = (n: number, unitId: string) => ({
  eventId: `dir-${n}`,
  type: "dossier.received" as const,
  occurredAt: "2022-07-01T08:00:00+07:00",
  dossierId: `DIR-${n}`,
  source: "test-onestop",
  data: { unitId, procedureCode: "1.001990", channel: "direct" as const, processingDays: 5 },
});

type Table = Awaited<ReturnType<typeof testTable>>;

describe("apply-events: the unit directory read again on a miss", () => {
  let table: Table;
  let reads = 0;
  let clock = 0;
  let handle: (n: number, unitIds: string[]) => Promise<void>;
  beforeAll(async () => {
    process.env.TABLE_NAME = "unused-by-these-tests";
    const { createHandler } = await import("../../functions/apply-events");
    table = await testTable("dir");
    await table.store.directory.put(directory.units, directory.leadership, directory.integrations);
    const store = table.store;
    // The handler's reads of the directory, counted.
    const counted: DirectoryReader = {
      get: () => {
        reads++;
        return store.directory.get();
      },
    };
    // The directory cache's clock, moved by the test: no waiting on real time.
    const deps: ConsumerDeps = {
      ...store,
      directory: counted,
      directoryClock: () => clock,
      settings,
      now: () => NOW,
    };
    const handler = createHandler(deps, new Logger({ logLevel: "SILENT" }), new Metrics({ namespace: "t" }));
    handle = async (first, unitIds) => {
      const records = unitIds.map((u, i) => sqsRecord(received(first + i, u)));
      const out = await handler({ Records: records } as never, {} as never);
      expect(out.batchItemFailures).toEqual([]);
    };
  });
  afterAll(async () => table?.drop());

  it("applies the first event of a unit added while the directory was kept, and bounds the re-reads", async () => {
    await handle(1, ["phong-tnmt"]);
    expect(reads).toBe(1);
    expect(await table.store.quarantine.list()).toEqual([]);

    // A unit imported into the running stack, the cache still warm (well within its minute).
    const added: Unit = { ...(directory.units[1] as Unit), id: "phong-moi", nameVi: "Phòng mới" };
    await table.store.directory.put(
      [...directory.units, added],
      directory.leadership,
      directory.integrations,
    );
    clock += MISS_REREAD_MS;
    await handle(2, ["phong-moi"]);
    expect(reads).toBe(2);
    expect(await table.store.quarantine.list()).toEqual([]);
    expect((await table.store.dossiers.getWithLog("DIR-2")).dossier?.unitId).toBe("phong-moi");

    // A flood of events for units that do not exist: one read for the whole batch; the next
    // batch within the same second reads nothing more, and one a second later reads once again.
    clock += MISS_REREAD_MS;
    await handle(
      10,
      Array.from({ length: 10 }, (_, i) => `khong-co-${i}`),
    );
    expect(reads).toBe(3);
    clock += MISS_REREAD_MS - 1;
    await handle(
      20,
      Array.from({ length: 10 }, (_, i) => `khong-co-${i}`),
    );
    expect(reads).toBe(3);
    clock += 1;
    await handle(
      30,
      Array.from({ length: 10 }, (_, i) => `khong-co-${i}`),
    );
    expect(reads).toBe(4);
    const quarantined = await table.store.quarantine.list();
    expect(quarantined).toHaveLength(30);
    expect(quarantined.every((q) => /is not in the unit directory/.test(q.reason))).toBe(true);
  }, 60_000);
});
