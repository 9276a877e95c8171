import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { localSesClient } from "../../dev/local/ses-local";
import { sesMailer } from "../../lib/adapters/ses";
import { type ApplyDeps, applyEvent } from "../../lib/app/apply";
import { sendDigests } from "../../lib/app/digests";
import { runSweep, type SweepDeps } from "../../lib/app/sweep";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import type { CountingSettings } from "../../lib/domain/counting";
import { formatInstant, instant } from "../../lib/domain/time";
import { parseUnitDirectory, UnitDirectory } from "../../lib/domain/units";
import { createApiKey } from "../../lib/http/auth";
import { handleQuery } from "../../lib/http/query-api";
import { apiGet } from "../helpers/api";
import { testTable } from "../helpers/dynamo";
import { ROOT } from "../helpers/fixtures";

/**
 * A dossier's timeline in GET /dossiers/{id}: the alerts raised for it (docs/rules.md R4), with when
 * the sweep raised them and, once its digest went out, when it was sent — kept after the pending
 * alerts are deleted. On DynamoDB Local.
 */
const settings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  catalog: catalogOf(),
  scheme: { kind: "calendar-quarter" },
};
const file = parseUnitDirectory(JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")));
const units = new UnitDirectory(file.units, file.leadership);

let table: Awaited<ReturnType<typeof testTable>>;
let clock = instant("2022-07-04T09:00:00+07:00");
let deps: ApplyDeps & SweepDeps;
let reader = "";
let scoped = "";
beforeAll(async () => {
  table = await testTable("dossier-alerts");
  await table.store.directory.put(file.units, file.leadership);
  deps = { ...table.store, settings, units, now: () => clock };
  reader = await createApiKey(table.store, { name: "r", role: "reader", source: "r", ratePerSecond: 100 });
  scoped = await createApiKey(table.store, {
    name: "s",
    role: "reader",
    source: "s",
    ratePerSecond: 100,
    units: ["phong-tnmt"],
  });
});
afterAll(async () => table.drop());

const detail = async (key: string, id = "AL-1") => {
  const queryDeps = {
    ...table.store,
    calendar: settings.calendar,
    scheme: settings.scheme,
    units,
    now: () => clock,
  };
  const out = await handleQuery(queryDeps, apiGet(`/dossiers/${id}`, {}, key));
  return { status: out.statusCode, body: JSON.parse(out.body ?? "{}") };
};
/**
 * The requests `read` sends to dossiers' partitions (`D#…`): each one's command and key condition,
 * with how many items it answered.
 */
async function dossierReads(read: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const name = `dossier-reads-${randomUUID()}`;
  table.client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      const input = (args as unknown as { input: Record<string, unknown> }).input;
      const pk = (input.ExpressionAttributeValues as Record<string, { S?: string }> | undefined)?.[":pk"]?.S;
      const items = (out.output as { Items?: unknown[] }).Items;
      if (pk?.startsWith("D#"))
        sent.push(`${context.commandName} ${input.KeyConditionExpression}: ${items?.length} items`);
      return out;
    },
    { step: "build", name },
  );
  try {
    await read();
  } finally {
    table.client.middlewareStack.remove(name);
  }
  return sent;
}
type Shown = { kind: string; unitId?: string; raisedAt: string; sentAt?: string; deskSentAt?: string };
const alertOf = (body: { alerts: Shown[] }, kind: string) => body.alerts.find((a) => a.kind === kind);

