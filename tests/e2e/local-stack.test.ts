import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readSesStore } from "../../dev/local/ses-local";
import type { LocalStack } from "../../dev/local/stack-options";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { MISS_REREAD_MS } from "../../lib/app/directory";
import { SCHEDULES } from "../../lib/contracts/schedules";
import { quarantineBody } from "../../lib/domain/events/redact";
import { computeReport, type Report } from "../../lib/domain/report";
import { formatInstant, instant } from "../../lib/domain/time";
import { kpiView } from "../helpers/compare";
import { e2eSettings, startE2eStack } from "../helpers/e2e-stack";
import { ROOT, receivedBeyondCalendar } from "../helpers/fixtures";
import { DYNAMO_ATTRIBUTES, DYNAMO_GRANTS, DYNAMO_PARTITIONS } from "../helpers/grants";

const settings = e2eSettings;
let stack: LocalStack;
let keys: { integration: string; reader: string };
let sender = "";
let post: Awaited<ReturnType<typeof startE2eStack>>["post"];

/**
 * The clock the handlers keep the unit directory by: it stands still unless a test moves it, so a
 * handler reads the directory again only when a test says time has passed (never by waiting); a
 * test that changes the directory moves it past the re-read interval (`MISS_REREAD_MS`) or the
 * handlers' lifetimes of it.
 */
let cacheNow = Date.now();
beforeAll(async () => {
  ({ stack, keys, sender, post } = await startE2eStack("e2e", { cacheClock: () => cacheNow }));
}, 120_000);
afterAll(async () => stack?.stop());

const run = promisify(execFile);
const BIN = join(ROOT, "bin", "dossier-monitor.mjs");

/** The SES store's mail from `from`. */
async function mailFrom(from: string) {
  return (await readSesStore(inject("sesEndpoint"))).filter((m) => m.from === from);
}

