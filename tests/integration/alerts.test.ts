import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { localSesClient, readSesStore } from "../../dev/local/ses-local";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { BulkWriter } from "../../lib/adapters/dynamodb/bulk";
import { ALERTS_PK, alertSk } from "../../lib/adapters/dynamodb/keys";
import type { TableStore } from "../../lib/adapters/dynamodb/store";
import { sesMailer } from "../../lib/adapters/ses";
import { type ApplyDeps, applyEvent } from "../../lib/app/apply";
import { DIGEST_RESERVE_MS, type DigestDeps, sendDigests } from "../../lib/app/digests";
import { importEvents } from "../../lib/app/import";
import { readKpiReport } from "../../lib/app/kpis";
import { runSweep, SWEEP_RESERVE_MS, type SweepDeps } from "../../lib/app/sweep";
import { alertFactsOf, timelineStages } from "../../lib/domain/alerts";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import type { CountingSettings } from "../../lib/domain/counting";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { groupByDossier, projectDossier } from "../../lib/domain/projection";
import type { PendingAlert } from "../../lib/domain/records";
import { computeReport } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory, thresholdsOf, UnitDirectory } from "../../lib/domain/units";
import { parseDigestText, renderDigest } from "../../lib/render/email/digest";
import { kpiView } from "../helpers/compare";
import { testTable } from "../helpers/dynamo";
import { ROOT } from "../helpers/fixtures";
import { afterFirstRead, gateOfTwo } from "../helpers/gate";

const settings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  catalog: catalogOf(),
  scheme: { kind: "explicit", windows: [SEED_PERIOD] },
};
const directoryFile = parseUnitDirectory(
  JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")),
);
const units = new UnitDirectory(directoryFile.units, directoryFile.leadership);
const MIN15 = 15 * 60_000;
type Table = Awaited<ReturnType<typeof testTable>>;

const received = (dossierId: string, unitId: string): DossierEvent => ({
  eventId: `r-${dossierId}`,
  type: "dossier.received",
  occurredAt: "2022-07-04T08:00:00+07:00",
  dossierId,
  data: { unitId, procedureCode: "1.004227", channel: "direct", processingDays: 2, domain: "dat-dai" },
});

async function applyAll(deps: ApplyDeps, events: DossierEvent[]) {
  const queue = [...events];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let e = queue.shift(); e; e = queue.shift()) await applyEvent(deps, e);
    }),
  );
}

function digestDeps(
  table: Table,
  from: string,
  now: () => number,
  ses = localSesClient(inject("sesEndpoint")),
): DigestDeps & TableStore {
  return {
    ...table.store,
    mailer: sesMailer(ses),
    calendar: settings.calendar,
    units,
    from,
    now,
    owner: randomUUID(),
  };
}

/** The one-stop desk of every unit in the seed's directory. */
const DESK = "mot-cua@ubnd.example.org";

async function mailFrom(from: string) {
  return (await readSesStore(inject("sesEndpoint"))).filter((m) => m.from === from);
}

