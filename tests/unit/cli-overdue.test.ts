import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { cli } from "../helpers/cli";

/**
 * `report --events` on small event files: an overdue dossier stays overdue whatever comes after
 * its due instant, dossiers whose SLA a missing calendar year leaves unknown are named, and the
 * figures of a closed period are as of its end.
 */

const dir = mkdtempSync(join(tmpdir(), "dm-cli-overdue-"));

function ev(id: string, n: string, type: DossierEvent["type"], at: string, data: object = {}): DossierEvent {
  return { dossierId: id, eventId: `${id}.${n}`, type, occurredAt: `${at}:00+07:00`, data } as DossierEvent;
}
const received = (id: string, at: string, due: object) =>
  ev(id, "r", "dossier.received", at, {
    unitId: "phong-tu-phap",
    procedureCode: "1.001193",
    channel: "direct",
    domain: "ho-tich",
    level: "district",
    ...due,
  });

function eventsFile(name: string, events: DossierEvent[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
  return path;
}

/** docs/rules.md R3's example: due 2022-07-11 17:00, a supplement requested 2022-07-20, still paused at 2022-09-30. */
const lateCase = (pauseKind?: string) =>
  eventsFile(`late-${pauseKind ?? "none"}.ndjson`, [
    received("D-1", "2022-07-04T08:00", { dueAt: "2022-07-11T17:00:00+07:00" }),
    ev("D-1", "p", "dossier.supplement_requested", "2022-07-20T09:00", pauseKind ? { pauseKind } : {}),
  ]);

const q3 = (file: string, ...more: string[]) =>
  cli("report", "--events", file, "--period", "2022-Q3", "--as-of", "2022-09-30", ...more);

describe("report: an overdue dossier stays overdue", () => {
  for (const kind of [undefined, "supplement", "financial_obligation", "other_agency"]) {
    it(`counts a dossier paused after its due instant overdue (pause kind ${kind ?? "not given"})`, async () => {
      const { code, stdout } = await q3(lateCase(kind), "--format", "json");
      expect(code).toBe(0);
      const r = JSON.parse(stdout);
      expect(r.pending).toEqual({ total: 1, withinDeadline: 0, overdue: 1 });
      expect(r.latePause).toBe(1);
      expect(r.dataQuality.anomalies).toEqual({ late_supplement_request: 1 });
    });
  }

  it("says so in the text report, and the same pause made in time counts within the deadline", async () => {
    const late = await q3(lateCase(), "--format", "text");
    expect(late.stdout).toContain("đang giải quyết 1 (còn trong hạn 0, quá hạn 1).");
    expect(late.stdout).toContain(
      "Ghi chú: 1 hồ sơ được yêu cầu bổ sung (hoặc tạm dừng chờ nghĩa vụ tài chính, chờ cơ quan khác) sau khi đã quá hạn",
    );
    const inTime = eventsFile("in-time.ndjson", [
      received("D-1", "2022-07-04T08:00", { dueAt: "2022-07-11T17:00:00+07:00" }),
      ev("D-1", "p", "dossier.supplement_requested", "2022-07-11T16:00"),
    ]);
    const ok = await q3(inTime, "--format", "text");
    expect(ok.stdout).toContain("đang giải quyết 1 (còn trong hạn 1, quá hạn 0).");
    expect(ok.stdout).not.toContain("Ghi chú");
  });

  it("puts it in the form's overdue column, and resolved after the pause in its late column", async () => {
    const form = await q3(lateCase(), "--format", "form-csv");
    expect(form.code).toBe(0);
    expect(form.stdout).toContain("\r\n,Tổng cộng,1,0,1,0,0,0,0,0,1,0,1\r\n");
    const resolved = eventsFile("late-resolved.ndjson", [
      received("D-1", "2022-07-04T08:00", { dueAt: "2022-07-11T17:00:00+07:00" }),
      ev("D-1", "p", "dossier.supplement_requested", "2022-07-20T09:00"),
      // The source gives a new due instant at the resumption: it does not make the dossier on time.
      ev("D-1", "s", "dossier.supplement_received", "2022-08-01T09:00", {
        dueAt: "2022-09-30T17:00:00+07:00",
      }),
      ev("D-1", "z", "dossier.resolved", "2022-08-05T09:00", { outcome: "approved" }),
      // A new appointment after the due instant, resolved before it: late.
      received("D-2", "2022-07-04T08:00", { dueAt: "2022-07-11T17:00:00+07:00" }),
      ev("D-2", "x", "dossier.deadline_extended", "2022-07-12T09:00", {
        newDueAt: "2022-07-29T17:00:00+07:00",
        apologyIssued: true,
      }),
      ev("D-2", "z", "dossier.resolved", "2022-07-20T10:00", { outcome: "approved" }),
    ]);
    const after = await q3(resolved, "--format", "form-csv");
    expect(after.stdout).toContain("\r\n,Tổng cộng,2,0,2,0,2,0,0,2,0,0,0\r\n");
    const text = await q3(resolved, "--format", "text");
    expect(text.stdout).toContain("đã giải quyết 2 (trước và đúng hạn 0, trễ hạn 2)");
  });

  it("agrees with the index's 2.1, which already judged it at the request", async () => {
    const { stdout } = await q3(lateCase(), "--format", "index");
    expect(stdout).toMatch(/2\.1 [^\n]*: 0% \(0\/1\)/);
  });
});

describe("report: dossiers with no calendar are named", () => {
  // 20 working days from 2026-12-21 end in 2027, a year the calendar has no data for yet.
  const noCalendar = () =>
    eventsFile("no-calendar.ndjson", [
      received("N-1", "2026-12-21T08:00", { processingDays: 20 }),
      received("N-2", "2026-12-01T08:00", { processingDays: 5 }),
    ]);
  const q4 = (...more: string[]) =>
    cli("report", "--events", noCalendar(), "--period", "2026-Q4", "--as-of", "2026-12-31", ...more);
  const vi =
    "Ghi chú: 1 hồ sơ có hạn giải quyết rơi vào năm chưa có lịch ngày nghỉ, ngày làm bù: chưa xác định được đúng hạn hay trễ hạn cho đến khi bổ sung lịch năm đó; tạm tính vào cột trong hạn, đúng hạn.";

  it("in the text report, in Vietnamese and in English", async () => {
    const { code, stdout } = await q4("--format", "text");
    expect(code).toBe(0);
    expect(stdout).toContain("đang giải quyết 2 (còn trong hạn 1, quá hạn 1).");
    expect(stdout).toContain(vi);
    const en = await q4("--format", "text", "--lang", "en");
    expect(en.stdout).toContain(
      "Note: 1 dossier has a deadline in a year without calendar data: whether they are on time or late is unknown",
    );
  });

  it("in form II.06a's footnotes", async () => {
    const { code, stdout } = await q4("--format", "form-csv");
    expect(code).toBe(0);
    // One footnote line among the form's (a district dossier of 2026 adds the two-level one).
    expect(stdout.trimEnd().split("\r\n")).toContain(`"${vi.replaceAll('"', '""')}"`);
  });

  it("in the index", async () => {
    const { code, stdout } = await q4("--format", "index");
    expect(code).toBe(0);
    expect(stdout).toContain(vi);
  });

  it("and not at all when every deadline is known", async () => {
    const known = eventsFile("known.ndjson", [received("N-2", "2026-12-01T08:00", { processingDays: 5 })]);
    // Each format's own report of the one dossier, with no note of an unknown year.
    const shown: Record<string, string> = {
      text: "Tổng hồ sơ tiếp nhận: 1",
      "form-csv": "Biểu số II.06a/VPCP/KSTT",
      index: "2.1 Tiến độ giải quyết (đúng hạn, trong hạn): 0% (0/1)",
    };
    for (const [format, line] of Object.entries(shown)) {
      const { code, stdout } = await cli(
        "report",
        "--events",
        known,
        "--period",
        "2026-Q4",
        "--as-of",
        "2026-12-31",
        "--format",
        format,
      );
      expect(code, format).toBe(0);
      expect(stdout, format).toContain(line);
      expect(stdout, format).not.toContain("năm chưa có lịch");
    }
  });
});

describe("report: the figures' instant", () => {
  it("is the end of a closed period, as the form says, not the time the command ran", async () => {
    const file = lateCase();
    // No --as-of: taken now, years after the period ended.
    const text = await cli("report", "--events", file, "--period", "2022-Q3", "--format", "text");
    expect(text.code).toBe(0);
    expect(text.stdout.split("\n")[0]).toBe(
      "Kỳ báo cáo 01/07/2022 – 30/09/2022 (số liệu tính đến 30/09/2022 23:59)",
    );
    const form = await cli("report", "--events", file, "--period", "2022-Q3", "--format", "form-csv");
    expect(form.stdout).toContain("Số liệu tính đến: 30/09/2022 23:59");
  });

  it("is the instant asked for while the period runs", async () => {
    const { stdout } = await cli(
      "report",
      "--events",
      lateCase(),
      "--period",
      "2022-Q3",
      "--as-of",
      "2022-08-15T10:00:00+07:00",
      "--format",
      "text",
      "--lang",
      "en",
    );
    expect(stdout.split("\n")[0]).toBe("Period 01/07/2022 – 30/09/2022 (figures as of 15/08/2022 10:00)");
  });
});

describe("report: index 2.1's supplement rule, and the deployment's catalog", () => {
  it("counts index 2.1 as the portal's description words it: more than one supplement request makes a dossier not finished overdue; a finished one is judged by when it finished", async () => {
    let n = 0;
    const ev = (id: string, type: string, at: string, data: object = {}) =>
      `${JSON.stringify({ eventId: `${id}-${++n}`, type, occurredAt: at, dossierId: id, data })}\n`;
    // Received Mon 2022-07-04, 10 working days: due 2022-07-18 17:00 before any pause.
    const received = (id: string) =>
      ev(id, "dossier.received", "2022-07-04T09:00:00+07:00", {
        unitId: "u1",
        procedureCode: "p",
        channel: "direct",
        processingDays: 10,
      });
    const twoRequests = (id: string) =>
      ev(id, "dossier.supplement_requested", "2022-07-05T09:00:00+07:00") +
      ev(id, "dossier.supplement_received", "2022-07-06T09:00:00+07:00") +
      ev(id, "dossier.supplement_requested", "2022-07-07T09:00:00+07:00") +
      ev(id, "dossier.supplement_received", "2022-07-08T09:00:00+07:00");
    const events =
      // F: two requests, resolved well before its due instant: on time.
      received("F") +
      twoRequests("F") +
      ev("F", "dossier.resolved", "2022-07-12T09:00:00+07:00", { outcome: "approved" }) +
      // W: two requests, withdrawn before its due instant: on time.
      received("W") +
      twoRequests("W") +
      ev("W", "dossier.withdrawn", "2022-07-12T09:00:00+07:00") +
      // P: two requests, still open (not due by the period's end at this T): overdue.
      received("P") +
      twoRequests("P") +
      // Q: one request, waiting for the supplement, asked before its due instant: on time.
      received("Q") +
      ev("Q", "dossier.supplement_requested", "2022-07-05T09:00:00+07:00");
    const file = join(dir, "i21-supplements.ndjson");
    writeFileSync(file, events);
    const { code, stdout } = await cli(
      "report",
      "--events",
      file,
      "--period",
      "2022-Q3",
      "--format",
      "index",
      "--as-of",
      "2022-07-13T09:00:00+07:00",
    );
    expect(code).toBe(0);
    const line = stdout.split("\n").find((l) => l.startsWith("- 2.1 "));
    // F, W and Q on time; P overdue: 3 of 4.
    expect(line).toMatch(/: 75% \(3\/4\)/);
  });

  it("counts with the deployment's catalog given by --catalog, and names a bad one's field", async () => {
    // A procedure the seed's catalog lacks, with no period in its event: only the catalog dates it.
    const file = join(dir, "catalog-events.ndjson");
    writeFileSync(
      file,
      `${JSON.stringify({
        eventId: "cat-1",
        type: "dossier.received",
        occurredAt: "2022-07-04T09:00:00+07:00",
        dossierId: "CAT-1",
        data: { unitId: "u1", procedureCode: "9.999999", channel: "direct" },
      })}\n`,
    );
    const catalog = join(dir, "catalog.json");
    const procedure = {
      code: "9.999999",
      vi: "Thủ tục của tỉnh",
      en: "A province's procedure",
      domain: "dat-dai",
    };
    writeFileSync(catalog, JSON.stringify({ procedures: [{ ...procedure, days: 2 }] }));
    const report = async (...extra: string[]) => {
      const args = [
        "report",
        "--events",
        file,
        "--period",
        "2022-Q3",
        "--as-of",
        "2022-07-20T09:00:00+07:00",
      ];
      const { code, stdout } = await cli(...args, ...extra);
      expect(code).toBe(0);
      return JSON.parse(stdout) as { pending: { overdue: number } };
    };
    // Without it the dossier has no due instant and is never overdue; with it, due 2022-07-06.
    expect((await report()).pending.overdue).toBe(0);
    expect((await report("--catalog", catalog)).pending.overdue).toBe(1);
    // Written with a byte order mark, as the other files the CLI reads may be.
    const marked = join(dir, "catalog-bom.json");
    writeFileSync(marked, `\uFEFF${JSON.stringify({ procedures: [{ ...procedure, days: 2 }] })}`);
    expect((await report("--catalog", marked)).pending.overdue).toBe(1);
    const bad = join(dir, "catalog-bad.json");
    writeFileSync(bad, JSON.stringify({ procedures: [{ ...procedure, days: -1 }] }));
    const refused = await cli("report", "--events", file, "--period", "2022-Q3", "--catalog", bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/catalog-bad\.json: procedures\[0\]\.days: /);
  });
});
