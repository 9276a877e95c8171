import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyEvent } from "../../lib/app/apply";
import { readKpiReport } from "../../lib/app/kpis";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { CountingSettings } from "../../lib/domain/counting";
import { type Period, periodByName } from "../../lib/domain/periods";
import { computeReport } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { kpiView } from "../helpers/compare";
import { testTable } from "../helpers/dynamo";
import { ROOT } from "../helpers/fixtures";
import { ev, received, seedDirectory, seedDirectoryFile } from "../helpers/tu-phap";

/**
 * `recount` on DynamoDB Local: counters kept under one setting are counted again under another,
 * from the stored events alone, through the command line; a second run changes nothing.
 */

const file = seedDirectoryFile();
const units = seedDirectory();
const lenient: CountingSettings = {
  calendar: WorkingCalendar.official(),
  scheme: { kind: "calendar-quarter" },
};
const strict: CountingSettings = { ...lenient, strictSupplementRule: true };
const Q3 = periodByName(lenient.scheme, "2022-Q3") as Period;
const NOW = "2022-09-30T10:00:00+07:00";

/** Asked twice for a supplement, then resolved before its due instant: on time, or late when strict. */
const twice = (id: string) => [
  received(id),
  ev(id, "s1", "dossier.supplement_requested", "2022-07-05T09:00"),
  ev(id, "b1", "dossier.supplement_received", "2022-07-05T10:00"),
  ev(id, "s2", "dossier.supplement_requested", "2022-07-06T09:00"),
  ev(id, "b2", "dossier.supplement_received", "2022-07-06T10:00"),
  ev(id, "z", "dossier.resolved", "2022-07-07T10:00", { outcome: "approved" }),
];
const EVENTS = [...twice("RC-1"), ...twice("RC-2"), received("RC-3")];

let t: Awaited<ReturnType<typeof testTable>>;
beforeAll(async () => {
  t = await testTable("recount");
  await t.store.directory.put(file.units, file.leadership);
});
afterAll(async () => t.drop());

const recount = (env: Record<string, string>) =>
  promisify(execFile)(
    process.execPath,
    [
      join(ROOT, "bin", "dossier-monitor.mjs"),
      "recount",
      "--table",
      t.tableName,
      "--endpoint",
      t.endpoint,
      "--now",
      NOW,
    ],
    { env: { ...process.env, ...env } },
  );

describe("recount", () => {
  it("counts every dossier again under the settings deployed now, and a second run changes nothing", async () => {
    for (const e of EVENTS)
      await applyEvent({ ...t.store, settings: lenient, units, now: () => instant(NOW) }, e);
    const counters = () => readKpiReport(t.store.counters, Q3, { asOf: instant(NOW) });
    const under = (s: CountingSettings) =>
      kpiView(computeReport(EVENTS, s, { period: Q3, asOf: instant(NOW) }));
    expect(kpiView(await counters())).toEqual(under(lenient));
    // The two settings count these dossiers apart: what the recount must move.
    expect(under(strict).resolved).toEqual({ total: 2, early: 0, onTime: 0, late: 2 });
    expect(under(lenient).resolved.late).toBe(0);

    // A scheme the table was not counted under stops it before it writes: another scheme's
    // quarters (the same names, other dates), or windows the table has no counts in.
    const refusedRun = (env: Record<string, string>) =>
      recount(env).catch((e: { code: number; stderr: string }) => e);
    for (const scheme of [
      "reporting-window",
      JSON.stringify({
        kind: "explicit",
        windows: [{ name: "dot-1", from: "2022-06-06", to: "2022-09-05" }],
      }),
    ])
      expect(await refusedRun({ PERIOD_SCHEME: scheme }), scheme).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/run recount with the deployment's PERIOD_SCHEME; nothing was written/),
      });
    expect(kpiView(await counters())).toEqual(under(lenient));

    const first = await recount({ STRICT_SUPPLEMENT_RULE: "true" });
    // RC-1 and RC-2 counted late; RC-3, open and overdue, gets the alerts the sweep would raise.
    expect(first.stdout).toBe("3 dossiers recounted: 3 changed, 0 unchanged, 0 failed\n");
    expect((await t.store.alerts.pending()).map((a) => [a.dossier.dossierId, a.kind])).toContainEqual([
      "RC-3",
      "overdue",
    ]);
    expect(kpiView(await counters())).toEqual(under(strict));

    // A fixed instant is for a local table only: on a deployed one it would take back later dossiers.
    const fixed = await promisify(execFile)(process.execPath, [
      join(ROOT, "bin", "dossier-monitor.mjs"),
      "recount",
      "--table",
      t.tableName,
      "--now",
      NOW,
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(fixed).toMatchObject({ code: 2, stderr: expect.stringContaining("--now goes with --endpoint") });

    const again = await recount({ STRICT_SUPPLEMENT_RULE: "true" });
    expect(again.stdout).toBe("3 dossiers recounted: 0 changed, 3 unchanged, 0 failed\n");
    expect(kpiView(await counters())).toEqual(under(strict));
  });

  it("counts with a deployed stage's settings from cdk.json (--stage), not the shell's", async () => {
    const table = await testTable("recount-stage");
    await table.store.directory.put(file.units, file.leadership);
    for (const e of EVENTS)
      await applyEvent({ ...table.store, settings: lenient, units, now: () => instant(NOW) }, e);
    // The project's folder, as an operator runs cdk deploy from it: a stage counting strictly.
    const folder = mkdtempSync(join(tmpdir(), "dm-stage-"));
    const stage = {
      senderAddress: "a@ubnd.example.org",
      sesIdentity: "ubnd.example.org",
      strictSupplementRule: true,
    };
    writeFileSync(join(folder, "cdk.json"), JSON.stringify({ context: { stages: { thu: stage } } }));
    const run = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        [
          join(ROOT, "bin", "dossier-monitor.mjs"),
          "recount",
          "--table",
          table.tableName,
          "--endpoint",
          table.endpoint,
          "--now",
          NOW,
          ...args,
        ],
        // The shell says lenient: the stage's setting is what counts.
        { cwd: folder, env: { ...process.env, STRICT_SUPPLEMENT_RULE: "false" } },
      ).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(await run("--stage", "nope")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--stage: cdk.json has no stages.nope (stages: thu)"),
    });
    expect(await run("--stage", "thu", "--catalog", "catalog.json")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--catalog: not with --stage"),
    });
    const counters = () => readKpiReport(table.store.counters, Q3, { asOf: instant(NOW) });
    expect((await counters()).resolved.late).toBe(0);
    expect(await run("--stage", "thu")).toMatchObject({
      stdout: "3 dossiers recounted: 3 changed, 0 unchanged, 0 failed\n",
    });
    expect(kpiView(await counters())).toEqual(
      kpiView(computeReport(EVENTS, strict, { period: Q3, asOf: instant(NOW) })),
    );
    await table.drop();
  });
});
