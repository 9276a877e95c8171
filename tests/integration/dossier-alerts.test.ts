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
type Shown = { kind: string; raisedAt: string; sentAt?: string; deskSentAt?: string };
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
    expect(alertOf(raised, "near_due")).toEqual({ kind: "near_due", raisedAt: formatInstant(nearAt) });
    expect(alertOf(raised, "overdue")).toEqual({ kind: "overdue", raisedAt: formatInstant(overAt) });

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
});
