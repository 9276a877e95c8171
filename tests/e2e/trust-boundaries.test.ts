import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readSesStore } from "../../dev/local/ses-local";
import type { LocalStack } from "../../dev/local/stack-options";
import { SEED_PERIOD } from "../../dev/scenarios/seed-2022-q3";
import { ROUTES } from "../../lib/contracts/routes";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory } from "../../lib/domain/units";
import { createApiKey } from "../../lib/http/auth";
import { startE2eStack } from "../helpers/e2e-stack";
import { ROOT } from "../helpers/fixtures";

// Every key holder gets exactly its role and its own data: each crossing tried over real HTTP on
// the local stack (the flows of a working day are in local-stack.test.ts).
let stack: LocalStack;
let keys: { integration: string; reader: string };
let sender = "";
let post: Awaited<ReturnType<typeof startE2eStack>>["post"];
let get: Awaited<ReturnType<typeof startE2eStack>>["get"];

/**
 * The seed's directory with one unit's name carrying a header injection and markup: the directory
 * is trusted (only the CLI writes it), but what a digest builds from it must still be one header
 * line and escaped HTML.
 */
const HOSTILE_NAME = 'Phòng TN&MT <b id="x">\r\nBcc: ke-gian@example.net';
const seedUnits = JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8"));
const directory = parseUnitDirectory({
  ...seedUnits,
  units: seedUnits.units.map((u: { id: string }) =>
    u.id === "phong-tnmt" ? { ...u, nameVi: HOSTILE_NAME } : u,
  ),
});

beforeAll(async () => {
  ({ stack, keys, sender, post, get } = await startE2eStack("trust", { directory }));
}, 120_000);
afterAll(async () => stack?.stop());