describe("a day of the seed scenario, swept every 15 minutes", () => {
  const day = instant("2022-07-18T00:00:00+07:00");
  const end = day + 86_400_000;
  const all = seed2022Q3({ seed: 4 });
  const groups = groupByDossier(all.filter((e) => instant(e.occurredAt) <= end));
  // The dossiers received in the 25 days before the day, with their events up to its end.
  const events = [...groups.values()]
    .filter((list) =>
      list.some((e) => e.type === "dossier.received" && instant(e.occurredAt) >= day - 25 * 86_400_000),
    )
    .flat();
  let table: Table;
  let clock = day;
  let deps: ApplyDeps & SweepDeps;
  const from = `canh-bao+${randomUUID().slice(0, 8)}@ubnd.example.org`;
  const initialFrom = `dau-ngay+${randomUUID().slice(0, 8)}@ubnd.example.org`;

  beforeAll(async () => {
    table = await testTable("day");
    await table.store.directory.put(directoryFile.units, directoryFile.leadership);
    deps = { ...table.store, settings, units, now: () => clock };
    // The history before the day by the import (lib/app/import.ts): the table the consumer would
    // leave (tests/integration/import.test.ts), in a fraction of its time; the day's events below
    // go through the consumer's applyEvent.
    const history = events.filter((e) => instant(e.occurredAt) <= clock);
    const summary = await importEvents(
      { ...deps, bulk: new BulkWriter(table.store.client, table.tableName) },
      history.map((input, i) => ({ input, where: `seed:${i + 1}` })),
    );
    expect(summary.quarantined + summary.invalid).toBe(0);
    // What was already due before the day goes out first, from another sender.
    await runSweep(deps);
    await sendDigests(digestDeps(table, initialFrom, () => clock));
  }, 300_000);
  afterAll(async () => table.drop());

  it("puts each dossier crossing a threshold in exactly one digest for it; overlapping sweeps send no duplicate", async () => {
    let raised = 0;
    // Leases a sender was refused because the other held them: the overlap raced for real.
    let refusedLeases = 0;
    /**
     * Two senders that have both read the pending alerts before either takes a lease, so both go
     * for the same groups (each arrives at the gate after its read, or once it is done).
     */
    const racingSenders = async () => {
      const gate = gateOfTwo();
      const sender = async () => {
        const base = digestDeps(table, from, () => clock);
        const alerts = base.alerts;
        const step = afterFirstRead(gate, () => alerts.pending());
        const racing: typeof alerts = Object.assign(Object.create(alerts), {
          pending: step.read,
          acquireLease: async (...args: Parameters<typeof alerts.acquireLease>) => {
            const taken = await alerts.acquireLease(...args);
            if (!taken) refusedLeases += 1;
            return taken;
          },
        });
        try {
          await sendDigests({ ...base, alerts: racing });
        } finally {
          step.done();
        }
      };
      await Promise.all([sender(), sender()]);
    };
    for (let step = 1; step <= 96; step++) {
      const previous = clock;
      clock += MIN15;
      await applyAll(
        deps,
        events.filter((e) => instant(e.occurredAt) > previous && instant(e.occurredAt) <= clock),
      );
      // Every eighth step two sweeps and two senders overlap.
      const overlap = step % 8 === 0;
      const sweeps = await Promise.all(Array.from({ length: overlap ? 2 : 1 }, () => runSweep(deps)));
      raised += sweeps.reduce((s, r) => s + r.raised, 0);
      if (overlap) await racingSenders();
      else await sendDigests(digestDeps(table, from, () => clock));
      if (step % 32 === 0) {
        const known = events.filter((e) => instant(e.occurredAt) <= clock);
        const counters = await readKpiReport(table.store.counters, SEED_PERIOD, { asOf: clock });
        expect(kpiView(counters)).toEqual(
          kpiView(computeReport(known, settings, { period: SEED_PERIOD, asOf: clock })),
        );
      }
    }
    const all = await mailFrom(from);
    const toDesk = (m: (typeof all)[number]) => m.destination.to.includes(DESK);
    const mail = all.filter((m) => !toDesk(m));
    const entriesOf = (mails: typeof all) => {
      const seen = new Map<string, number>();
      for (const m of mails) {
        // Once per threshold: a dossier whose due instant moved during the day may be alerted again.
        for (const [kind, entries] of parseDigestText(m.body.text ?? "", "vi", true)) {
          for (const entry of entries) seen.set(`${kind} ${entry}`, (seen.get(`${kind} ${entry}`) ?? 0) + 1);
        }
      }
      return seen;
    };
    const seen = entriesOf(mail);
    // Nothing twice, and everything raised was delivered; the senders did race for the same groups.
    expect([...seen.values()].filter((n) => n > 1)).toEqual([]);
    expect(refusedLeases).toBeGreaterThan(0);
    expect(raised).toBeGreaterThan(20);
    const deskKinds = ["apology_due", "apology_missed", "supplement_twice"];
    const forDesk = [...seen.keys()].filter((k) => deskKinds.includes(k.split(" ")[0] as string));
    expect(seen.size).toBe(raised);
    // The one-stop desk got a copy of each of the stages that are its (docs/rules.md R4), once.
    const desk = entriesOf(all.filter(toDesk));
    expect([...desk.values()].filter((n) => n > 1)).toEqual([]);
    expect([...desk.keys()].sort()).toEqual(forDesk.sort());
    expect(forDesk.length).toBeGreaterThan(0);
    // Independently of the sweep: every threshold a quiet dossier (no event that day) crossed during
    // the day, computed from its events alone, is in the day's digests.
    const byDossier = new Map<string, number>();
    for (const [entry, n] of seen) {
      const key = entry.split(" @ ")[0] as string;
      byDossier.set(key, (byDossier.get(key) ?? 0) + n);
    }
    let checked = 0;
    for (const [id, list] of groupByDossier(events)) {
      if (list.some((e) => instant(e.occurredAt) > day)) continue;
      const state = projectDossier(id, list, settings, end);
      const facts = alertFactsOf(state);
      if (!facts) continue;
      const { stages } = timelineStages(
        facts,
        settings.calendar,
        thresholdsOf(units.get(state.unitId), settings.calendar),
      );
      const at = (kind: string) => stages.find((s) => s.kind === kind)?.at ?? Number.POSITIVE_INFINITY;
      for (const t of stages) {
        if (t.at <= day || t.at > clock) continue;
        // The sweep that sees it: a stage overtaken by then is not raised late.
        const sweptAt = day + Math.ceil((t.at - day) / MIN15) * MIN15;
        if (t.kind === "near_due" && at("overdue") <= sweptAt) continue;
        if (t.kind === "apology_due" && Math.min(at("apology_missed"), at("overdue")) <= sweptAt) continue;
        expect(byDossier.get(`${t.kind} ${id}`), `${t.kind} ${id}`).toBe(1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
    // One digest per unit (and language) per sweep, never a storm.
    const perSubjectAndTime = new Set(mail.map((m) => `${m.destination.to.join(",")} ${m.subject}`));
    expect(perSubjectAndTime.size).toBe(mail.length);
  }, 600_000);
});

describe("digest delivery", () => {
  it("arrives on the next sweep, once, when SES fails for one sweep", async () => {
    const table = await testTable("sesfail");
    await table.store.directory.put(directoryFile.units, directoryFile.leadership);
    let clock = instant("2022-07-04T09:00:00+07:00");
    const deps: ApplyDeps & SweepDeps = { ...table.store, settings, units, now: () => clock };
    for (let i = 0; i < 5; i++) await applyEvent(deps, received(`F-${i}`, "phong-tnmt"));
    clock = instant("2022-07-06T17:30:00+07:00");
    const sweep = await runSweep(deps);
    expect(sweep.raised).toBeGreaterThan(0);
    const from = `sesfail+${randomUUID().slice(0, 8)}@ubnd.example.org`;
    const failingSes = localSesClient(inject("sesEndpoint"));
    failingSes.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error("injected: SES throttling"), { name: "Throttling" });
      },
      { step: "initialize", name: "fail" },
    );
    const first = await sendDigests(digestDeps(table, from, () => clock, failingSes));
    expect(first.sent).toEqual([]);
    expect(first.failed.length).toBeGreaterThan(0);
    expect(await mailFrom(from)).toEqual([]);
    clock += MIN15;
    await runSweep(deps);
    const second = await sendDigests(digestDeps(table, from, () => clock));
    expect(second.failed).toEqual([]);
    const third = await sendDigests(digestDeps(table, from, () => clock));
    expect(third.sent).toEqual([]);
    const all = await mailFrom(from);
    // The unit's digest, and its one-stop desk's with the apology stages (docs/rules.md R4), once each.
    expect(all.map((m) => m.destination.to.includes(DESK)).sort()).toEqual([false, true]);
    const mail = all.filter((m) => !m.destination.to.includes(DESK));
    expect(
      parseDigestText(mail[0]?.body.text ?? "")
        .get("overdue")
        ?.sort(),
    ).toEqual(["F-0", "F-1", "F-2", "F-3", "F-4"]);
    await table.drop();
  }, 60_000);

  it("stops with its time nearly spent, leaving the other groups pending for the next run, each sent once", async () => {
    const table = await testTable("budget");
    await table.store.directory.put(directoryFile.units, directoryFile.leadership);
    let clock = instant("2022-07-04T09:00:00+07:00");
    const deps: ApplyDeps & SweepDeps = { ...table.store, settings, units, now: () => clock };
    for (const unit of ["phong-tnmt", "phong-tu-phap", "phong-tckh"])
      await applyEvent(deps, received(`B-${unit}`, unit));
    clock = instant("2022-07-06T17:30:00+07:00");
    expect((await runSweep(deps)).raised).toBeGreaterThan(0);
    const from = `budget+${randomUUID().slice(0, 8)}@ubnd.example.org`;
    // Time enough for the first batch's check and its first group, then under the reserve.
    let asked = 0;
    const timeLeft = () => (++asked <= 2 ? 10 * DIGEST_RESERVE_MS : DIGEST_RESERVE_MS - 1);
    const first = await sendDigests(
      digestDeps(table, from, () => clock),
      { timeLeft },
    );
    expect(first.incomplete).toBe(true);
    expect(first.failed).toEqual([]);
    expect(first.sent.length).toBeGreaterThan(0);
    const left = await table.store.alerts.pending();
    expect(left.length).toBeGreaterThan(0);
    const second = await sendDigests(digestDeps(table, from, () => clock));
    expect(second.incomplete).toBeUndefined();
    expect(second.failed).toEqual([]);
    expect(await table.store.alerts.pending()).toEqual([]);
    // Every group's email once in each language: the first run's and the second's are different groups.
    const groups = [...first.sent, ...second.sent].map((x) => `${x.group} ${x.locale}`);
    expect(new Set(groups).size).toBe(groups.length);
    expect((await mailFrom(from)).length).toBe(groups.length);
    await table.drop();
  }, 60_000);

  it("in two languages, sends the one that went out once, and the other once SES takes it", async () => {
    const table = await testTable("sesfail-lang");
    // The deputy reads English: the unit's digest goes in two emails.
    const bilingual = directoryFile.units.map((u) =>
      u.id === "phong-tnmt"
        ? { ...u, deputies: u.deputies.map((d) => ({ ...d, locale: "en" as const })) }
        : u,
    );
    const twoLanguages = new UnitDirectory(bilingual, directoryFile.leadership);
    await table.store.directory.put(bilingual, directoryFile.leadership);
    let clock = instant("2022-07-04T09:00:00+07:00");
    const deps: ApplyDeps & SweepDeps = { ...table.store, settings, units: twoLanguages, now: () => clock };
    for (let i = 0; i < 3; i++) await applyEvent(deps, received(`L-${i}`, "phong-tnmt"));
    clock = instant("2022-07-06T17:30:00+07:00");
    await runSweep(deps);
    const from = `sesfail-lang+${randomUUID().slice(0, 8)}@ubnd.example.org`;
    const send = async (englishFails: boolean) => {
      const ses = localSesClient(inject("sesEndpoint"));
      if (englishFails)
        ses.middlewareStack.add(
          (next) => async (args) => {
            const input = (args as { input: { Destination?: { ToAddresses?: string[] } } }).input;
            if (input.Destination?.ToAddresses?.includes("pho@tnmt.example.org"))
              throw Object.assign(new Error("injected: SES throttling"), { name: "Throttling" });
            return next(args);
          },
          { step: "initialize", name: "failEnglish" },
        );
      return sendDigests({ ...digestDeps(table, from, () => clock, ses), units: twoLanguages });
    };
    const first = await send(true);
    expect(first.failed.map((f) => f.group)).toEqual(["unit:phong-tnmt"]);
    // Meanwhile another dossier of the unit crosses its thresholds: the next sweep raises its alerts.
    await applyEvent(deps, received("L-new", "phong-tnmt"));
    for (let sweep = 0; sweep < 2; sweep++) {
      clock += MIN15;
      await runSweep(deps);
      await send(false);
    }
    const mail = (await mailFrom(from)).filter((m) => !m.destination.to.includes(DESK));
    const dossiersIn = (m: (typeof mail)[number], locale: "vi" | "en") =>
      [...new Set([...parseDigestText(m.body.text ?? "", locale).values()].flat())].sort();
    // Each reader gets each alert once: the Vietnamese digest sent by the first run is not sent
    // again; the retry's Vietnamese email carries the new dossier only, the English one all four.
    expect(mail.map((m) => m.destination.to)).toEqual([
      ["truong@tnmt.example.org"],
      ["truong@tnmt.example.org"],
      ["pho@tnmt.example.org"],
    ]);
    expect(mail.map((m, i) => dossiersIn(m, i < 2 ? "vi" : "en"))).toEqual([
      ["L-0", "L-1", "L-2"],
      ["L-new"],
      ["L-0", "L-1", "L-2", "L-new"],
    ]);
    // Each titled in its reader's language, the unit's name too.
    expect(mail[0]?.subject).toContain("Phòng Tài nguyên và Môi trường");
    expect(mail[2]?.subject).toMatch(/^\[Dossier alerts\] Natural Resources and Environment Division/);
    expect(
      (await table.store.alerts.pending()).filter((a) => a.unitId === "phong-tnmt" && !a.recipient),
    ).toEqual([]);
    await table.drop();
  }, 60_000);

  it("sends a digest once when recording it fails after SES took it, and a failed lease stops no other unit", async () => {
    const table = await testTable("record-fail");
    await table.store.directory.put(directoryFile.units, directoryFile.leadership);
    let clock = instant("2022-07-04T09:00:00+07:00");
    const deps: ApplyDeps & SweepDeps = { ...table.store, settings, units, now: () => clock };
    await applyEvent(deps, received("RF-1", "phong-tnmt"));
    await applyEvent(deps, received("RF-2", "phong-qldt"));
    clock = instant("2022-07-06T17:30:00+07:00");
    await runSweep(deps);
    const from = `record-fail+${randomUUID().slice(0, 8)}@ubnd.example.org`;
    const real = table.store.alerts;
    // The first run: the land division's digest is sent but not recorded; the lease of the urban
    // division's cannot be asked for.
    let failRecord = true;
    let leaseFailed = false;
    const marked: [string, readonly string[]][] = [];
    const faulty: typeof real = Object.assign(Object.create(real), {
      markSentInLanguage: async (mark: string, ids: readonly string[], at: number) => {
        marked.push([mark, ids]);
        return real.markSentInLanguage(mark, ids, at);
      },
      markDigestSent: async (args: Parameters<typeof real.markDigestSent>[0]) => {
        if (failRecord && args.group === "unit:phong-tnmt") {
          failRecord = false;
          throw new Error("injected: the digest's record refused");
        }
        return real.markDigestSent(args);
      },
      acquireLease: async (...args: Parameters<typeof real.acquireLease>) => {
        if (args[0] === "digest:unit:phong-qldt" && !leaseFailed) {
          leaseFailed = true;
          throw new Error("injected: the lease refused");
        }
        return real.acquireLease(...args);
      },
    });
    const first = await sendDigests({ ...digestDeps(table, from, () => clock), alerts: faulty });
    expect(first.failed.map((f) => f.group).sort()).toEqual(["unit:phong-qldt", "unit:phong-tnmt"]);
    // The other groups (the desks, leadership) went in the same run.
    expect(first.sent.length).toBeGreaterThan(1);
    clock += MIN15;
    const second = await sendDigests({ ...digestDeps(table, from, () => clock), alerts: faulty });
    expect(second.failed).toEqual([]);
    const toUnit = async (email: string) =>
      (await mailFrom(from)).filter((m) => m.destination.to.includes(email));
    // One email to each division: the land division's not sent again, the urban division's now.
    expect(await toUnit("truong@tnmt.example.org")).toHaveLength(1);
    expect(await toUnit("truong@qldt.example.org")).toHaveLength(1);
    expect((await real.pending()).filter((a) => !a.recipient)).toEqual([]);
    // Each digest recorded, its marks are cleared: they never grow with the digests sent.
    expect(marked.length).toBeGreaterThan(2);
    for (const [mark, ids] of marked) expect(await real.sentInLanguage(mark, ids)).toEqual(new Set());
    await table.drop();
  }, 60_000);

  it("sends a digest of 6,000 alerts once, and keeps its record within an item", async () => {
    const table = await testTable("digest-large");
    await table.store.directory.put(directoryFile.units, directoryFile.leadership);
    const clock = instant("2022-07-06T17:30:00+07:00");
    // A province's one-stop desk on a first sweep: thousands of missed apologies in one group,
    // whose keys alone (74 bytes each here, more with a province's unit ids) are more than
    // DynamoDB's 400 KB item.
    const alerts: PendingAlert[] = Array.from({ length: 6_000 }, (_, i) => ({
      unitId: "cn-vpdk-dat-dai",
      kind: "apology_missed",
      key: 0,
      recipient: "one_stop_desk",
      raisedAt: clock - 60_000,
      dossier: {
        dossierId: `000.00.30.H48-220704-${String(i).padStart(6, "0")}`,
        apologyIssued: false,
        extensions: 0,
      },
    }));
    expect(alerts.map((a) => alertSk(a)).join("\n").length).toBeGreaterThan(400 * 1024);
    const items = alerts.map((a) => ({ PutRequest: { Item: { pk: ALERTS_PK, sk: alertSk(a), ...a } } }));
    for (let i = 0; i < items.length; i += 25)
      await table.store.client.send(
        new BatchWriteCommand({ RequestItems: { [table.store.tableName]: items.slice(i, i + 25) } }),
      );
    const from = `large+${randomUUID().slice(0, 8)}@ubnd.example.org`;
    const first = await sendDigests(digestDeps(table, from, () => clock));
    expect(first.failed).toEqual([]);
    expect(first.sent.map((s) => s.recipients)).toEqual([[DESK]]);
    expect(await table.store.alerts.pending()).toEqual([]);
    expect((await sendDigests(digestDeps(table, from, () => clock))).sent).toEqual([]);
    expect(await mailFrom(from)).toHaveLength(1);
    await table.drop();
  }, 120_000);

  it("carries at most its bound of alerts, the oldest first, and says how many follow; the next runs send the rest once", async () => {
    const table = await testTable("digest-bound");
    await table.store.directory.put(directoryFile.units, directoryFile.leadership);
    const clock = instant("2022-07-06T17:30:00+07:00");
    const alerts: PendingAlert[] = Array.from({ length: 5 }, (_, i) => ({
      unitId: "phong-tu-phap",
      kind: "overdue",
      key: 0,
      raisedAt: clock - (10 - i) * 60_000,
      dossier: { dossierId: `BOUND-${i}`, apologyIssued: false, extensions: 0 },
    }));
    await table.store.client.send(
      new BatchWriteCommand({
        RequestItems: {
          [table.store.tableName]: alerts.map((a) => ({
            PutRequest: { Item: { pk: ALERTS_PK, sk: alertSk(a), ...a } },
          })),
        },
      }),
    );
    const from = `bound+${randomUUID().slice(0, 8)}@ubnd.example.org`;
    const deps = { ...digestDeps(table, from, () => clock), maxAlerts: 2 };
    for (const left of [3, 1, 0]) {
      expect((await sendDigests(deps)).failed).toEqual([]);
      expect(await table.store.alerts.pending()).toHaveLength(left);
    }
    const mails = await mailFrom(from);
    expect(mails).toHaveLength(3);
    const sent = mails.map((m) => parseDigestText(m.body.text ?? "").get("overdue") ?? []);
    expect(sent.flat().sort()).toEqual(["BOUND-0", "BOUND-1", "BOUND-2", "BOUND-3", "BOUND-4"]);
    const first = mails.find((m) => m.body.text?.includes("Còn 3 cảnh báo khác sẽ gửi trong thư sau"));
    expect(
      parseDigestText(first?.body.text ?? "")
        .get("overdue")
        ?.sort(),
    ).toEqual(["BOUND-0", "BOUND-1"]);
    expect(mails.filter((m) => m.body.text?.includes("cảnh báo khác sẽ gửi trong thư sau"))).toHaveLength(2);
    await table.drop();
  }, 60_000);

  it("sends a second new appointment to the unit and to leadership, each in its own digest", async () => {
    const table = await testTable("extended-twice");
    await table.store.directory.put(directoryFile.units, directoryFile.leadership);
    let clock = instant("2022-07-04T09:00:00+07:00");
    const deps: ApplyDeps & SweepDeps = { ...table.store, settings, units, now: () => clock };
    const r = received("X-2", "phong-tu-phap");
    await applyEvent(deps, { ...r, data: { ...r.data, processingDays: 10 } } as DossierEvent);
    for (const [i, day] of ["2022-07-05", "2022-07-06"].entries())
      await applyEvent(deps, {
        eventId: `x-ext-${i}`,
        type: "dossier.deadline_extended",
        occurredAt: `${day}T09:00:00+07:00`,
        dossierId: "X-2",
        data: { newDueAt: `2022-07-2${i + 5}T17:00:00+07:00`, apologyIssued: true },
      });
    clock = instant("2022-07-06T10:00:00+07:00");
    await runSweep(deps);
    const from = `ext-twice+${randomUUID().slice(0, 8)}@ubnd.example.org`;
    expect((await sendDigests(digestDeps(table, from, () => clock))).failed).toEqual([]);
    const byReader = new Map(
      (await mailFrom(from)).map((m) => [m.destination.to.join(","), parseDigestText(m.body.text ?? "")]),
    );
    expect(byReader.get("truong@tuphap.example.org,pho@tuphap.example.org")?.get("extended_twice")).toEqual([
      "X-2",
    ]);
    expect(
      byReader.get("chu-tich@ubnd.example.org,pho-chu-tich@ubnd.example.org")?.get("extended_twice"),
    ).toEqual(["X-2"]);
    // Each copy is sent once: nothing is left pending.
    expect(await table.store.alerts.pending()).toEqual([]);
    await table.drop();
  }, 60_000);

  it("sends leadership's digest to a list whose addresses pass a sort key's 1,024 bytes", async () => {
    const table = await testTable("long-list");
    const leadership = Array.from({ length: 30 }, (_, i) => ({
      name: `Lãnh đạo ${i + 1}`,
      email: `lanh-dao-uy-ban-nhan-dan-so-${String(i + 1).padStart(2, "0")}@ubnd.example.org`,
    }));
    // The unit's escalation list is the leadership's copy's readers.
    const unitsOf = directoryFile.units.map((u) =>
      u.id === "phong-tu-phap" ? { ...u, escalation: leadership } : u,
    );
    const many = new UnitDirectory(unitsOf, leadership);
    await table.store.directory.put(unitsOf, leadership);
    let clock = instant("2022-07-04T09:00:00+07:00");
    const deps: ApplyDeps & SweepDeps = { ...table.store, settings, units: many, now: () => clock };
    const r = received("X-3", "phong-tu-phap");
    await applyEvent(deps, { ...r, data: { ...r.data, processingDays: 10 } } as DossierEvent);
    for (const [i, day] of ["2022-07-05", "2022-07-06"].entries())
      await applyEvent(deps, {
        eventId: `x3-ext-${i}`,
        type: "dossier.deadline_extended",
        occurredAt: `${day}T09:00:00+07:00`,
        dossierId: "X-3",
        data: { newDueAt: `2022-07-2${i + 5}T17:00:00+07:00`, apologyIssued: true },
      });
    clock = instant("2022-07-06T10:00:00+07:00");
    await runSweep(deps);
    const from = `long-list+${randomUUID().slice(0, 8)}@ubnd.example.org`;
    expect(leadership.map((c) => c.email).join(",").length).toBeGreaterThan(1_024);
    expect((await sendDigests({ ...digestDeps(table, from, () => clock), units: many })).failed).toEqual([]);
    const sent = await mailFrom(from);
    expect(sent.filter((m) => m.destination.to.length === 30)).toHaveLength(1);
    expect(await table.store.alerts.pending()).toEqual([]);
    await table.drop();
  }, 60_000);

  it("escapes a <script> from an event in the HTML and keeps it intact in the text", async () => {
    const table = await testTable("xss");
    await table.store.directory.put(directoryFile.units, directoryFile.leadership);
    let clock = instant("2022-07-04T09:00:00+07:00");
    const deps: ApplyDeps & SweepDeps = { ...table.store, settings, units, now: () => clock };
    const evil = "<script>alert(1)</script>";
    await applyEvent(deps, {
      ...received(evil, "phong-tu-phap"),
      data: { ...received(evil, "phong-tu-phap").data, procedureCode: '"><img src=x onerror=alert(2)>' },
    } as DossierEvent);
    clock = instant("2022-07-07T09:00:00+07:00");
    await runSweep(deps);
    const from = `xss+${randomUUID().slice(0, 8)}@ubnd.example.org`;
    await sendDigests(digestDeps(table, from, () => clock));
    const [mail] = await mailFrom(from);
    expect(mail?.body.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(mail?.body.html).not.toContain("<script>");
    expect(mail?.body.html).not.toContain("<img");
    expect(mail?.body.text).toContain(evil);
    expect(mail?.body.text).toContain('"><img src=x onerror=alert(2)>');
    await table.drop();
  }, 60_000);

  it("writes Vietnamese with full diacritics, English for a recipient whose locale says so, and skips suppressed addresses", async () => {
    const table = await testTable("locale");
    await table.store.directory.put(directoryFile.units, directoryFile.leadership);
    let clock = instant("2022-07-04T09:00:00+07:00");
    const deps: ApplyDeps & SweepDeps = { ...table.store, settings, units, now: () => clock };
    await applyEvent(deps, received("L-1", "phong-tckh"));
    clock = instant("2022-07-06T16:00:00+07:00");
    await runSweep(deps);
    await table.store.suppression.suppress("pho@tckh.example.org", "bounce", clock);
    const from = `locale+${randomUUID().slice(0, 8)}@ubnd.example.org`;
    await sendDigests(digestDeps(table, from, () => clock));
    const mail = await mailFrom(from);
    const vi = mail.find((m) => m.destination.to.includes("truong@tckh.example.org"));
    const en = mail.find((m) => m.destination.to.includes("dkkd@tckh.example.org"));
    expect(vi?.subject).toContain("Phòng Tài chính – Kế hoạch");
    expect(vi?.body.text).toContain("Hồ sơ sắp đến hạn");
    expect(vi?.body.text).toContain("còn 1 giờ làm việc");
    expect(en?.body.text).toContain("Due soon");
    expect(mail.flatMap((m) => m.destination.to)).not.toContain("pho@tckh.example.org");
    await table.drop();
  }, 60_000);
});

describe("a sweep with its time nearly spent", () => {
  it("takes no more dossiers, and the next run takes those left, still due", async () => {
    const table = await testTable("sweep-budget");
    await table.store.directory.put(directoryFile.units, directoryFile.leadership);
    let clock = instant("2022-07-04T09:00:00+07:00");
    const deps: ApplyDeps & SweepDeps = { ...table.store, settings, units, now: () => clock };
    for (let i = 0; i < 5; i++) await applyEvent(deps, received(`S-${i}`, "phong-tnmt"));
    clock = instant("2022-07-06T17:30:00+07:00");
    // Time for two dossiers, then under the reserve.
    let asked = 0;
    const timeLeft = () => (++asked <= 2 ? 10 * SWEEP_RESERVE_MS : SWEEP_RESERVE_MS - 1);
    const first = await runSweep(deps, { concurrency: 1, timeLeft });
    expect(first).toMatchObject({ checked: 2, left: 3, failed: 0 });
    const second = await runSweep(deps);
    expect(second).toMatchObject({ checked: 3, failed: 0 });
    expect(second.left).toBeUndefined();
    expect((await runSweep(deps)).checked).toBe(0);
    await table.drop();
  }, 60_000);
});

describe("the scheduled functions", () => {
  /** sweep-deadlines and send-alerts over `table` at the clock `now` reads, the sweep's notices kept. */
  async function scheduled(table: Table, now: () => number) {
    Object.assign(process.env, {
      TABLE_NAME: "unused",
      EVENT_BUS_NAME: "unused",
      SENDER_ADDRESS: "canh-bao@ubnd.example.org",
    });
    const [sweepFn, sendFn] = await Promise.all([
      import("../../functions/sweep-deadlines"),
      import("../../functions/send-alerts"),
    ]);
    const silent = () => [new Logger({ logLevel: "SILENT" }), new Metrics({ namespace: "test" })] as const;
    const published: { source: string; detailType: string }[] = [];
    const sweep = sweepFn.createHandler(
      { ...table.store, settings, now },
      async (entries) => {
        published.push(...entries);
        return { failed: [] };
      },
      ...silent(),
    );
    const from = `fns+${randomUUID().slice(0, 8)}@ubnd.example.org`;
    const { units: _units, ...sendDeps } = digestDeps(table, from, now);
    const send = sendFn.createHandler(sendDeps, ...silent());
    return { sweep: () => sweep({}, {} as never), send: () => send({}, {} as never), published, from };
  }

  it("sweep-deadlines tells send-alerts through the bus, and send-alerts sends the digest", async () => {
    const table = await testTable("fns");
    await table.store.directory.put(directoryFile.units, directoryFile.leadership);
    let clock = instant("2022-07-04T09:00:00+07:00");
    await applyEvent({ ...table.store, settings, units, now: () => clock }, received("H-1", "phong-qldt"));
    clock = instant("2022-07-07T09:00:00+07:00");
    const { sweep, send, published, from } = await scheduled(table, () => clock);
    const result = await sweep();
    expect(result.raised).toBeGreaterThan(0);
    expect(published).toEqual([
      expect.objectContaining({ source: "dossier-monitor.sweep", detailType: "alerts.pending" }),
    ]);
    const sent = await send();
    expect(sent.sent.map((s) => s.group)).toContain("unit:phong-qldt");
    expect((await mailFrom(from)).map((m) => m.destination.to)).toContainEqual([
      "truong@qldt.example.org",
      "pho@qldt.example.org",
    ]);
    await table.drop();
  }, 60_000);

  it("holds the digests while the office is closed, and drops the alerts of dossiers a nightly sync closed", async () => {
    const table = await testTable("held");
    await table.store.directory.put(directoryFile.units, directoryFile.leadership);
    let clock = instant("2022-07-04T09:00:00+07:00");
    const deps = { ...table.store, settings, units, now: () => clock };
    for (const id of ["HELD-OPEN", "HELD-NIGHT"]) await applyEvent(deps, received(id, "phong-qldt"));
    const { sweep, send, published } = await scheduled(table, () => clock);
    const pendingOf = async (id: string) =>
      (await table.store.alerts.pending())
        .filter((a) => a.dossier.dossierId === id)
        .map((a) => a.kind)
        .sort();
    // Due Wednesday 17:00 (2 working days from Monday): near due and the apology coming due by
    // Tuesday's close, the office's close too: raised, not sent.
    clock = instant("2022-07-05T17:00:00+07:00");
    expect((await sweep()).raised).toBe(4);
    // (the apology coming due goes to the unit and to its one-stop desk)
    expect(await pendingOf("HELD-NIGHT")).toEqual(["apology_due", "apology_due", "near_due"]);
    expect(published).toEqual([]);
    // That night the unit's software reports one resolved at 16:30: its alert is dropped unsent.
    clock = instant("2022-07-05T22:00:00+07:00");
    await applyEvent(deps, {
      eventId: "z-HELD-NIGHT",
      type: "dossier.resolved",
      occurredAt: "2022-07-05T16:30:00+07:00",
      dossierId: "HELD-NIGHT",
      data: { outcome: "approved" },
    });
    await sweep();
    expect(published).toEqual([]);
    expect(await pendingOf("HELD-NIGHT")).toEqual([]);
    // send-alerts run at night all the same (a late retry, a notice from elsewhere) sends nothing.
    expect(await send()).toEqual({ sent: [], failed: [], inPlaceOfUnit: [] });
    expect(await pendingOf("HELD-OPEN")).toEqual([
      "apology_due",
      "apology_due",
      "apology_missed",
      "apology_missed",
      "near_due",
    ]);
    // A minute before the opening, still held; at the opening the open one's digest is asked for.
    clock = instant("2022-07-06T06:59:00+07:00");
    await sweep();
    expect(published).toEqual([]);
    clock = instant("2022-07-06T07:00:00+07:00");
    await sweep();
    expect(published).toEqual([expect.objectContaining({ detailType: "alerts.pending" })]);
    // Everything the night raised for the open one goes, with the opening's send: its apology was
    // missed at Tuesday's close.
    const sent = await send();
    expect(sent.sent.map((s) => s.group)).toContain("unit:phong-qldt");
    expect(await pendingOf("HELD-OPEN")).toEqual([]);
    // With nothing left pending, the next open sweep asks for no digest.
    clock = instant("2022-07-06T07:15:00+07:00");
    await sweep();
    expect(published).toHaveLength(1);
    await table.drop();
  }, 60_000);
});

describe("the digest renderer", () => {
  it("says what the rules require next, per section", () => {
    const email = renderDigest({
      locale: "vi",
      unitName: "Phòng Tư pháp",
      now: instant("2022-07-07T09:00:00+07:00"),
      calendar: settings.calendar,
      alerts: [
        {
          unitId: "phong-tu-phap",
          kind: "apology_missed",
          key: 1,
          raisedAt: 1,
          dossier: {
            dossierId: "D-1",
            receivedAt: instant("2022-07-01T09:00:00+07:00"),
            kpiDueAt: instant("2022-07-06T17:00:00+07:00"),
            apologyIssued: false,
            extensions: 0,
          },
        },
      ],
    });
    // What to do names the document of the dossier's rule set (received 2022: Decree 61/2018).
    expect(email.text).toContain("Đã qua hạn xin lỗi");
    expect(email.text).toContain("phiếu xin lỗi và hẹn lại ngày trả kết quả");
    // Its time counts from the apology deadline (Tue 17:00, the close of the working day before
    // the due day), not from the due instant: a full Wednesday and two hours of Thursday.
    expect(email.text).toContain("quá hạn gửi văn bản xin lỗi 1,3 ngày làm việc (hạn 05/07/2022 17:00)");
    expect(email.html).not.toMatch(/<script|src="http/);
  });

  it("counts an apology coming due to the apology deadline, which it names, not to the due instant", () => {
    const render = (locale: "vi" | "en") =>
      renderDigest({
        locale,
        unitName: "Phòng Tư pháp",
        // Monday 13:30; due Wednesday 17:00, the letter by Tuesday 17:00.
        now: instant("2022-07-04T13:30:00+07:00"),
        calendar: settings.calendar,
        alerts: [
          {
            unitId: "phong-tu-phap",
            kind: "apology_due",
            key: 1,
            raisedAt: 1,
            dossier: {
              dossierId: "D-9",
              receivedAt: instant("2022-07-01T09:00:00+07:00"),
              kpiDueAt: instant("2022-07-06T17:00:00+07:00"),
              apologyIssued: false,
              extensions: 0,
            },
          },
        ],
      });
    // 3,5 hours on Monday and Tuesday's 8: 1,4 working days, not the 2,4 left to the due instant.
    expect(render("vi").text).toContain(
      "còn 1,4 ngày làm việc đến hạn gửi văn bản xin lỗi (05/07/2022 17:00)",
    );
    expect(render("en").text).toContain("1.4 working days left to the apology deadline (05/07/2022 17:00)");
    expect(render("en").subject).toContain("1 dossier needs attention");
  });

  it("says a dossier past its deadline by less than it can show is past, never due now (the opening's digest)", () => {
    const dossier = {
      dossierId: "D-8",
      receivedAt: instant("2022-07-01T09:00:00+07:00"),
      kpiDueAt: instant("2022-07-05T17:00:00+07:00"),
      apologyIssued: false,
      extensions: 0,
    };
    const render = (locale: "vi" | "en") =>
      renderDigest({
        locale,
        unitName: "Phòng Tư pháp",
        // Wednesday's opening: no working time since Tuesday's 17:00.
        now: instant("2022-07-06T07:00:00+07:00"),
        calendar: settings.calendar,
        alerts: [
          { unitId: "phong-tu-phap", kind: "overdue", key: 0, raisedAt: 1, dossier },
          {
            unitId: "phong-tu-phap",
            kind: "apology_missed",
            key: 1,
            raisedAt: 1,
            dossier: { ...dossier, kpiDueAt: instant("2022-07-06T17:00:00+07:00") },
          },
        ],
      });
    const vi = render("vi").text;
    expect(vi).toContain("quá hạn từ 05/07/2022 17:00");
    expect(vi).toContain("đã qua hạn gửi văn bản xin lỗi (05/07/2022 17:00)");
    expect(vi).not.toContain("đến hạn");
    const en = render("en").text;
    expect(en).toContain("overdue since 05/07/2022 17:00");
    expect(en).toContain("apology deadline passed (05/07/2022 17:00)");
    expect(en).not.toContain("due now");
  });

  it("renders a line whose due date is in a year without calendar data, saying so, with the others", () => {
    const dossier = (id: string, due: string) => ({
      dossierId: id,
      receivedAt: instant("2022-07-01T09:00:00+07:00"),
      kpiDueAt: instant(due),
      apologyIssued: false,
      extensions: 0,
    });
    const alert = (id: string, due: string) => ({
      unitId: "phong-tu-phap",
      kind: "overdue" as const,
      key: 0,
      raisedAt: 1,
      dossier: dossier(id, due),
    });
    const render = (locale: "vi" | "en") =>
      renderDigest({
        locale,
        unitName: "Phòng Tư pháp",
        now: instant("2022-07-07T09:00:00+07:00"),
        calendar: settings.calendar,
        // An imported backlog's dossier due in 2015, which the calendar has no data for.
        alerts: [alert("D-OLD", "2015-03-02T17:00:00+07:00"), alert("D-NOW", "2022-07-06T17:00:00+07:00")],
      });
    const vi = render("vi");
    expect(vi.text).toContain("chưa tính được thời gian (chưa có lịch làm việc năm 2015)");
    expect(vi.text).toContain("quá hạn 2 giờ làm việc");
    expect(render("en").text).toContain("time not counted (no working-day calendar for 2015)");
  });
});
