import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_DVCQG_EVENTS } from "../../lib/app/ingest";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { handleIngest } from "../../lib/http/ingest-api";
import { ROOT } from "../helpers/fixtures";
import { ingestHarness, sampleReceived } from "../helpers/ingest-harness";

// Bad input of every kind at the ingest routes: answered, bounded, never published. What the
// stored items and logs may hold is in privacy.test.ts.
let h: Awaited<ReturnType<typeof ingestHarness>>;
let published: unknown[] = [];
const deps = () => h.deps();
const post = (path: string, body: string, isBase64Encoded = false): APIGatewayProxyEventV2 =>
  h.post(path, body, isBase64Encoded);

beforeAll(async () => {
  h = await ingestHarness("fuzz");
  published = h.published;
});
afterAll(async () => h.table.drop());

const sample = sampleReceived();
/** Valid events with one field replaced by anything. */
const mutated = fc
  .tuple(
    fc.constantFrom("eventId", "type", "occurredAt", "dossierId", "data", "source", "extra"),
    fc.anything(),
  )
  .map(([field, value]) => ({ ...sample, [field]: value }));
const nested = fc.integer({ min: 100, max: 5000 }).map((depth) => `${"[".repeat(depth)}${"]".repeat(depth)}`);
const huge = fc
  .integer({ min: 100_000, max: 300_000 })
  .map((n) => JSON.stringify({ ...sample, dossierId: "x".repeat(n) }));
const badUtf = fc.string().map((s) => `{"eventId":"\ud800${s}","type":"dossier.received"}`);
const bodies = fc.oneof(
  fc.string(),
  fc.anything().map((v) => JSON.stringify(v) ?? "null"),
  mutated.map((v) => JSON.stringify(v)),
  mutated.map((v) => JSON.stringify({ events: [v, v] })),
  nested,
  huge,
  badUtf,
);

