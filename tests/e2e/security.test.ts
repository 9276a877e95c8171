/**
 * What a holder of one key might try against another's data or the numbers, each tried over real
 * HTTP on the local stack with two integration keys and a reader key, and each refused or contained. At the end the
 * KPIs the API serves still equal a recomputation from the events the table stored.
 * (Role crossings, scoped readers and fake units are in local-stack.test.ts.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DemoClock, startLocalStack } from "../../dev/local/stack";
import type { LocalStack } from "../../dev/local/stack-options";
import { SEED_PERIOD } from "../../dev/scenarios/seed-2022-q3";
import { decodeLog } from "../../lib/adapters/dynamodb/log-codec";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { computeReport, type Report } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory } from "../../lib/domain/units";
import { createApiKey } from "../../lib/http/auth";
import { kpiView } from "../helpers/compare";
import { dvcqgSnapshot, ROOT } from "../helpers/fixtures";

const settings = {
  calendar: WorkingCalendar.official(),
  catalog: catalogOf(),
  scheme: { kind: "explicit" as const, windows: [SEED_PERIOD] },
};
/** The demo integration owns the province's dossier codes: nobody else may create one. */
const PREFIX = "000.30.32.H48-";
const sample = JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8"));
const directory = parseUnitDirectory({
  ...sample,
  integrations: [{ source: "mot-cua-tinh", dossierPrefixes: [PREFIX] }],
});
const UNIT = "phong-tnmt";
const at = "2022-07-01T08:00:00+07:00";

let stack: LocalStack;
let a = "";
let b = "";
let reader = "";

async function call(method: "GET" | "POST", path: string, key: string, body?: unknown) {
  const res = await fetch(`${stack.urls.api}${path}`, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, bytes: Buffer.byteLength(text), json: JSON.parse(text || "{}") };
}
const post = (key: string, body: unknown) => call("POST", "/events", key, body);

const received = (eventId: string, dossierId: string, data: Record<string, unknown> = {}) => ({
  eventId,
  type: "dossier.received",
  occurredAt: at,
  dossierId,
  data: { unitId: UNIT, procedureCode: "1.001990", channel: "direct", processingDays: 5, ...data },
});
const rated = (
  eventId: string,
  dossierId: string,
  score: number,
  occurredAt = "2022-07-01T09:00:00+07:00",
) => ({
  eventId,
  type: "dossier.rated",
  occurredAt,
  dossierId,
  data: { score },
});

async function quarantined(dossierId: string) {
  const items = [];
  let cursor: string | undefined;
  do {
    const page = await call("GET", `/quarantine?limit=200${cursor ? `&cursor=${cursor}` : ""}`, reader);
    expect(page.status).toBe(200);
    items.push(...(page.json.items as { dossierId?: string; reason: string; source?: string }[]));
    cursor = page.json.cursor ?? undefined;
  } while (cursor);
  return items.filter((q) => q.dossierId === dossierId);
}

beforeAll(async () => {
  stack = await startLocalStack({
    env: { PERIOD_SCHEME: JSON.stringify(settings.scheme) },
    clock: new DemoClock(instant("2022-07-04T07:00:00+07:00"), 1),
    directory,
    senderAddress: `security-${Date.now()}@ubnd.example.org`,
    dynamoEndpoint: inject("dynamoEndpoint"),
    sesEndpoint: inject("sesEndpoint"),
    tableName: `security-${Date.now()}`,
    seed: true,
    replaySeed: false,
    logLevel: "SILENT",
  });
  ({ integration: a, reader } = stack.keys as { integration: string; reader: string });
  b = await createApiKey(stack.store, {
    name: "iGate B",
    role: "integration",
    source: "igate-b",
    ratePerSecond: 50,
  });
}, 120_000);
afterAll(async () => stack?.stop());

