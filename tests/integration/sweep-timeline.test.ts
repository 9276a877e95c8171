import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { localSesClient, readSesStore } from "../../dev/local/ses-local";
import { sesMailer } from "../../lib/adapters/ses";
import { type ApplyDeps, applyEvent } from "../../lib/app/apply";
import { sendDigests } from "../../lib/app/digests";
import { runSweep, type SweepDeps } from "../../lib/app/sweep";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import type { CountingSettings } from "../../lib/domain/counting";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { formatInstant, instant } from "../../lib/domain/time";
import { parseUnitDirectory, UnitDirectory } from "../../lib/domain/units";
import { parseDigestText } from "../../lib/render/email/digest";
import { testTable } from "../helpers/dynamo";
import { ROOT } from "../helpers/fixtures";
import { afterFirstRead, gateOfTwo } from "../helpers/gate";

/**
 * The alert timeline of docs/rules.md R4 through the sweep on DynamoDB Local: a dossier due Thu 17:00
 * with no extension, swept every 15 minutes by two overlapping sweeps.
 */
const settings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  catalog: catalogOf(),
  scheme: { kind: "calendar-quarter" },
};
const file = parseUnitDirectory(JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")));
const units = new UnitDirectory(file.units, file.leadership);
const MIN15 = 15 * 60_000;
const UNIT = "phong-tu-phap"; // no thresholds of its own: the defaults of R4
const DESK = "mot-cua@ubnd.example.org"; // its one-stop desk in the seed's directory

const ev = (id: string, dossierId: string, type: DossierEvent["type"], at: string, data: object) =>
  ({ eventId: id, type, occurredAt: at, dossierId, data }) as DossierEvent;
const received = (dossierId: string) =>
  ev(`r-${dossierId}`, dossierId, "dossier.received", "2022-07-04T08:00:00+07:00", {
    unitId: UNIT,
    procedureCode: "1.001193",
    channel: "direct",
    dueAt: "2022-07-14T17:00:00+07:00",
  });

let table: Awaited<ReturnType<typeof testTable>>;
let clock = instant("2022-07-04T09:00:00+07:00");
let deps: ApplyDeps & SweepDeps;
beforeAll(async () => {
  table = await testTable("timeline");
  await table.store.directory.put(file.units, file.leadership);
  deps = { ...table.store, settings, units, now: () => clock };
});
afterAll(async () => table.drop());

/** Commits of one sweep refused because the other had just changed the dossier: the two raced. */
let versionConflicts = 0;

/**
 * Two sweeps at once at every quarter hour up to `until`, both having read what is due before either
 * checks a dossier (each arrives at the gate after its read, or once it is done): what each raised.
 */
async function sweepUntil(until: number, raised: { kind: string; dossierId: string; at: number }[]) {
  for (; clock <= until; clock += MIN15) {
    const seen: { kind: string; dossierId: string; at: number }[] = [];
    const gate = gateOfTwo();
    const record = async () => {
      const real = deps.dossiers;
      const step = afterFirstRead(gate, (...args: Parameters<typeof real.dueForCheck>) =>
        real.dueForCheck(...args),
      );
      const dossiers: typeof real = Object.assign(Object.create(real), {
        dueForCheck: step.read,
        commit: async (...args: Parameters<typeof real.commit>) => {
          const out = await real.commit(...args);
          if (!out.ok && out.error.kind === "version_conflict") versionConflicts += 1;
          return out;
        },
      });
      try {
        const r = await runSweep(
          { ...deps, dossiers },
          {
            onFailure: (f) => {
              throw f.error;
            },
          },
        );
        for (const [kind, n] of Object.entries(r.byKind))
          for (let i = 0; i < (n ?? 0); i++) seen.push({ kind, dossierId: "", at: clock });
      } finally {
        step.done();
      }
    };
    await Promise.all([record(), record()]);
    raised.push(...seen);
  }
}

describe("the R4 timeline through the sweep", () => {
  it("near_due two working days before, apology_due before Wed 17:00, apology_missed at Wed 17:00, each once; a Thu 10:00 extension is a late apology", async () => {
    for (const e of [received("T-1"), received("T-2")]) await applyEvent(deps, e);
    const raised: { kind: string; dossierId: string; at: number }[] = [];
    clock = instant("2022-07-12T15:00:00+07:00");
    await sweepUntil(instant("2022-07-14T09:45:00+07:00"), raised);
    // Thu 10:00: T-2 gets its new appointment (an apology), after the apology deadline.
    clock = instant("2022-07-14T10:00:00+07:00");
    await applyEvent(
      deps,
      ev("x-T-2", "T-2", "dossier.deadline_extended", "2022-07-14T10:00:00+07:00", {
        newDueAt: "2022-07-18T17:00:00+07:00",
        apologyIssued: true,
      }),
    );
    await sweepUntil(instant("2022-07-14T11:00:00+07:00"), raised);
    const firstAt = (kind: string) => raised.filter((r) => r.kind === kind).map((r) => formatInstant(r.at));
    // Two dossiers: each stage once per dossier, at the first sweep at or after its threshold.
    expect(firstAt("near_due")).toEqual(["2022-07-12T17:00:00+07:00", "2022-07-12T17:00:00+07:00"]);
    expect(firstAt("apology_due")).toEqual(["2022-07-13T11:00:00+07:00", "2022-07-13T11:00:00+07:00"]);
    expect(firstAt("apology_missed")).toEqual(["2022-07-13T17:15:00+07:00", "2022-07-13T17:15:00+07:00"]);
    expect(firstAt("late_apology")).toEqual(["2022-07-14T10:00:00+07:00"]);
    expect(firstAt("overdue")).toEqual([]);
    // ...though the two sweeps did race for the same dossiers.
    expect(versionConflicts).toBeGreaterThan(0);

    // The digest shows each once, with what to do (Vietnamese first).
    const from = `timeline+${randomUUID().slice(0, 8)}@ubnd.example.org`;
    const digestDeps = {
      ...table.store,
      mailer: sesMailer(localSesClient(inject("sesEndpoint"))),
      calendar: settings.calendar,
      units,
      from,
      now: () => clock,
      owner: randomUUID(),
    };
    await sendDigests(digestDeps);
    const all = (await readSesStore(inject("sesEndpoint"))).filter((m) => m.from === from);
    // The one-stop desk's own digest (docs/rules.md R4): the apology stages, not near-due nor the
    // late apology.
    const toDesk = (m: (typeof all)[number]) => m.destination.to.includes(DESK);
    const mail = all.filter((m) => !toDesk(m));
    const desk = all.filter(toDesk);
    expect(desk).toHaveLength(1);
    expect(desk[0]?.destination.to).toEqual([DESK]);
    const deskSections = parseDigestText(desk[0]?.body.text ?? "");
    expect([...deskSections.keys()].sort()).toEqual(["apology_due", "apology_missed"]);
    expect(deskSections.get("apology_due")?.sort()).toEqual(["T-1", "T-2"]);
    expect(deskSections.get("apology_missed")?.sort()).toEqual(["T-1", "T-2"]);
    const text = mail.map((m) => m.body.text ?? "").join("\n");
    const sections = new Map<string, string[]>();
    for (const m of mail)
      for (const [kind, codes] of parseDigestText(m.body.text ?? ""))
        sections.set(kind, [...(sections.get(kind) ?? []), ...codes]);
    expect(sections.get("near_due")?.sort()).toEqual(["T-1", "T-2"]);
    expect(sections.get("apology_due")?.sort()).toEqual(["T-1", "T-2"]);
    expect(sections.get("apology_missed")?.sort()).toEqual(["T-1", "T-2"]);
    expect(sections.get("late_apology")).toEqual(["T-2"]);
    expect(text).toContain("chậm nhất 01 ngày làm việc trước hạn giải quyết");
  }, 300_000);

  it("a second supplement request raises supplement_twice in the next digest", async () => {
    clock = instant("2022-07-04T09:00:00+07:00");
    const id = "T-3";
    const events = [
      received(id),
      ev("s1", id, "dossier.supplement_requested", "2022-07-05T09:00:00+07:00", {}),
      ev("s2", id, "dossier.supplement_received", "2022-07-06T09:00:00+07:00", {}),
      ev("s3", id, "dossier.supplement_requested", "2022-07-07T09:00:00+07:00", {}),
    ];
    for (const e of events) {
      clock = instant(e.occurredAt);
      await applyEvent(deps, e);
    }
    clock = instant("2022-07-07T09:15:00+07:00");
    const sweep = await runSweep(deps);
    expect(sweep.byKind.supplement_twice).toBe(1);
    const from = `twice+${randomUUID().slice(0, 8)}@ubnd.example.org`;
    await sendDigests({
      ...table.store,
      mailer: sesMailer(localSesClient(inject("sesEndpoint"))),
      calendar: settings.calendar,
      units,
      from,
      now: () => clock,
      owner: randomUUID(),
    });
    const all = (await readSesStore(inject("sesEndpoint"))).filter((m) => m.from === from);
    // The unit's digest and the one-stop desk's (docs/rules.md R3: to the unit and the desk).
    expect(all).toHaveLength(2);
    const mail = all.filter((m) => !m.destination.to.includes(DESK));
    expect(mail).toHaveLength(1);
    expect(parseDigestText(mail[0]?.body.text ?? "").get("supplement_twice")).toEqual([id]);
    expect(mail[0]?.body.text).toContain("chỉ được thực hiện một lần");
    const desk = all.find((m) => m.destination.to.includes(DESK));
    expect(parseDigestText(desk?.body.text ?? "").get("supplement_twice")).toEqual([id]);
    // Both requests are counted on the record.
    expect((await table.store.dossiers.get(id))?.supplementRequests).toBe(2);
  }, 120_000);
});