describe("trust boundaries over HTTP: every role crossing", () => {
  const at = "2022-07-01T08:00:00+07:00";
  const received = (eventId: string, dossierId: string, unitId: string) => ({
    eventId,
    type: "dossier.received",
    occurredAt: at,
    dossierId,
    data: { unitId, procedureCode: "1.001990", channel: "direct", processingDays: 5 },
  });
  let integrationB = "";
  let scoped = "";

  beforeAll(async () => {
    integrationB = await createApiKey(stack.store, {
      name: "iGate B",
      role: "integration",
      source: "igate-b",
      ratePerSecond: 50,
    });
    scoped = await createApiKey(stack.store, {
      name: "Phòng TN&MT dashboard",
      role: "reader",
      source: "dashboard-tnmt",
      ratePerSecond: 20,
      units: ["phong-tnmt"],
    });
    for (const [key, event] of [
      [keys.integration, received("tb-1", "TB-TNMT-1", "phong-tnmt")],
      [integrationB, received("tb-2", "TB-TUPHAP-1", "phong-tu-phap")],
    ] as const)
      expect((await post("/events", JSON.stringify(event), key)).status).toBe(200);
    await stack.drain();
  });

  it("answers 401 to anonymous calls and 403 to the wrong role, on every route", async () => {
    const sample = JSON.stringify(received("tb-x", "TB-X", "phong-tnmt"));
    for (const route of ROUTES.filter((r) => r.role !== "public")) {
      const path = route.path.replace("{id}", "TB-TNMT-1");
      if (route.method === "GET") {
        expect((await get(path)).status, path).toBe(401);
        for (const key of [keys.integration, integrationB]) {
          const res = await get(path, key);
          expect(res.status, path).toBe(403);
          expect(res.json.message).toMatch(/cannot read/);
        }
      } else {
        expect((await post(path, sample)).status, path).toBe(401);
        for (const key of [keys.reader, scoped])
          expect((await post(path, sample, key)).status, path).toBe(403);
      }
    }
  });

  it("shows a scoped reader its units only, and no quarantine", async () => {
    const own = await get(`/kpis?period=${SEED_PERIOD.name}`, scoped);
    expect(own.status).toBe(200);
    expect(own.json.unit).toBe("phong-tnmt");
    expect((own.json.byUnit as { unit: string }[]).map((u) => u.unit)).toEqual(["phong-tnmt"]);
    const other = await get(`/kpis?period=${SEED_PERIOD.name}&unit=phong-tu-phap`, scoped);
    expect(other.status).toBe(403);
    expect(other.json.problems).toEqual([expect.objectContaining({ path: "unit" })]);
    expect((await get(`/kpis/export?period=${SEED_PERIOD.name}&unit=phong-tu-phap`, scoped)).status).toBe(
      403,
    );
    expect((await get("/dossiers?unit=phong-tu-phap&sla=overdue", scoped)).status).toBe(403);
    // The national index of another unit is refused; its own is served. The form is the office's.
    const p = `period=${SEED_PERIOD.name}`;
    const index = await get(`/kpis/index?${p}&unit=phong-tu-phap`, scoped);
    expect(index.status).toBe(403);
    expect(index.json.problems).toEqual([expect.objectContaining({ path: "unit" })]);
    const ownIndex = await get(`/kpis/index?${p}`, scoped);
    expect(ownIndex.status).toBe(200);
    expect(ownIndex.json.unit).toBe("phong-tnmt");
    for (const path of [`/kpis/form?${p}`, `/kpis/form?${p}&unit=phong-tnmt`, "/quality", `/kpis/trend?${p}`])
      expect((await get(path, scoped)).status, path).toBe(403);
    expect((await get("/dossiers?unit=phong-tnmt&sla=overdue", scoped)).status).toBe(200);
    expect((await get("/dossiers/TB-TNMT-1", scoped)).status).toBe(200);
    // Another unit's dossier is answered as one that does not exist.
    const hidden = await get("/dossiers/TB-TUPHAP-1", scoped);
    expect(hidden).toEqual(await get("/dossiers/NO-SUCH-DOSSIER", scoped));
    expect(hidden.status).toBe(404);
    expect((await get("/dossiers/TB-TUPHAP-1", keys.reader)).status).toBe(200);
    expect((await get("/quarantine", scoped)).status).toBe(403);
    expect((await get("/quarantine", keys.reader)).status).toBe(200);
  });

  it("answers 400 naming id to an id that is not percent-encoded, and finds a look-alike's dossier", async () => {
    const bad = await get("/dossiers/%", keys.reader);
    expect(bad.status).toBe(400);
    expect(bad.json.problems).toEqual([expect.objectContaining({ path: "id" })]);
    expect((await get(`/dossiers/${encodeURIComponent("TB-TNMT-1 ")}`, keys.reader)).status).toBe(200);
  });

  it("refuses units missing from the directory, so no fake unit reaches an email header", async () => {
    const fake = "gia-mao\r\nBcc: ke-gian@example.net";
    const res = await post("/events", JSON.stringify(received("tb-fake", "TB-FAKE-1", fake)), integrationB);
    expect(res.status).toBe(400);
    expect(res.json.results).toEqual([
      expect.objectContaining({ problems: [expect.objectContaining({ path: "data.unitId" })] }),
    ]);
    const moved = await post(
      "/events",
      JSON.stringify({
        eventId: "tb-move",
        type: "dossier.transferred",
        occurredAt: at,
        dossierId: "TB-TUPHAP-1",
        data: { toUnitId: '=HYPERLINK("http://x.example")' },
      }),
      integrationB,
    );
    expect(moved.status).toBe(400);
    await stack.drain();
    expect((await stack.store.dossiers.getWithLog("TB-FAKE-1")).dossier).toBeUndefined();
    // TB-TNMT-1 (due 2022-07-08) is overdue by the 29th: the sweep queues its digest, which the
    // sender then mails.
    const late = instant("2022-07-29T09:00:00+07:00");
    if (stack.clock.now() < late) stack.clock.advance(late - stack.clock.now());
    await stack.fire("SweepDeadlines");
    // The digests go out through the bus (send-alerts, invoked asynchronously): wait for them.
    await stack.settled();
    const mail = (await readSesStore(inject("sesEndpoint"))).filter((m) => m.from === sender);
    expect(mail.length).toBeGreaterThan(0);
    for (const m of mail) {
      expect(m.subject).not.toMatch(/[\r\n]|gia-mao|HYPERLINK/);
      expect(m.destination.bcc).toEqual([]);
      expect(JSON.stringify(m.destination)).not.toContain("ke-gian@");
    }
    // The unit whose directory name tries a header and markup: its digest has one subject line,
    // its name's markup escaped in the HTML, and no added recipient.
    const own = mail.filter((m) => m.subject.includes("Phòng TN&MT"));
    expect(own.length).toBeGreaterThan(0);
    for (const m of own) {
      expect(m.subject).toContain('Phòng TN&MT <b id="x"> Bcc: ke-gian@example.net');
      expect(m.body.html).toContain("&lt;b id=&quot;x&quot;&gt;");
      expect(m.body.html).not.toContain('<b id="x">');
    }
  }, 120_000);
});