describe("what one integration may do to another's dossiers, over HTTP", () => {
  it("refuses B's resolved and ratings on A's dossier: A's KPIs do not move", async () => {
    const id = `${PREFIX}SEC-1`;
    expect((await post(a, received("a-1", id))).status).toBe(200);
    await stack.drain();
    const attack = [
      {
        eventId: "b-1",
        type: "dossier.resolved",
        occurredAt: at,
        dossierId: id,
        data: { outcome: "approved" },
      },
      ...[1, 2, 3, 4, 5].map((n) => rated(`b-r${n}`, id, 1)),
    ];
    // The API cannot know whose dossier it is; the consumer refuses them, with the reason kept.
    expect((await post(b, { events: attack })).status).toBe(200);
    await stack.drain();
    const { dossier } = await stack.store.dossiers.getWithLog(id);
    expect(dossier?.resolvedAt).toBeUndefined();
    expect(dossier?.owner).toBe("mot-cua-tinh");
    const refused = await quarantined(id);
    expect(refused).toHaveLength(6);
    for (const q of refused) {
      expect(q.source).toBe("igate-b");
      expect(q.reason).toMatch(/belongs to another integration/);
    }
  });

  it("refuses B pre-claiming one of A's predictable dossier ids; A's real receipt is then applied", async () => {
    const id = `${PREFIX}SEC-2`;
    // B tries first, with a due date months later (the dossier could never be overdue).
    const claim = received("dvcqg:sec-2:received", id, { dueAt: "2022-12-30T17:00:00+07:00" });
    expect((await post(b, claim)).status).toBe(200);
    await stack.drain();
    expect((await stack.store.dossiers.getWithLog(id)).dossier).toBeUndefined();
    expect((await quarantined(id)).map((q) => q.reason)).toEqual([
      expect.stringMatching(/prefix granted to another integration/),
    ]);
    // The real sync, under the same event id: not a duplicate of B's, since identity has a source.
    const real = received("dvcqg:sec-2:received", id);
    const answer = await post(a, real);
    expect(answer.json.results).toEqual([expect.objectContaining({ status: "accepted" })]);
    await stack.drain();
    const { dossier } = await stack.store.dossiers.getWithLog(id);
    expect(dossier?.owner).toBe("mot-cua-tinh");
    expect(dossier?.kpiDueAt).toBe(instant("2022-07-08T17:00:00+07:00"));
  });

  it("holds B to the same rule on the portal's route: a snapshot of A's dossier changes nothing of it", async () => {
    const code = `${PREFIX}SEC-DVCQG`;
    const snapshot = (status: string, extra: Record<string, unknown> = {}) =>
      dvcqgSnapshot(code, { DonViXuLy: UNIT, TrangThaiHoSo: status, ...extra });
    // B first, claiming the code with a later due date, then A's real receipt, then B resolving it.
    const claim = await call(
      "POST",
      "/integrations/dvcqg",
      b,
      snapshot("2", { NgayHenTra: "20221230170000" }),
    );
    expect(claim.status).toBe(200);
    await stack.drain();
    expect((await stack.store.dossiers.getWithLog(code)).dossier).toBeUndefined();
    expect((await call("POST", "/integrations/dvcqg", a, snapshot("2"))).status).toBe(200);
    await stack.drain();
    const resolve = await call(
      "POST",
      "/integrations/dvcqg",
      b,
      snapshot("9", { NgayKetThucXuLy: "20220701150000" }),
    );
    // Accepted by the API, which cannot know whose dossier it is; the consumer refuses it.
    expect(resolve.status).toBe(200);
    await stack.drain();
    const { dossier } = await stack.store.dossiers.getWithLog(code);
    expect(dossier?.owner).toBe("mot-cua-tinh");
    expect(dossier?.kpiDueAt).toBe(instant("2022-07-08T17:00:00+07:00"));
    expect(dossier?.resolvedAt).toBeUndefined();
    const refused = await quarantined(code);
    // B's claim (a prefix granted to A) and B's resolution (A's dossier), each kept with its reason.
    expect(refused.map((q) => q.reason)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/prefix granted to another integration/),
        expect.stringMatching(/belongs to another integration/),
      ]),
    );
    for (const q of refused) {
      expect(q.source).toBe("igate-b");
      expect(q.reason).toMatch(/another integration/);
    }
  });

  it("keeps a second body under an event id as a conflict, never a silent duplicate", async () => {
    const id = `${PREFIX}SEC-1`;
    expect((await post(a, rated("a-rating", id, 5))).json.results[0].status).toBe("accepted");
    await stack.drain();
    expect((await post(a, rated("a-rating", id, 5))).json.results[0].status).toBe("duplicate");
    expect((await post(a, rated("a-rating", id, 1))).status).toBe(200);
    await stack.drain();
    const { log } = await stack.store.dossiers.getWithLog(id);
    expect(
      log.filter((e) => e.eventId === "a-rating").map((e) => (e.data as { score: number }).score),
    ).toEqual([5]);
    expect((await quarantined(id)).filter((q) => q.reason.startsWith("conflict"))).toHaveLength(1);
  });

  it("bounds what a body may carry: timestamps, processing times, look-alike ids, error bodies", async () => {
    const long = await post(a, {
      ...received("a-long", `${PREFIX}SEC-L`),
      occurredAt: `2022-07-01T08:00:00.${"1".repeat(200_000)}+07:00`,
    });
    expect(long.status).toBe(400);
    expect(long.json.results[0].problems).toEqual([expect.objectContaining({ path: "occurredAt" })]);
    const tiny = await post(a, received("a-tiny", `${PREFIX}SEC-T`, { processingDays: 1e-300 }));
    expect(tiny.status).toBe(400);
    expect(tiny.json.results[0].problems).toEqual([expect.objectContaining({ path: "data.processingDays" })]);
    const noisy = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`x${i.toString(36)}`, 0]));
    const big = await post(a, { ...received("a-noisy", `${PREFIX}SEC-N`), ...noisy });
    expect(big.status).toBe(400);
    expect(big.bytes).toBeLessThan(64 * 1024);
    // A trailing space is the same dossier, not a new one.
    expect((await post(a, rated("a-space", `${PREFIX}SEC-1 `, 4))).json.results[0].status).toBe("accepted");
    await stack.drain();
    const { log } = await stack.store.dossiers.getWithLog(`${PREFIX}SEC-1`);
    expect(log.map((e) => e.eventId)).toContain("a-space");
  });

  it("holds the portal route to the event limit, and applies 100 events of one dossier exactly once", async () => {
    const supplements = Array.from({ length: 10 }, (_, i) => ({
      NgayBoSung: `202207${String(i + 4).padStart(2, "0")}090000`,
      NgayTiepNhanBoSung: `202207${String(i + 4).padStart(2, "0")}150000`,
    }));
    const dossiers = Array.from({ length: 40 }, (_, i) => ({
      MaHoSo: `${PREFIX}P${i}`,
      MaTTHC: "1.001990",
      DonViXuLy: UNIT,
      NgayTiepNhan: "20220701080000",
      NgayHenTra: "20220708170000",
      TrangThaiHoSo: "4",
      DanhSachHoSoBoSung: supplements,
    }));
    const portal = await call("POST", "/integrations/dvcqg", a, {
      service: "DongBoHoSoMC",
      madonvi: "000.30.32.H48",
      isUpdating: false,
      data: dossiers,
    });
    expect(portal.status).toBe(413);
    const id = `${PREFIX}SEC-100`;
    const many: DossierEvent[] = [
      received("m-0", id) as DossierEvent,
      ...Array.from(
        { length: 99 },
        (_, i) =>
          rated(
            `m-${i + 1}`,
            id,
            1 + (i % 5),
            `2022-07-01T${String(9 + Math.floor(i / 60)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:00+07:00`,
          ) as DossierEvent,
      ),
    ];
    const answer = await post(a, { events: many });
    expect(answer.json.accepted).toBe(100);
    await stack.drain();
    const { log } = await stack.store.dossiers.getWithLog(id);
    expect(stack.deadLetters()).toBe(0);
    expect(new Set(log.map((e) => e.eventId)).size).toBe(100);
    expect(log).toHaveLength(100);
  }, 120_000);

  it("serves KPIs equal to a recomputation from the events the table stored", async () => {
    const items = await stack.store.client.send(new ScanCommand({ TableName: stack.tableName }));
    let page = items;
    const stored: DossierEvent[] = [];
    for (;;) {
      // Each dossier item holds its log (`z1`, compressed).
      for (const item of page.Items ?? [])
        if (item.sk === "DOSSIER" && item.z1 instanceof Uint8Array)
          stored.push(...decodeLog(String(item.pk).slice(2), item.z1));
      if (!page.LastEvaluatedKey) break;
      page = await stack.store.client.send(
        new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: page.LastEvaluatedKey }),
      );
    }
    expect(stored.length).toBeGreaterThan(100);
    const served = await call("GET", `/kpis?period=${SEED_PERIOD.name}`, reader);
    expect(served.status).toBe(200);
    expect(kpiView(served.json as Report)).toEqual(
      kpiView(computeReport(stored, settings, { period: SEED_PERIOD, asOf: stack.clock.now() })),
    );
  });
});