describe("the local stack over HTTP", () => {
  it("takes posted events, sends a department digest and a KPI email, and serves /kpis", async () => {
    // The last working days before the clock (about 530 events): enough for digests and the KPI email.
    const events = seed2022Q3({ seed: 8 }).filter(
      (e) => e.occurredAt < "2022-07-04T07:00" && e.occurredAt >= "2022-06-30",
    );
    for (let i = 0; i < events.length; i += 100) {
      const { status, json } = await post(
        "/events",
        JSON.stringify({ events: events.slice(i, i + 100) }),
        keys.integration,
      );
      expect(status).toBe(200);
      expect((json.rejected as number) ?? 0).toBe(0);
    }
    await stack.drain();
    stack.clock.advance(30 * 60_000);
    await stack.fire("SweepDeadlines");
    // The digests go out through the bus (send-alerts, invoked asynchronously): wait for them.
    await stack.settled();
    // The clock now stands at Monday 07:30, the weekly schedule's own minute: the scheduler may have
    // fired it already, and a run that finds the week's email claimed by another sends nothing. So
    // every run started is waited for (the stack's `settled`), whichever sends the email.
    await stack.fire("WeeklyKpiReport");
    await stack.settled();
    const isKpi = (m: { subject: string }) => m.subject.startsWith("[Báo cáo KPI]");
    const mail = await mailFrom(sender);
    expect(mail.filter(isKpi)).toHaveLength(1);
    expect(mail.some((m) => m.subject.startsWith("[Cảnh báo hồ sơ]"))).toBe(true);
    const kpiMail = mail.find(isKpi);
    // The report as CSV and XLSX, form II.06a in its own layout; the index's trend lines inline.
    expect(kpiMail?.attachments.filter((a) => !a.related)).toHaveLength(3);
    expect(kpiMail?.attachments.some((a) => a.related && a.contentType === "image/png")).toBe(true);
    const res = await fetch(`${stack.urls.api}/kpis?period=${SEED_PERIOD.name}`, {
      headers: { authorization: `Bearer ${keys.reader}` },
    });
    expect(res.status).toBe(200);
    // Gzipped, as the client (fetch) takes it: API Gateway itself compresses nothing.
    expect(res.headers.get("content-encoding")).toBe("gzip");
    const kpis = (await res.json()) as Report;
    expect(kpiView(kpis)).toEqual(
      kpiView(computeReport(events, settings, { period: SEED_PERIOD, asOf: stack.clock.now() })),
    );
  }, 240_000);

  it("fires every schedule lib/contracts/schedules.ts defines (the ones the CDK stack deploys)", async () => {
    // Each target's own answer: the sweep's counts; the KPI email's period (sent now, or earlier
    // this week), or that the close had no ended period to close.
    for (const s of SCHEDULES) {
      const out = (await stack.fire(s.id)) as Record<string, unknown>;
      if (s.target === "sweep-deadlines")
        expect(out, s.id).toMatchObject({ checked: expect.any(Number), failed: 0 });
      else if (out.skipped) expect(out, s.id).toEqual({ kind: s.input?.kind, skipped: true });
      else expect(out, s.id).toMatchObject({ period: expect.any(String), sent: expect.any(Array) });
    }
  });

  it("answers 401 without a key, 403 for an unknown key or a read-only key posting", async () => {
    const event = JSON.stringify(seed2022Q3()[0]);
    expect((await post("/events", event)).status).toBe(401);
    expect((await post("/events", event, "dm_i_not-a-key")).status).toBe(403);
    expect((await post("/events", event, keys.reader)).status).toBe(403);
    expect((await fetch(`${stack.urls.api}/kpis`)).status).toBe(401);
  });

  it("attributes events to the caller, and refuses a body naming another integration", async () => {
    const event = { ...seed2022Q3({ seed: 3 })[0], eventId: "spoof-1", dossierId: "SPOOF-1" };
    const spoofed = await post(
      "/events",
      JSON.stringify({ ...event, source: "another-integration" }),
      keys.integration,
    );
    expect(spoofed.status).toBe(400);
    expect(spoofed.json.results).toEqual([
      expect.objectContaining({ problems: [expect.objectContaining({ path: "source" })] }),
    ]);
    expect((await post("/events", JSON.stringify(event), keys.integration)).status).toBe(200);
    await stack.drain();
    const { log } = await stack.store.dossiers.getWithLog("SPOOF-1");
    expect(log.map((e) => e.source)).toEqual(["mot-cua-tinh"]);
  });

  it("answers a 10 MB body, malformed JSON and wrong types with 4xx and reasons, never 5xx", async () => {
    const big = await post("/events", `{"events":["${"x".repeat(10 * 1024 * 1024)}"]}`, keys.integration);
    expect(big.status).toBe(413);
    const malformed = await post("/events", "{not json", keys.integration);
    expect(malformed.status).toBe(400);
    expect(malformed.json.problems).toEqual([expect.objectContaining({ path: "(body)" })]);
    const wrong = await post(
      "/events",
      JSON.stringify({
        eventId: 5,
        type: "dossier.received",
        occurredAt: true,
        dossierId: "W",
        data: { unitId: 1 },
      }),
      keys.integration,
    );
    expect(wrong.status).toBe(400);
    const problems = (wrong.json.results as { problems: { path: string }[] }[])[0]?.problems.map(
      (p) => p.path,
    );
    expect(problems).toEqual(
      expect.arrayContaining(["eventId", "occurredAt", "data.unitId", "data.procedureCode", "data.channel"]),
    );
    // A valid event sent in Latin-1: refused, not stored under a mangled dossier id.
    const event = { ...seed2022Q3({ seed: 4 })[0], eventId: "latin1-1", dossierId: "HS-Hà-Nội-0001" };
    const latin1 = await post("/events", Buffer.from(JSON.stringify(event), "latin1"), keys.integration);
    expect(latin1.status).toBe(400);
    expect(latin1.json.message).toBe("the body is not UTF-8 text");
  });

  it("turns a DVCQG snapshot sequence, posted twice, into each event once", async () => {
    // The portal's snapshots are of late July: the receiver's clock must be past them.
    stack.clock.advance(instant("2022-07-29T09:00:00+07:00") - stack.clock.now());
    const files = [
      "snapshot-1-accepted",
      "snapshot-2-supplement",
      "snapshot-3-resolved",
      "snapshot-4-returned",
    ];
    const first = [];
    for (const f of files)
      first.push(
        await post(
          "/integrations/dvcqg",
          readFileSync(join(ROOT, "events/dvcqg", `${f}.json`), "utf8"),
          keys.integration,
        ),
      );
    await stack.drain();
    const second = [];
    for (const f of files)
      second.push(
        await post(
          "/integrations/dvcqg",
          readFileSync(join(ROOT, "events/dvcqg", `${f}.json`), "utf8"),
          keys.integration,
        ),
      );
    await stack.drain();
    // Re-sent facts may be accepted again while the first copy is still on its way: the
    // consumer applies each once. Once applied, re-sending is answered duplicate.
    expect(first.reduce((s, r) => s + (r.json.accepted as number), 0)).toBeGreaterThanOrEqual(5);
    expect(second.reduce((s, r) => s + (r.json.accepted as number), 0)).toBe(0);
    const { log, dossier } = await stack.store.dossiers.getWithLog("000.30.32.H48-220711-0042");
    expect(log.map((e) => e.type).sort()).toEqual([
      "dossier.received",
      "dossier.resolved",
      "dossier.returned",
      "dossier.supplement_received",
      "dossier.supplement_requested",
    ]);
    expect(dossier?.closedAt).toBeDefined();
    // Personal fields never reach storage.
    expect(JSON.stringify(log)).not.toMatch(/Nguyễn Văn A|0900000000|nguoi-nop@|000000000000/);
  });

  it("sends a file with dossier-monitor send, and reads the report back with report --api", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dm-send-"));
    const file = join(dir, "batch.ndjson");
    const events = seed2022Q3({ seed: 12 })
      .filter((e) => e.occurredAt < "2022-07-20")
      .slice(0, 150)
      .map((e) => ({ ...e, dossierId: `SEND-${e.dossierId}` }));
    writeFileSync(
      file,
      `${events.map((e) => JSON.stringify(e)).join("\n")}\n{"eventId":"bad","type":"dossier.received"}\n`,
    );
    const sent = await run(process.execPath, [
      BIN,
      "send",
      file,
      "--api",
      stack.urls.api,
      "--key",
      keys.integration,
    ]).catch((e) => e);
    expect(sent.code).toBe(1);
    expect(sent.stdout).toMatch(
      /accepted \d+, duplicate \d+, rejected 1 \(see .*batch\.ndjson\.rejected\.ndjson\)/,
    );
    const rejected = readFileSync(`${file}.rejected.ndjson`, "utf8").trim().split("\n");
    expect(JSON.parse(rejected[0] ?? "{}").line).toBe(events.length + 1);
    await stack.drain();
    // Let the sweep bring the time-driven part up to the (jumped) demo clock before both reads.
    await stack.fire("SweepDeadlines");
    // The seed period's report read back with report --api, as the demo reader.
    const reportApi = (...extra: string[]) =>
      run(process.execPath, [
        BIN,
        "report",
        "--api",
        stack.urls.api,
        "--period",
        SEED_PERIOD.name,
        "--key",
        keys.reader,
        ...extra,
      ]);
    const { stdout } = await reportApi();
    const fromCli = JSON.parse(stdout) as Report;
    const fromApi = (await (
      await fetch(`${stack.urls.api}/kpis?period=${SEED_PERIOD.name}`, {
        headers: { authorization: `Bearer ${keys.reader}` },
      })
    ).json()) as Report;
    expect(kpiView(fromCli)).toEqual(kpiView(fromApi));
    // As text, its units by the names of a --units directory, as a report from events files shows them.
    const text = await reportApi("--format", "text", "--units", join(ROOT, "events/units/seed-units.json"));
    expect(text.stdout).toContain("Phòng Tư pháp");
    expect(text.stdout).not.toContain("phong-tu-phap");
    // Without --units, the stack's own CSV: the names its directory gives, as the download has them.
    const named = await reportApi("--format", "csv");
    expect(named.stdout).toContain("Phòng Tư pháp");
    expect(named.stdout).not.toContain("phong-tu-phap");
    const download = await (
      await fetch(`${stack.urls.api}/kpis/export?period=${SEED_PERIOD.name}&format=csv`, {
        headers: { authorization: `Bearer ${keys.reader}` },
      })
    ).text();
    expect(named.stdout).toBe(download.replace(/^\uFEFF/, ""));
    const unreachable = await run(process.execPath, [
      BIN,
      "report",
      "--api",
      "http://127.0.0.1:9",
      "--period",
      "x",
      "--key",
      "k",
    ]).catch((e) => e);
    expect(unreachable.code).toBe(3);
  }, 120_000);

  it("lists quarantined events over the API and the CLI, ready to post again once the cause is fixed", async () => {
    // Valid, but a second body under an event id already applied: accepted, then kept as a
    // conflict (a deadline in a year without calendar data is no longer a reason: docs/rules.md R6).
    const event = receivedBeyondCalendar("q-conflict-1", "HS-Q-CONFLICT");
    const first = { ...event, data: { ...event.data, processingDays: 5 } };
    expect((await post("/events", JSON.stringify(first), keys.integration)).status).toBe(200);
    await stack.drain();
    expect((await post("/events", JSON.stringify(event), keys.integration)).status).toBe(200);
    await stack.drain();
    const get = async (query: string) => {
      const res = await fetch(`${stack.urls.api}/quarantine${query}`, {
        headers: { authorization: `Bearer ${keys.reader}` },
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const listed = await get("?limit=200");
    expect(listed.status).toBe(200);
    const item = (listed.json.items as { eventId?: string; reason: string; body: unknown }[]).find(
      (q) => q.eventId === "q-conflict-1",
    );
    expect(item?.reason).toMatch(/^conflict/);
    expect(item?.body).toEqual({ ...event, source: "mot-cua-tinh" });

    // An invalid event that came straight from the bus (its record written here as the consumer
    // writes one; tests/e2e/put-events.test.ts puts one through PutEvents), then corrected and posted: applied since.
    const fixed = { ...event, eventId: "q-fixed-1", dossierId: "HS-Q-FIXED" };
    fixed.data = { ...event.data, processingDays: 5 };
    await stack.store.quarantine.put(
      {
        at: stack.clock.now(),
        reason: "invalid event: data.channel: Invalid option",
        eventId: fixed.eventId,
        dossierId: fixed.dossierId,
        type: fixed.type,
        // Whose it is: `quarantine --source` writes one integration's events to send again.
        source: "mot-cua-tinh",
        body: quarantineBody({ ...fixed, data: { ...fixed.data, channel: "fax" } }, 300),
      },
      "as it arrived",
    );
    expect((await post("/events", JSON.stringify(fixed), keys.integration)).status).toBe(200);
    await stack.drain();
    const after = (await get("?limit=200")).json.items as { eventId?: string; appliedSince: boolean }[];
    expect(after.find((q) => q.eventId === "q-fixed-1")?.appliedSince).toBe(true);
    expect(after.find((q) => q.eventId === "q-conflict-1")?.appliedSince).toBe(false);
    expect(await stack.store.quarantine.waiting()).toEqual({
      count: after.filter((q) => !q.appliedSince).length,
      atLeast: false,
    });

    const badCursor = await get("?cursor=not-a-cursor");
    expect(badCursor.status).toBe(400);
    expect(badCursor.json.problems).toEqual([expect.objectContaining({ path: "cursor" })]);
    // A well-formed cursor of another listing is refused the same way.
    const foreign = Buffer.from(JSON.stringify({ pk: "Q", sk: "x" })).toString("base64url");
    const wrongListing = await fetch(
      `${stack.urls.api}/dossiers?unit=phong-tnmt&sla=overdue&cursor=${foreign}`,
      {
        headers: { authorization: `Bearer ${keys.reader}` },
      },
    );
    expect(wrongListing.status).toBe(400);

    // Another integration's event in quarantine: a file must hold one integration's events only.
    await stack.store.quarantine.put(
      {
        at: stack.clock.now(),
        reason: "invalid event: data.channel: Invalid option",
        eventId: "q-other-1",
        dossierId: "HS-Q-OTHER",
        type: event.type,
        source: "igate-b",
        // An optional field's refused value named, not kept (`valuesNotKept`): not a field of the
        // event to send again.
        body: quarantineBody(
          {
            ...event,
            eventId: "q-other-1",
            dossierId: "HS-Q-OTHER",
            source: "igate-b",
            data: { ...event.data, level: "Nguyễn Văn A" },
          },
          300,
          ["data.level"],
        ),
      },
      "another integration's",
    );
    const out = join(mkdtempSync(join(tmpdir(), "dm-quarantine-")), "resend.ndjson");
    const mixed = await run(process.execPath, [
      BIN,
      "quarantine",
      "--api",
      stack.urls.api,
      "--key",
      keys.reader,
      "--out",
      out,
    ]).catch((e) => e);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/--source: .*igate-b.*mot-cua-tinh/);
    const cli = await run(process.execPath, [
      BIN,
      "quarantine",
      "--api",
      stack.urls.api,
      "--key",
      keys.reader,
      "--source",
      "mot-cua-tinh",
      "--out",
      out,
    ]);
    expect(cli.stdout).not.toMatch(/q-other-1/);
    expect(cli.stdout).toMatch(/q-conflict-1\tHS-Q-CONFLICT\tconflict/);
    const lines = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toContainEqual({ ...event, source: "mot-cua-tinh" });
    expect(cli.stdout).toMatch(/q-fixed-1\tHS-Q-FIXED\t\(applied since\)/);
    expect(lines.map((l) => l.eventId)).not.toContain("q-fixed-1");
    // Sent again while the conflict stands: kept again, under the same record.
    const before = (await stack.store.quarantine.list()).length;
    await run(process.execPath, [BIN, "send", out, "--api", stack.urls.api, "--key", keys.integration]);
    await stack.drain();
    expect((await stack.store.quarantine.list()).length).toBe(before);
    // igate-b's file, sent with this integration's key: refused, event by event, naming source.
    const other = join(mkdtempSync(join(tmpdir(), "dm-quarantine-")), "igate-b.ndjson");
    await run(process.execPath, [
      BIN,
      "quarantine",
      "--api",
      stack.urls.api,
      "--key",
      keys.reader,
      "--source",
      "igate-b",
      "--out",
      other,
    ]);
    expect(readFileSync(other, "utf8")).toMatch(/"source":"igate-b"/);
    expect(readFileSync(other, "utf8")).not.toMatch(/valuesNotKept|removed|Nguyễn/);
    const crossing = await run(process.execPath, [
      BIN,
      "send",
      other,
      "--api",
      stack.urls.api,
      "--key",
      keys.integration,
    ]).catch((e) => e);
    expect(crossing.code).toBe(1);
    expect(crossing.stdout).toMatch(/accepted 0, duplicate 0, rejected 1/);
    expect(readFileSync(`${other}.rejected.ndjson`, "utf8")).toMatch(/"path":"source"/);
  }, 60_000);
  it("takes events at once for a unit imported with units import while it runs: none quarantined", async () => {
    const at = () => formatInstant(stack.clock.now() - 60_000);
    const received = (id: string, unitId: string) => ({
      eventId: `${id}.e0`,
      type: "dossier.received",
      occurredAt: at(),
      dossierId: id,
      data: { unitId, procedureCode: "1.001193", channel: "online", processingDays: 5, domain: "ho-tich" },
    });
    // The stack answers events first, so the ingestion API and the consumer hold the directory
    // without the new unit (the ingestion API keeps it 5 s here, the consumer a minute).
    expect(
      (await post("/events", JSON.stringify(received("UI-WARM", "phong-tu-phap")), keys.integration)).status,
    ).toBe(200);
    await stack.drain();
    // A unit is added to the directory file and imported into the running stack's table, with the CLI.
    const dir = mkdtempSync(join(tmpdir(), "dm-units-"));
    const file = join(dir, "units.json");
    const seed = JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8"));
    const added = { ...seed.units[0], id: "phong-moi-them", nameVi: "Phòng mới thêm", nameEn: "New office" };
    writeFileSync(file, JSON.stringify({ ...seed, units: [...seed.units, added] }));
    await run(process.execPath, [
      BIN,
      "units",
      "import",
      file,
      "--table",
      stack.tableName,
      "--endpoint",
      stack.urls.dynamodb,
    ]);
    // A handler reads the directory again on a miss once what it holds is MISS_REREAD_MS old
    // (lib/app/directory.ts): what they hold was read by the time the warm-up drained, so their
    // caches' clock is moved that far on, and the outcome does not depend on timing.
    cacheNow += MISS_REREAD_MS;
    // At once: through the ingestion API, and straight onto the bus (PutEvents), which only the
    // consumer checks.
    const viaApi = Array.from({ length: 20 }, (_, i) => received(`UI-API-${i}`, "phong-moi-them"));
    const answer = await post("/events", JSON.stringify({ events: viaApi }), keys.integration);
    expect(answer.status).toBe(200);
    expect(answer.json.accepted).toBe(20);
    const client = new EventBridgeClient({
      endpoint: stack.urls.eventBridge,
      region: "ap-southeast-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    const viaBus = Array.from({ length: 10 }, (_, i) => received(`UI-BUS-${i}`, "phong-moi-them"));
    const put = await client.send(
      new PutEventsCommand({
        Entries: viaBus.map((e) => ({
          Source: "vn.motcua.units-import",
          DetailType: e.type,
          Detail: JSON.stringify(e),
          EventBusName: stack.busName,
        })),
      }),
    );
    client.destroy();
    expect(put.FailedEntryCount).toBe(0);
    await stack.drain();
    const ids = [...viaApi, ...viaBus].map((e) => e.dossierId);
    const quarantined = (await stack.store.quarantine.list()).filter((q) => ids.includes(q.dossierId ?? ""));
    expect(quarantined).toEqual([]);
    for (const id of ids)
      expect((await stack.store.dossiers.getWithLog(id)).dossier?.unitId, id).toBe("phong-moi-them");
    // A unit that was never imported is still refused (the check is on), naming the field.
    const unknown = await post(
      "/events",
      JSON.stringify(received("UI-NONE", "phong-chua-co")),
      keys.integration,
    );
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.json.results)).toMatch(/data\.unitId/);
  }, 60_000);

  // Last in the file: by now every function has run its working day (posting, the consumer, the
  // sweep and its digests, the weekly and close emails, the query routes).
  it("needed, in each function, only the DynamoDB actions the CDK stack grants it", async () => {
    // The reader routes no test above asked for: a dossier's page (its log) and the index's trend
    // (a period's snapshots), so their queries are held against the grants too.
    const events = seed2022Q3({ seed: 8 }).filter((e) => e.occurredAt < "2022-07-04T07:00");
    const read = (path: string) =>
      fetch(`${stack.urls.api}${path}`, { headers: { authorization: `Bearer ${keys.reader}` } });
    expect((await read(`/dossiers/${encodeURIComponent(events.at(-1)?.dossierId ?? "")}`)).status).toBe(200);
    expect((await read(`/kpis/trend?period=${SEED_PERIOD.name}`)).status).toBe(200);
    const used = stack.dynamoActions();
    expect(Object.keys(used).sort()).toEqual(
      expect.arrayContaining([
        "apply-events",
        "ingest-api",
        "kpi-report",
        "query-api",
        "send-alerts",
        "sweep-deadlines",
      ]),
    );
    const missing = Object.entries(used)
      .map(([fn, actions]) => [fn, actions.filter((a) => !DYNAMO_GRANTS[fn]?.includes(a))] as const)
      .filter(([, actions]) => actions.length);
    expect(Object.fromEntries(missing), "used but not granted").toEqual({});
    // And within the partitions a grant is limited to (IAM's dynamodb:LeadingKeys).
    const touched = stack.dynamoPartitions();
    expect(touched["ingest-api"]?.["dynamodb:UpdateItem"]).toEqual(["RATE"]);
    expect(touched["query-api"]?.["dynamodb:UpdateItem"]).toEqual(["RATE"]);
    expect(touched["send-alerts"]?.["dynamodb:DeleteItem"]).toEqual(["DIGESTLANG", "LEASE"]);
    expect(touched["send-alerts"]?.["dynamodb:BatchWriteItem"]).toEqual(["ALERTQ"]);
    // Queries of the table are limited too: the two routes above read a dossier's and a period's.
    expect(touched["query-api"]?.["dynamodb:Query"]?.some((pk) => pk.startsWith("D#"))).toBe(true);
    expect(touched["query-api"]?.["dynamodb:Query"]?.some((pk) => pk.startsWith("P#"))).toBe(true);
    const outside = Object.entries(DYNAMO_PARTITIONS).flatMap(([fn, limits]) =>
      Object.entries(limits).flatMap(([action, allowed]) =>
        (touched[fn]?.[action] ?? [])
          .filter((pk) => !allowed.some((a) => (a.endsWith("*") ? pk.startsWith(a.slice(0, -1)) : pk === a)))
          .map((pk) => `${fn} ${action} ${pk}`),
      ),
    );
    expect(outside, "touched outside the partitions granted").toEqual([]);
    // And, where a grant names the attributes too (IAM's dynamodb:Attributes), within those: the
    // digests above stamped their alerts in the dossiers' partitions.
    const named = stack.dynamoAttributes();
    const stamped = Object.keys(named["send-alerts"]?.["dynamodb:UpdateItem"] ?? {});
    expect(stamped.some((pk) => pk.startsWith("D#"))).toBe(true);
    const beyond = Object.entries(DYNAMO_ATTRIBUTES).flatMap(([fn, byAction]) =>
      Object.entries(byAction).flatMap(([action, byPartition]) =>
        Object.entries(named[fn]?.[action] ?? {}).flatMap(([pk, names]) => {
          const grant = Object.entries(byPartition).find(([p]) =>
            p.endsWith("*") ? pk.startsWith(p.slice(0, -1)) : pk === p,
          );
          const extra = names.filter((n) => !grant?.[1].includes(n));
          return extra.length ? [`${fn} ${action} ${pk}: ${extra.join(", ")}`] : [];
        }),
      ),
    );
    expect(beyond, "named attributes outside the ones granted").toEqual([]);
  });
});
