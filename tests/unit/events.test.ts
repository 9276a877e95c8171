import { describe, expect, it } from "vitest";
import { invalidRecord } from "../../lib/app/quarantine-records";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { parseEventsText } from "../../lib/domain/events/file";
import { renderSchemas } from "../../lib/domain/events/json-schema";
import { quarantineBody } from "../../lib/domain/events/redact";
import { type DossierEvent, DossierEventSchema, EVENT_TYPES } from "../../lib/domain/events/schema";
import { validateEvent } from "../../lib/domain/events/validate";
import { projectDossier } from "../../lib/domain/projection";
import { instant } from "../../lib/domain/time";
import { loadSamples, readProjectFile } from "../helpers/fixtures";

const valid = {
  eventId: "igate-1",
  type: "dossier.received",
  occurredAt: "2022-06-06T08:15:00+07:00",
  dossierId: "000.30.32.H48-220606-0001",
  data: { unitId: "u1", procedureCode: "1.004227", channel: "direct", processingDays: 10 },
};

describe("the event contract", () => {
  it("accepts every example of docs/events.md", () => {
    const parsed = parseEventsText(readProjectFile("events/spec-examples.ndjson"));
    expect(parsed.problems).toEqual([]);
    expect(parsed.events.map((e) => e.type)).toEqual([
      "dossier.received",
      "dossier.supplement_requested",
      "dossier.supplement_received",
      "dossier.resolved",
      "dossier.returned",
      "dossier.rated",
    ]);
  });

  it("has a valid sample file for every type in events/samples", () => {
    const samples = loadSamples();
    // `type--variant.json` is another sample of `type` (e.g. a pause of another kind).
    expect([...new Set([...samples.keys()].map((k) => k.split("--")[0]))].sort()).toEqual(
      [...EVENT_TYPES].sort(),
    );
    for (const [name, sample] of samples) {
      const type = name.split("--")[0];
      const result = validateEvent(sample);
      expect(result.ok, type).toBe(true);
      if (result.ok) expect(result.value.type).toBe(type);
    }
  });

  it("infers one discriminated union over type", () => {
    expect(EVENT_TYPES).toHaveLength(10);
    expect(DossierEventSchema.safeParse({ ...valid, type: "dossier.rated" }).success).toBe(false);
  });

  it("names every bad field", () => {
    const result = validateEvent({
      eventId: "bad id!",
      type: "dossier.received",
      occurredAt: "2022-06-06 08:15",
      dossierId: "",
      data: { unitId: "u1", procedureCode: "p", channel: "fax", extra: 1 },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.error.map((p) => p.path).sort();
    expect(paths).toEqual(["data.channel", "data.extra", "dossierId", "eventId", "occurredAt"]);
    expect(result.error.find((p) => p.path === "data.extra")?.message).toMatch(/unknown field/);
  });

  it("rejects an unknown type, naming the field and the allowed values", () => {
    const result = validateEvent({ ...valid, type: "dossier.lost" });
    expect(result).toEqual({
      ok: false,
      error: [{ path: "type", message: expect.stringContaining("dossier.received") }],
    });
  });

  it("rejects an occurredAt more than 5 minutes ahead of the receiver's clock", () => {
    const now = instant("2022-06-06T08:10:00+07:00");
    expect(validateEvent(valid, { now }).ok).toBe(true);
    const result = validateEvent(valid, { now: now - 60_000 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error[0]?.path).toBe("occurredAt");
  });

  it("rejects a year before 2000 in any instant, naming the field (years 0–99 read as 1900s broke the consumer)", () => {
    for (const [at, path] of [
      [{ ...valid, occurredAt: "0050-06-06T08:15:00+07:00" }, "occurredAt"],
      [{ ...valid, occurredAt: "1999-12-31T23:59:59Z" }, "occurredAt"],
      [{ ...valid, data: { ...valid.data, dueAt: "0999-06-20T17:00:00+07:00" } }, "data.dueAt"],
    ] as const) {
      const result = validateEvent(at);
      expect(result.ok, JSON.stringify(at)).toBe(false);
      if (!result.ok) expect(result.error).toEqual([{ path, message: expect.stringContaining("2000") }]);
    }
    expect(validateEvent({ ...valid, occurredAt: "2000-01-01T00:00:00+07:00" }).ok).toBe(true);
  });

  it("takes a received event with both processing days and hours: the days win (docs/calendar.md)", () => {
    const both = { ...valid, data: { ...valid.data, processingHours: 4 } };
    expect(validateEvent(both).ok).toBe(true);
    const due = (e: object) =>
      projectDossier(valid.dossierId, [e as DossierEvent], { calendar: WorkingCalendar.official() }).kpiDueAt;
    expect(due(both)).toBeDefined();
    expect(due(both)).toBe(due(valid));
  });

  it("refuses `undated` without `ifPaused`, naming it, and says an instant's own fault", () => {
    const answer = {
      eventId: "igate-2",
      type: "dossier.supplement_received",
      occurredAt: "2022-06-10T14:00:00+07:00",
      dossierId: valid.dossierId,
      data: { undated: true },
    };
    expect(validateEvent(answer)).toEqual({
      ok: false,
      error: [{ path: "data.undated", message: "only with ifPaused: true" }],
    });
    expect(validateEvent({ ...answer, data: { undated: true, ifPaused: true } }).ok).toBe(true);
    const noOffset = validateEvent({ ...valid, occurredAt: "2022-06-06T08:15:00" });
    expect(noOffset.ok).toBe(false);
    if (!noOffset.ok) {
      expect(noOffset.error).toHaveLength(1);
      expect(noOffset.error[0]?.path).toBe("occurredAt");
      expect(noOffset.error[0]?.message).toContain("with an offset (Z or ±hh:mm)");
      expect(noOffset.error[0]?.message).not.toContain("fraction");
    }
  });

  it("generates the committed JSON Schemas from the zod schemas (run `npm run schemas` when this fails)", () => {
    for (const [file, text] of Object.entries(renderSchemas())) {
      expect(readProjectFile(`events/schemas/${file}`), file).toBe(text);
    }
  });
});

describe("events files", () => {
  it("reports a malformed NDJSON line and a bad field with their line numbers", () => {
    const text = [
      JSON.stringify(valid),
      "{not json",
      "",
      JSON.stringify({ ...valid, eventId: "x", data: { ...valid.data, channel: "fax" } }),
    ].join("\n");
    const parsed = parseEventsText(text);
    expect(parsed.events).toHaveLength(1);
    expect(parsed.problems.map((p) => [p.line, p.path])).toEqual([
      [2, "(json)"],
      [4, "data.channel"],
    ]);
  });

  it("reads a JSON array and gives the line of each bad element", () => {
    const text = `[\n  ${JSON.stringify(valid)},\n  {\n    "eventId": "e2",\n    "type": "dossier.rated"\n  }\n]`;
    const parsed = parseEventsText(text);
    expect(parsed.events).toHaveLength(1);
    expect(parsed.problems.every((p) => p.line === 3)).toBe(true);
    expect(parsed.problems.map((p) => p.path).sort()).toEqual(["data", "dossierId", "occurredAt"]);
  });

  it("gives the line of a JSON syntax error in an array file", () => {
    const parsed = parseEventsText(`[\n  ${JSON.stringify(valid)},\n  {"eventId": }\n]`);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]?.line).toBe(3);
  });
});

describe("what a quarantine record keeps", () => {
  it("keeps the contract's fields, drops free-text reasons and anything else by name, never by value", () => {
    const body = JSON.parse(
      quarantineBody(
        {
          eventId: "w-1",
          type: "dossier.withdrawn",
          occurredAt: "2022-07-01T09:00:00+07:00",
          dossierId: "HS-1",
          data: { reason: "Ông Nguyễn Văn A xin rút", phone: "0900000000" },
          applicant: { name: "Nguyễn Văn A" },
        },
        200,
      ),
    );
    expect(body).toEqual({
      eventId: "w-1",
      type: "dossier.withdrawn",
      occurredAt: "2022-07-01T09:00:00+07:00",
      dossierId: "HS-1",
      data: {},
      removed: ["data.reason", "data.phone", "applicant"],
    });
    expect(JSON.parse(quarantineBody({ eventId: "x", data: "Nguyễn Văn A" }, 40))).toEqual({
      eventId: "x",
      removed: ["data"],
    });
    expect(JSON.parse(quarantineBody("Nguyễn Văn A", 16))).toEqual({
      notKept: "16 bytes that are not a JSON object",
    });
  });

  it("keeps a field validation refused only when its value reads as the field's kind, never what may name or reach a person", () => {
    const arrived = {
      eventId: "r-1",
      type: "dossier.received",
      occurredAt: "2022-07-01T25:00:00+07:00",
      dossierId: "HS-1",
      data: {
        unitId: "phong-tnmt",
        procedureCode: "1.004227",
        channel: "Bà Trần Thị B",
        dueAt: "nguoi-nop@example.org",
        level: "0900000000",
        processingDays: 900000000,
        domain: "dat-dai",
      },
    };
    const problems = validateEvent(arrived);
    if (problems.ok) throw new Error("expected the event to be refused");
    expect(problems.error.map((p) => p.path).sort()).toEqual([
      "data.channel",
      "data.dueAt",
      "data.level",
      "data.processingDays",
      "occurredAt",
    ]);
    const record = invalidRecord(0, arrived, JSON.stringify(arrived), "igate", problems.error);
    expect(JSON.parse(record.body)).toEqual({
      eventId: "r-1",
      type: "dossier.received",
      // A date out of range reads as an instant: kept, so that it can be corrected.
      occurredAt: "2022-07-01T25:00:00+07:00",
      dossierId: "HS-1",
      data: { unitId: "phong-tnmt", procedureCode: "1.004227", domain: "dat-dai" },
      // A name, an e-mail address, a phone: named, never kept.
      valuesNotKept: [
        "data.channel (13 characters)",
        "data.dueAt (21 characters)",
        "data.level (10 characters)",
        "data.processingDays (a number of 9 digits)",
      ],
    });
    // A misspelt type reads as one, and is kept; refused as a whole, the event's other fields are
    // judged the same way (none was checked against a shape).
    const misspelt = {
      ...arrived,
      type: "dossier.recieved",
      dossierId: "000000000000",
      data: { unitId: "u" },
    };
    const refused = validateEvent(misspelt);
    if (refused.ok) throw new Error("expected the event to be refused");
    const kept = invalidRecord(0, misspelt, JSON.stringify(misspelt), "igate", refused.error);
    expect([kept.type, kept.dossierId, kept.eventId]).toEqual(["dossier.recieved", undefined, "r-1"]);
    expect(JSON.parse(kept.body)).toEqual({
      eventId: "r-1",
      type: "dossier.recieved",
      occurredAt: "2022-07-01T25:00:00+07:00",
      data: { unitId: "u" },
      valuesNotKept: ["dossierId (12 characters)"],
    });
    const named = { ...misspelt, type: "hồ sơ của ông Nguyễn Văn A" };
    const untyped = validateEvent(named);
    if (untyped.ok) throw new Error("expected the event to be refused");
    expect(JSON.parse(invalidRecord(0, named, "", "igate", untyped.error).body).valuesNotKept).toEqual([
      "type (26 characters)",
      "dossierId (12 characters)",
    ]);
  });

  it("never shows a key that may name a person, and judges every field once the problems are too many to list", () => {
    const arrived: Record<string, unknown> = {
      eventId: "r-2",
      type: "dossier.received",
      occurredAt: "2022-07-01T09:00:00+07:00",
      dossierId: "HS-2",
      "Nguyễn Văn A": 1,
      data: { unitId: "phong-tnmt", procedureCode: "1.004227", channel: "0912.345.678" },
    };
    const refused = validateEvent(arrived);
    if (refused.ok) throw new Error("expected the event to be refused");
    // The key is named by its length only, in the problems (answers, logs) and in the record.
    expect(refused.error.map((p) => p.path).sort()).toEqual([
      "(a field name of 12 characters)",
      "data.channel",
    ]);
    const body = JSON.parse(invalidRecord(0, arrived, "", "igate", refused.error).body);
    expect(body.removed).toEqual(["(a field name of 12 characters)"]);
    expect(body.valuesNotKept).toEqual(["data.channel (12 characters)"]);
    // A list cut at its 50th problem may leave out the field a value was refused in: every field is
    // then judged (the channel's problem is not listed here; it is still not kept).
    const cut = [
      ...Array.from({ length: 50 }, (_, i) => ({ path: `x${i}`, message: "unknown field" })),
      { path: "(more)", message: "and 3 more problems" },
    ];
    const judged = JSON.parse(invalidRecord(0, arrived, "", "igate", cut).body);
    expect(judged.valuesNotKept).toEqual(["data.channel (12 characters)"]);
    expect(judged.dossierId).toBe("HS-2");
    expect(JSON.stringify([body, judged])).not.toMatch(/Nguyễn|0912/);
  });
});
