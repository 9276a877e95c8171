import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { decodeLog } from "../../lib/adapters/dynamodb/log-codec";
import { applyEvent } from "../../lib/app/apply";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { instant } from "../../lib/domain/time";
import { sqsRecord } from "../helpers/delivery";
import { ROOT, receivedBeyondCalendar } from "../helpers/fixtures";
import { ingestHarness, sampleReceived } from "../helpers/ingest-harness";

// No applicant's personal data in what is stored or logged, whatever an integration sends.
let h: Awaited<ReturnType<typeof ingestHarness>>;
beforeAll(async () => {
  h = await ingestHarness("privacy", "fuzz");
});
afterAll(async () => h.table.drop());

const sample = sampleReceived();

describe("no applicant data stored or logged", () => {
  it("keeps the portal's personal fields out of every stored item and log line", async () => {
    const writes: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      process.env.TABLE_NAME ??= "unused";
      process.env.EVENT_BUS_NAME ??= "unused";
      const { createHandler } = await import("../../functions/ingest-api");
      const handler = createHandler(h.deps(), new Logger({ serviceName: "ingest-api", logLevel: "DEBUG" }));
      h.published.length = 0;
      for (const f of [
        "snapshot-1-accepted",
        "snapshot-2-supplement",
        "snapshot-3-resolved",
        "snapshot-4-returned",
      ]) {
        const res = await handler(
          h.post("/integrations/dvcqg", readFileSync(join(ROOT, "events/dvcqg", `${f}.json`), "utf8")),
          {} as never,
        );
        expect(res.statusCode).toBeLessThan(300);
      }
      const settings = {
        calendar: WorkingCalendar.official(),
        scheme: { kind: "calendar-quarter" as const },
      };
      for (const p of h.published as { detail: DossierEvent }[]) {
        await applyEvent(
          { ...h.table.store, settings, now: () => instant("2022-07-29T09:00:00+07:00") },
          p.detail,
        );
      }
    } finally {
      spy.mockRestore();
    }
    // A dossier item's event log is compressed (`z1`): scanned as the events it holds.
    const items = JSON.stringify(
      (await h.table.doc.send(new ScanCommand({ TableName: h.table.tableName }))).Items?.map((item) =>
        item.z1 instanceof Uint8Array ? { ...item, z1: decodeLog(String(item.pk).slice(2), item.z1) } : item,
      ),
    );
    expect(items).toContain("000.30.32.H48-220711-0042");
    expect(items).toContain('"type":"dossier.received"');
    for (const personal of [
      "Nguyễn Văn A",
      "0900000000",
      "nguoi-nop@example.org",
      "000000000000",
      "Thôn 1, xã X",
      "ChuHoSo",
      "SoDienThoai",
    ]) {
      expect(items, personal).not.toContain(personal);
      expect(writes.join(""), personal).not.toContain(personal);
    }
    expect(writes.some((w) => w.includes('"ingest"'))).toBe(true);
  });

  it("publishes an event posted with a free-text reason without it: the bus's archive keeps no reason", async () => {
    process.env.TABLE_NAME ??= "unused";
    process.env.EVENT_BUS_NAME ??= "unused";
    const { createHandler } = await import("../../functions/ingest-api");
    const handler = createHandler(h.deps(), new Logger({ serviceName: "ingest-api", logLevel: "SILENT" }));
    h.published.length = 0;
    const at = "2022-07-12T09:00:00+07:00";
    const events = [
      {
        eventId: "reason-1",
        type: "dossier.supplement_requested",
        occurredAt: at,
        dossierId: "HS-REASON",
        data: { reason: "Ông Nguyễn Văn A thiếu bản sao sổ đỏ", pauseKind: "financial_obligation" },
      },
      {
        eventId: "reason-2",
        type: "dossier.withdrawn",
        occurredAt: at,
        dossierId: "HS-REASON",
        data: { reason: "Bà Trần Thị B xin rút" },
      },
    ];
    // The first one again in the same request: a duplicate, reason and all.
    const res = await handler(
      h.post("/events", JSON.stringify({ events: [...events, events[0]] })),
      {} as never,
    );
    expect(res.statusCode, JSON.stringify(res.body)).toBe(200);
    expect(JSON.parse(res.body as string)).toMatchObject({ accepted: 2, duplicate: 1, rejected: 0 });
    const details = (h.published as { detail: DossierEvent }[]).map((p) => p.detail);
    expect(details.map((d) => [d.eventId, d.data])).toEqual([
      ["reason-1", { pauseKind: "financial_obligation" }],
      ["reason-2", {}],
    ]);
    for (const personal of ["Nguyễn Văn A", "Trần Thị B"])
      expect(JSON.stringify(h.published)).not.toContain(personal);
  });

  it("keeps only the contract's fields of an event quarantined from the bus, naming the others", async () => {
    const { processSqsRecord } = await import("../../lib/app/consumer");
    const applyDeps = {
      ...h.table.store,
      settings: { calendar: WorkingCalendar.official(), scheme: { kind: "calendar-quarter" as const } },
      now: h.now,
    };
    // An integration posting straight to the bus, with an applicant's details in fields the
    // contract does not have, and one body that is not JSON at all.
    const leaky = {
      ...sample,
      eventId: "leak-1",
      applicantPhone: "0900000000",
      data: { ...sample.data, applicantName: "Nguyễn Văn A", address: { line: "Thôn 1, xã X" } },
    };
    // A valid event whose deadline reaches a year with no calendar data: applied, with the anomaly
    // (docs/rules.md R6), never quarantined.
    const received2027 = receivedBeyondCalendar("no-calendar-0", "HS-2027");
    // Details in the contract's own fields, refused: an address where a channel goes, an e-mail
    // where an instant goes; and an event in no EventBridge envelope, ids and all unchecked.
    const misplaced = {
      ...sample,
      eventId: "leak-2",
      occurredAt: "nguoi-nop@example.org",
      data: { ...sample.data, channel: "Thôn 1, xã X" },
    };
    const unwrapped = JSON.stringify({
      detail: { ...sample, eventId: "0900000000", dossierId: "Nguyễn Văn A" },
    });
    const outcomes = [
      await processSqsRecord(applyDeps, sqsRecord(leaky as never)),
      await processSqsRecord(applyDeps, sqsRecord("Nguyễn Văn A, 0900000000, not JSON")),
      await processSqsRecord(applyDeps, sqsRecord(received2027 as never)),
      await processSqsRecord(applyDeps, sqsRecord(misplaced as never)),
      await processSqsRecord(applyDeps, sqsRecord(unwrapped)),
    ];
    expect(outcomes.map((o) => o.status)).toEqual([
      "quarantined",
      "quarantined",
      "applied",
      "quarantined",
      "quarantined",
    ]);
    // The ids each outcome is logged with: none of the details either.
    expect(outcomes.slice(3).map((o) => [o.eventId, o.dossierId])).toEqual([
      ["leak-2", sample.dossierId],
      [undefined, undefined],
    ]);
    const kept = await h.table.store.quarantine.list();
    const leak = kept.find((q) => q.eventId === "leak-1");
    expect(leak?.reason).toMatch(/applicantPhone|data\.applicantName|data\.address/);
    expect(JSON.parse(leak?.body ?? "{}")).toMatchObject({
      eventId: "leak-1",
      dossierId: sample.dossierId,
      data: { unitId: sample.data.unitId },
      removed: expect.arrayContaining(["applicantPhone", "data.applicantName", "data.address"]),
    });
    expect(kept.find((q) => q.eventId === "no-calendar-0")).toBeUndefined();
    const dossier2027 = await h.table.store.dossiers.get("HS-2027");
    expect(dossier2027?.anomalyCounts).toEqual({ no_calendar: 1 });
    expect(dossier2027?.kpiDueAt).toBeUndefined();
    expect(JSON.parse(kept.find((q) => q.eventId === "leak-2")?.body ?? "{}").valuesNotKept).toEqual([
      "occurredAt (21 characters)",
      "data.channel (12 characters)",
    ]);
    const stored = JSON.stringify(kept);
    for (const personal of ["Nguyễn Văn A", "0900000000", "Thôn 1, xã X", "nguoi-nop@example.org"])
      expect(stored, personal).not.toContain(personal);
  });
});