describe("bad input, by property", () => {
  it("POST /events always answers 4xx with reasons for what it rejects, never 5xx, and publishes nothing rejected", async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const before = published.length;
        const res = await handleIngest(deps(), post("/events", body));
        expect(res.statusCode).toBeLessThan(500);
        const answer = JSON.parse(res.body ?? "{}");
        // Published: exactly what the answer says was accepted (nothing on a 4xx).
        const accepted = (answer.results ?? []).filter((r: { status: string }) => r.status === "accepted");
        expect(published.length - before).toBe(res.statusCode >= 400 ? 0 : accepted.length);
        if (res.statusCode >= 400) expect(answer.message ?? answer.results).toBeDefined();
        for (const r of answer.results ?? [])
          if (r.status === "rejected") expect(r.problems.length).toBeGreaterThan(0);
      }),
      {
        numRuns: 150,
        // Found by this property (2026-12-07): a source that cannot be turned into text answered 500.
        examples: [[JSON.stringify({ events: [{ ...sample, source: { toString: false } }] })]],
      },
    );
  }, 120_000);

  it("answers 4xx to bodies in the wrong encoding (any bytes, UTF-16, Latin-1) and publishes nothing", async () => {
    // A valid event, once its bytes are read as the UTF-8 they are not.
    const text = JSON.stringify({ ...sample, eventId: "enc-1", dossierId: "HS-Hà-Nội-0001" });
    const encodings = fc.oneof(
      fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
      fc.constant(Buffer.from(text, "utf16le")),
      fc.constant(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")])),
      fc.constant(Buffer.from(text, "latin1")),
      fc.string().map((s) => Buffer.concat([Buffer.from(s), Buffer.from([0xc3, 0x28, 0xa0, 0xa1])])),
    );
    await fc.assert(
      fc.asyncProperty(encodings, async (bytes) => {
        const before = published.length;
        const res = await handleIngest(deps(), post("/events", bytes.toString("base64"), true));
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
        expect(JSON.parse(res.body ?? "{}").message).toBeDefined();
        expect(published.length).toBe(before);
      }),
      { numRuns: 100 },
    );
  });

  it("POST /integrations/dvcqg never answers 5xx", async () => {
    const fixture = JSON.parse(readFileSync(join(ROOT, "events/dvcqg/snapshot-3-resolved.json"), "utf8"));
    const dossier = fixture.data[0];
    const dvcqg = fc.oneof(
      fc.anything().map((v) => JSON.stringify(v) ?? "null"),
      fc
        .tuple(fc.constantFrom(...Object.keys(dossier)), fc.anything())
        .map(([field, value]) => JSON.stringify({ ...fixture, data: [{ ...dossier, [field]: value }] })),
      fc.anything().map((v) => JSON.stringify({ ...fixture, data: [v] })),
    );
    await fc.assert(
      fc.asyncProperty(dvcqg, async (body) => {
        const res = await handleIngest(deps(), post("/integrations/dvcqg", body));
        expect(res.statusCode).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});

describe("the limits, by property", () => {
  const published$ = () => published.length;
  const answerOf = async (path: string, body: unknown) => {
    const text = JSON.stringify(body);
    const before = published$();
    const res = await handleIngest(deps(), post(path, text));
    return {
      res,
      answer: JSON.parse(res.body ?? "{}"),
      published: published.slice(before) as { detail: DossierEvent }[],
    };
  };
  const problemPaths = (answer: { results?: { problems?: { path: string }[] }[] }) =>
    (answer.results ?? []).flatMap((r) => (r.problems ?? []).map((p) => p.path));

  it("refuses long timestamps and long fractions, naming the field, and publishes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("occurredAt", "dueAt"),
        // Up to bodies of about 200 KB, under the body limit: each is a 400 naming the field.
        fc.integer({ min: 10, max: 200_000 }),
        async (field, digits) => {
          const stamp = `2022-07-11T08:00:00.${"1".repeat(digits)}+07:00`;
          const event =
            field === "occurredAt"
              ? { ...sample, eventId: "ts-1", occurredAt: stamp }
              : { ...sample, eventId: "ts-1", data: { ...sample.data, dueAt: stamp } };
          const { res, answer, published: out } = await answerOf("/events", event);
          expect(res.statusCode).toBe(400);
          expect(problemPaths(answer)).toEqual([field === "occurredAt" ? "occurredAt" : "data.dueAt"]);
          expect(out).toEqual([]);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("refuses processing times below one working hour (days) or a quarter hour (hours), and absurd ones", async () => {
    const days = fc.oneof(
      fc.double({ min: 0, max: 0.124, noNaN: true }),
      fc.double({ min: 3650.001, max: 1e300, noNaN: true }),
      fc.constantFrom(1e-300, -1, 0),
    );
    await fc.assert(
      fc.asyncProperty(days, fc.boolean(), async (value, asHours) => {
        const { processingDays: _d, dueAt: _due, ...data } = sample.data;
        const hours = asHours ? value * 2 : value; // below 0.25 h or above 7,300 h
        const event = {
          ...sample,
          eventId: "pt-1",
          data: asHours ? { ...data, processingHours: hours } : { ...data, processingDays: value },
        };
        const { res, answer, published: out } = await answerOf("/events", event);
        if (asHours && hours >= 0.25 && hours <= 29_200) return; // within the hour bounds
        expect(res.statusCode).toBe(400);
        expect(problemPaths(answer)).toEqual([asHours ? "data.processingHours" : "data.processingDays"]);
        expect(out).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it("never turns one portal request into more than 200 events (MAX_DVCQG_EVENTS), whatever its lists", async () => {
    const fixture = JSON.parse(readFileSync(join(ROOT, "events/dvcqg/snapshot-3-resolved.json"), "utf8"));
    const dossier = fixture.data[0];
    const supplement = (i: number) => ({
      NgayBoSung: `202207${String(12 + (i % 10)).padStart(2, "0")}08${String(i % 60).padStart(2, "0")}00`,
      NgayTiepNhanBoSung: `202207${String(12 + (i % 10)).padStart(2, "0")}09${String(i % 60).padStart(2, "0")}00`,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 200 }),
        async (dossiers, rounds) => {
          const body = {
            ...fixture,
            data: Array.from({ length: dossiers }, (_, d) => ({
              ...dossier,
              MaHoSo: `LIST-${d}`,
              DanhSachHoSoBoSung: Array.from({ length: rounds }, (_, i) => supplement(i)),
            })),
          };
          const { res, answer, published: out } = await answerOf("/integrations/dvcqg", body);
          expect(res.statusCode).toBeLessThan(500);
          expect(out.length).toBeLessThanOrEqual(MAX_DVCQG_EVENTS);
          if (res.statusCode === 413 && answer.message.startsWith("body larger")) {
            expect(out).toEqual([]);
          } else if (res.statusCode === 413) {
            expect(answer.problems).toEqual([expect.objectContaining({ path: "data" })]);
            expect(out).toEqual([]);
          } else if (rounds > 10) {
            // The first ten rounds are kept; the rest are named, never silently dropped, and the
            // dossier itself is never lost for them.
            expect(res.statusCode).toBe(207);
            expect(answer.problems[0].path).toMatch(/^data\[\d+\]\.DanhSachHoSoBoSung$/);
          }
        },
      ),
      { numRuns: 25 },
    );
    // The request of the finding: 13 KB that became 363 events.
    const finding = {
      ...fixture,
      data: [{ ...dossier, DanhSachHoSoBoSung: Array.from({ length: 180 }, (_, i) => supplement(i)) }],
    };
    const { res, answer, published: out } = await answerOf("/integrations/dvcqg", finding);
    // One dossier, ten rounds kept (at most 22 events), the other 170 named in the answer.
    expect(res.statusCode).toBe(207);
    expect(out.length).toBeLessThanOrEqual(22);
    expect(answer.problems[0].message).toMatch(/180 supplement rounds: the first 10 are kept/);
  }, 120_000);

  it("keeps an error body small, however many unknown keys or bad events it answers", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 1, max: 100 }),
        async (keys, n) => {
          const perEvent = Math.max(1, Math.floor(keys / n));
          const extra = Object.fromEntries(Array.from({ length: perEvent }, (_, i) => [`k${i}`, 0]));
          const events = Array.from({ length: n }, (_, i) => ({ ...sample, eventId: `uk-${i}`, ...extra }));
          const text = JSON.stringify({ events });
          if (Buffer.byteLength(text) > 256 * 1024) return;
          const res = await handleIngest(deps(), post("/events", text));
          expect(res.statusCode).toBe(400);
          // 50 problems an event, 500 in all: a bounded answer, never megabytes.
          expect(Buffer.byteLength(res.body ?? "")).toBeLessThan(120_000);
          const answer = JSON.parse(res.body ?? "{}");
          expect(answer.rejected).toBe(n);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it("reads past a UTF-8 byte order mark, and refuses a batch with a field beside its events, naming it", async () => {
    const before = published.length;
    const bom = (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const one = { ...sample, eventId: "bom-1", dossierId: "HS-BOM-0001" };
    for (const res of [
      await handleIngest(deps(), post("/events", bom(JSON.stringify(one)).toString("base64"), true)),
      await handleIngest(
        deps(),
        post("/events", `\uFEFF${JSON.stringify({ events: [{ ...one, eventId: "bom-2" }] })}`),
      ),
    ])
      expect(res.statusCode, res.body).toBe(200);
    expect(published.length).toBe(before + 2);
    const res = await handleIngest(
      deps(),
      post("/events", JSON.stringify({ events: [{ ...one, eventId: "extra-1" }], source: "x", evnets: [] })),
    );
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body ?? "{}").problems).toEqual([
      { path: "source", message: "unknown field" },
      { path: "evnets", message: "unknown field" },
    ]);
    expect(published.length).toBe(before + 2);
  });

  it("makes look-alike dossier ids one dossier, or refuses them", async () => {
    const base = "HS-Hà-Nội-0042";
    const same = [base, `${base} `, `\u00a0${base}`, base.normalize("NFD"), `\t${base}\n`];
    const refused = [
      "HS-Hà-Nội-００４２",
      "HS-Hà-Nội\u00a00042",
      "HS-Hà-Nội-0042\u200b",
      "HS-Hà-Nội-0042\u202e",
    ];
    const events = [...same, ...refused].map((dossierId, i) => ({
      ...sample,
      eventId: `la-${i}`,
      dossierId,
    }));
    const { answer, published: out } = await answerOf("/events", { events });
    expect(out.map((p) => p.detail.dossierId)).toEqual(same.map(() => base.normalize("NFC")));
    expect(answer.results.slice(same.length).map((r: { status: string }) => r.status)).toEqual(
      refused.map(() => "rejected"),
    );
    expect(problemPaths(answer)).toEqual(refused.map(() => "dossierId"));
  });

  it("refuses units missing from the directory, naming the field, unless the deployment accepts them", async () => {
    const fake = "fake\r\nBcc: chu-tich@ubnd.example.org";
    const received = {
      ...sample,
      eventId: "unit-1",
      dossierId: "UNIT-1",
      data: { ...sample.data, unitId: fake },
    };
    const transferred = {
      eventId: "unit-2",
      type: "dossier.transferred",
      occurredAt: sample.occurredAt,
      dossierId: "UNIT-1",
      data: { toUnitId: "khong-co" },
    };
    const { res, answer, published: out } = await answerOf("/events", { events: [received, transferred] });
    expect(res.statusCode).toBe(400);
    expect(problemPaths(answer)).toEqual(["data.unitId", "data.toUnitId"]);
    expect(out).toEqual([]);
    const before = published.length;
    const accepting = await handleIngest(
      { ...deps(), unknownUnits: "accept" },
      post(
        "/events",
        JSON.stringify({ events: [{ ...received, data: { ...received.data, unitId: "moi" } }, transferred] }),
      ),
    );
    expect(accepting.statusCode).toBe(200);
    expect(published.length).toBe(before + 2);
  });

  it("refuses an event whose body names another integration as its source", async () => {
    const {
      res,
      answer,
      published: out,
    } = await answerOf("/events", {
      ...sample,
      eventId: "src-1",
      source: "another-integration",
    });
    expect(res.statusCode).toBe(400);
    expect(problemPaths(answer)).toEqual(["source"]);
    expect(out).toEqual([]);
    const own = await answerOf("/events", { ...sample, eventId: "src-2", source: "fuzz" });
    expect(own.res.statusCode).toBe(200);
    // A source that is not text, even one that cannot be made text: refused naming the field.
    for (const source of [5, null, ["fuzz"], { toString: false }]) {
      const odd = await answerOf("/events", { ...sample, eventId: "src-3", source });
      expect(odd.res.statusCode, JSON.stringify(source)).toBe(400);
      expect(odd.answer.results[0].problems).toEqual([
        { path: "source", message: "must be text naming the integration that sends it, or left out" },
      ]);
    }
  });
});