describe("a dossier's alerts in its timeline", () => {
  it("shows near_due and overdue with when they were raised, and after the digest when it was sent", async () => {
    await applyEvent(deps, {
      eventId: "r-AL-1",
      type: "dossier.received",
      occurredAt: "2022-07-04T08:00:00+07:00",
      dossierId: "AL-1",
      data: {
        unitId: "phong-tu-phap",
        procedureCode: "1.001193",
        channel: "direct",
        dueAt: "2022-07-14T17:00:00+07:00",
      },
    });
    expect((await detail(reader)).body.alerts).toEqual([]);

    // Two working days before Thu 17:00: near due; the day after: overdue.
    const nearAt = instant("2022-07-12T17:15:00+07:00");
    const overAt = instant("2022-07-15T09:00:00+07:00");
    for (const at of [nearAt, overAt]) {
      clock = at;
      await runSweep(deps);
    }
    const raised = (await detail(reader)).body;
    expect(alertOf(raised, "near_due")).toEqual({
      kind: "near_due",
      unitId: "phong-tu-phap",
      raisedAt: formatInstant(nearAt),
    });
    expect(alertOf(raised, "overdue")).toEqual({
      kind: "overdue",
      unitId: "phong-tu-phap",
      raisedAt: formatInstant(overAt),
    });

    clock = instant("2022-07-15T09:05:00+07:00");
    const result = await sendDigests({
      ...table.store,
      mailer: sesMailer(localSesClient(inject("sesEndpoint"))),
      calendar: settings.calendar,
      units,
      from: `alerts+${randomUUID().slice(0, 8)}@ubnd.example.org`,
      now: () => clock,
      owner: randomUUID(),
    });
    expect(result.failed).toEqual([]);
    expect(await table.store.alerts.pending()).toEqual([]);
    const sent = (await detail(reader)).body;
    expect(alertOf(sent, "near_due")).toMatchObject({
      raisedAt: formatInstant(nearAt),
      sentAt: formatInstant(clock),
    });
    expect(alertOf(sent, "overdue")).toMatchObject({
      raisedAt: formatInstant(overAt),
      sentAt: formatInstant(clock),
    });
    // Raised in order; each kind once.
    expect(sent.alerts.map((a: Shown) => a.raisedAt)).toEqual(
      [...sent.alerts.map((a: Shown) => a.raisedAt)].sort(),
    );
    // A key of another unit sees neither the dossier nor its alerts.
    expect((await detail(scoped)).status).toBe(404);
  });

  it("lists every kind an event was flagged with: a second supplement request after the due instant is both", async () => {
    const at = (t: string) => `${t}+07:00`;
    const events = [
      {
        eventId: "an-r",
        type: "dossier.received",
        occurredAt: at("2022-07-04T08:00:00"),
        data: {
          unitId: "phong-tnmt",
          procedureCode: "1.004227",
          channel: "direct",
          dueAt: at("2022-07-08T17:00:00"),
        },
      },
      {
        eventId: "an-s1",
        type: "dossier.supplement_requested",
        occurredAt: at("2022-07-05T09:00:00"),
        data: {},
      },
      {
        eventId: "an-a1",
        type: "dossier.supplement_received",
        occurredAt: at("2022-07-05T10:00:00"),
        data: {},
      },
      {
        eventId: "an-s2",
        type: "dossier.supplement_requested",
        occurredAt: at("2022-07-12T09:00:00"),
        data: {},
      },
    ];
    for (const e of events) await applyEvent(deps, { ...e, dossierId: "AN-1" } as never);
    const { status, body } = await detail(reader, "AN-1");
    expect(status).toBe(200);
    const second = (body.timeline as { eventId: string; anomaly?: string; anomalies?: string[] }[]).find(
      (e) => e.eventId === "an-s2",
    );
    expect(second?.anomalies?.sort()).toEqual(["late_supplement_request", "second_supplement_request"]);
    expect(second?.anomaly).toBeDefined();
  });

  it("shows a transferred dossier to the unit it was transferred to, and no longer to the one it left", async () => {
    const justice = await createApiKey(table.store, {
      name: "tp",
      role: "reader",
      source: "tp",
      ratePerSecond: 100,
      units: ["phong-tu-phap"],
    });
    await applyEvent(deps, {
      eventId: "r-AL-2",
      type: "dossier.received",
      occurredAt: "2022-07-04T08:00:00+07:00",
      dossierId: "AL-2",
      data: { unitId: "phong-tu-phap", procedureCode: "1.001193", channel: "direct" },
    });
    expect((await detail(justice, "AL-2")).status).toBe(200);
    expect((await detail(scoped, "AL-2")).status).toBe(404);
    // Another unit's dossier costs the one small read of a dossier never stored: its log and alerts
    // are not read, so the answer's time does not tell that it exists.
    const outside = await dossierReads(() => detail(scoped, "AL-2"));
    expect(outside).toEqual(["QueryCommand pk = :pk AND sk = :sk: 1 items"]);
    const never = await dossierReads(() => detail(scoped, "NO-SUCH-DOSSIER"));
    expect(never).toEqual(["QueryCommand pk = :pk AND sk = :sk: 0 items"]);
    await applyEvent(deps, {
      eventId: "t-AL-2",
      type: "dossier.transferred",
      occurredAt: "2022-07-04T10:00:00+07:00",
      dossierId: "AL-2",
      data: { toUnitId: "phong-tnmt" },
    });
    expect((await detail(scoped, "AL-2")).status).toBe(200);
    const left = await detail(justice, "AL-2");
    expect(left).toEqual(await detail(justice, "NO-SUCH-DOSSIER"));
    expect(left.status).toBe(404);
  });

  it("tells the unit an overdue dossier is transferred to, once, and not of the breaches the unit it left committed", async () => {
    clock = instant("2022-07-04T09:00:00+07:00");
    await applyEvent(deps, {
      eventId: "r-AL-3",
      type: "dossier.received",
      occurredAt: "2022-07-04T08:00:00+07:00",
      dossierId: "AL-3",
      data: {
        unitId: "phong-tu-phap",
        procedureCode: "1.001193",
        channel: "direct",
        dueAt: "2022-07-14T17:00:00+07:00",
      },
    });
    // Overdue at the justice office, which then asks for a supplement after the due instant
    // (a breach of its own), and is told of both.
    clock = instant("2022-07-15T09:00:00+07:00");
    await runSweep(deps);
    await applyEvent(deps, {
      eventId: "p-AL-3",
      type: "dossier.supplement_requested",
      occurredAt: "2022-07-15T10:00:00+07:00",
      dossierId: "AL-3",
      data: {},
    });
    await applyEvent(deps, {
      eventId: "q-AL-3",
      type: "dossier.supplement_received",
      occurredAt: "2022-07-15T11:00:00+07:00",
      dossierId: "AL-3",
      data: {},
    });
    clock = instant("2022-07-15T11:30:00+07:00");
    await runSweep(deps);
    const pendingFor = async (dossierId: string) =>
      (await table.store.alerts.pending())
        .filter((a) => a.dossier.dossierId === dossierId)
        .map((a) => `${a.unitId} ${a.kind}${a.recipient ? ` ${a.recipient}` : ""}`)
        .sort();
    const atJustice = [
      "phong-tu-phap apology_missed",
      "phong-tu-phap apology_missed one_stop_desk",
      "phong-tu-phap late_supplement_request",
      "phong-tu-phap late_supplement_request one_stop_desk",
      "phong-tu-phap overdue",
    ];
    expect(await pendingFor("AL-3")).toEqual(atJustice);

    // Transferred on: the environment office now handles an overdue dossier, and is told so.
    await applyEvent(deps, {
      eventId: "t-AL-3",
      type: "dossier.transferred",
      occurredAt: "2022-07-15T14:00:00+07:00",
      dossierId: "AL-3",
      data: { toUnitId: "phong-tnmt" },
    });
    clock = instant("2022-07-15T14:30:00+07:00");
    await runSweep(deps);
    // The missed apology is still owed by whoever holds the dossier; the late request stays the
    // justice office's. The one-stop desk, the same people for both offices, is not told again.
    const atEnvironment = ["phong-tnmt apology_missed", "phong-tnmt overdue"];
    expect(await pendingFor("AL-3")).toEqual([...atEnvironment, ...atJustice]);
    // Once: a later sweep raises it for neither unit again, nor does a transfer back to the justice
    // office (told already), nor a transfer that names the unit the dossier is with.
    clock = instant("2022-07-15T16:00:00+07:00");
    await runSweep(deps);
    for (const [eventId, toUnitId] of [
      ["t-AL-3-back", "phong-tu-phap"],
      ["t-AL-3-same", "phong-tu-phap"],
    ] as const) {
      await applyEvent(deps, {
        eventId,
        type: "dossier.transferred",
        occurredAt: "2022-07-15T16:10:00+07:00",
        dossierId: "AL-3",
        data: { toUnitId },
      });
      // Nothing to raise, so nothing fails: an alert raised again under the key of one still
      // pending would fail the dossier's check.
      expect((await runSweep(deps)).failed).toBe(0);
    }
    expect(await pendingFor("AL-3")).toEqual([...atEnvironment, ...atJustice]);
    // The timeline shows whom each was raised for.
    const shown = (await detail(reader, "AL-3")).body.alerts as Shown[];
    expect(shown.filter((a) => a.kind === "overdue").map((a) => a.unitId)).toEqual([
      "phong-tu-phap",
      "phong-tnmt",
    ]);
  });
});
