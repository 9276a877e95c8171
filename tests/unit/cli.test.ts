import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import readXlsxFile from "read-excel-file/node";
import { beforeAll, describe, expect, it } from "vitest";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import { computeReport } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { cli } from "../helpers/cli";
import { ROOT } from "../helpers/fixtures";

const dir = mkdtempSync(join(tmpdir(), "dm-cli-"));

const SEED_FIGURES = {
  received: { total: 5520, carriedOver: 0, new: 5520, online: 2, direct: 5518, postal: 0 },
  withdrawn: 0,
  pending: { total: 775, withinDeadline: 660, overdue: 115 },
};

describe("the seed scenario", () => {
  for (const seed of [1, 7, 2022]) {
    it(`gives exactly the seed report's figures (seed ${seed})`, () => {
      const r = computeReport(
        seed2022Q3({ seed }),
        { calendar: WorkingCalendar.official(), catalog: catalogOf() },
        // A month after the quarter closed, as the office compiled its report (not the machine's
        // clock: the figures must not depend on when the test runs).
        { period: SEED_PERIOD, asOf: instant("2022-10-31T00:00:00+07:00") },
      );
      expect(r).toMatchObject(SEED_FIGURES);
      expect(r.resolved.total).toBe(4745);
      expect(r.resolved.early + r.resolved.onTime).toBe(4400);
      expect(r.resolved.late).toBe(345);
      // Late ones pile up in land; social protection carries never-closed overdue dossiers.
      const land = r.byDomain.find((d) => d.domain === "dat-dai");
      expect(land?.resolved.late).toBeGreaterThan(r.resolved.late / 2);
      expect(r.byDomain.find((d) => d.domain === "bao-tro-xa-hoi")?.pending.overdue).toBeGreaterThan(0);
      expect(r.dataQuality.orphanDossiers).toBeGreaterThan(0);
      expect(r.ratings.total).toBeGreaterThan(0);
    });
  }

  it("is deterministic for a seed, and differs between seeds", () => {
    expect(JSON.stringify(seed2022Q3({ seed: 3 }))).toBe(JSON.stringify(seed2022Q3({ seed: 3 })));
    expect(JSON.stringify(seed2022Q3({ seed: 3 }))).not.toBe(JSON.stringify(seed2022Q3({ seed: 4 })));
  });

  it("holds what the seed scenario is for: transfers, pauses, apologies, duplicates, later events", () => {
    const events = seed2022Q3();
    const types = new Map<string, number>();
    for (const e of events) types.set(e.type, (types.get(e.type) ?? 0) + 1);
    for (const t of [
      "dossier.transferred",
      "dossier.supplement_requested",
      "dossier.deadline_extended",
      "dossier.returned",
      "dossier.rated",
      "dossier.withdrawn",
    ]) {
      expect(types.get(t), t).toBeGreaterThan(0);
    }
    expect(new Set(events.map((e) => e.eventId)).size).toBeLessThan(events.length);
    expect(events.some((e) => e.occurredAt > "2022-09-06")).toBe(true);
    expect(
      new Set(events.map((e) => (e.type === "dossier.received" ? e.data.unitId : ""))).size,
    ).toBeGreaterThan(5);
  });
});

/** `report` over the seed report's window. */
const seedReport = (file: string, ...more: string[]) =>
  cli("report", "--events", file, "--from", "2022-06-06", "--to", "2022-09-05", ...more);

describe("dossier-monitor (docs/cli.md)", () => {
  const q3 = join(dir, "q3.ndjson");
  beforeAll(async () => {
    const { code, stdout } = await cli("simulate", "--scenario", "seed-2022-q3");
    expect(code).toBe(0);
    writeFileSync(q3, stdout);
  });

  it("prints the seed report as JSON, nothing else on stdout", async () => {
    const { code, stdout } = await seedReport(q3, "--format", "json");
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r).toMatchObject({
      ...SEED_FIGURES,
      period: { from: "2022-06-06", to: "2022-09-05", timeZone: "Asia/Ho_Chi_Minh" },
    });
    expect(r.resolved.total).toBe(4745);
    expect(r.resolved.late).toBe(345);
  });

  it("prints the Vietnamese sentence of docs/kpis.md with --format text", async () => {
    const { code, stdout } = await seedReport(q3, "--format", "text");
    expect(code).toBe(0);
    expect(stdout).toContain(
      "Tổng hồ sơ tiếp nhận: 5.520 (trực tiếp 5.518, trực tuyến 2); đã giải quyết 4.745 (trước và đúng hạn 4.400, trễ hạn 345); đang giải quyết 775 (còn trong hạn 660, quá hạn 115).",
    );
  });

  it("prints CSV with a whole-office row", async () => {
    const { stdout } = await seedReport(q3, "--format", "csv", "--lang", "en");
    const total = stdout.trim().split("\r\n").at(-1);
    expect(total).toMatch(/^Whole office,5520,0,5520,2,5518,0,4745,\d+,\d+,345,0,775,660,115,/);
  });

  it("reports a malformed line with its line number and field, and exits 1", async () => {
    const bad = join(dir, "bad.ndjson");
    const good =
      '{"eventId":"a","type":"dossier.returned","occurredAt":"2022-06-06T08:00:00+07:00","dossierId":"D","data":{}}';
    // Line 4 carries an applicant's name where it breaks the JSON: the message says where, never what.
    const named = '{"eventId":"b","applicant":Nguyễn Văn A,"phone":"0900000000"}';
    writeFileSync(bad, `${good}\n${good.replace('"data":{}', '"data":{"x":1}')}\n{oops\n${named}\n`);
    const { code, stdout, stderr } = await seedReport(bad);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(`${bad}:2: data.x: unknown field`);
    expect(stderr).toContain(`${bad}:3: (json): malformed JSON`);
    expect(stderr).toContain(`${bad}:4: (json): malformed JSON: not valid JSON`);
    expect(stderr).not.toContain("Nguyễn");
    expect(stderr).not.toContain("0900000000");
  });

  it("refuses a file that is not UTF-8 (a Latin-1 export) in report and send rather than mangling its ids, and exits 1", async () => {
    const file = join(dir, "latin1.ndjson");
    writeFileSync(
      file,
      Buffer.from(
        '{"eventId":"a","type":"dossier.returned","occurredAt":"2022-06-06T08:00:00+07:00","dossierId":"HS-Hà-Nội","data":{}}\n',
        "latin1",
      ),
    );
    const { code, stdout, stderr } = await seedReport(file);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(`${file}: not UTF-8 text`);
    // send refuses it before posting anything (nothing listens on port 9).
    const sent = await cli("send", file, "--api", "http://127.0.0.1:9", "--key", "dm_i_unused");
    expect(sent.code).toBe(1);
    expect(sent.stderr).toContain(`${file}: not UTF-8 text`);
  });

  it("reports a dossier due in 2027 as no_calendar, exits 0, and changes no other figure (docs/rules.md R6)", async () => {
    const line = (id: string, dossier: string, at: string, unit: string, days: number) =>
      `{"eventId":"${id}","type":"dossier.received","occurredAt":"${at}","dossierId":"${dossier}","data":{"unitId":"${unit}","procedureCode":"p","channel":"direct","processingDays":${days}}}\n`;
    const others =
      line("a", "A", "2026-11-02T09:00:00+07:00", "u1", 5) +
      line("b", "B", "2026-12-01T09:00:00+07:00", "u1", 3) +
      '{"eventId":"b2","type":"dossier.resolved","occurredAt":"2026-12-08T09:00:00+07:00","dossierId":"B","data":{"outcome":"approved"}}\n';
    const without = join(dir, "2026.ndjson");
    const withIt = join(dir, "2027.ndjson");
    writeFileSync(without, others);
    writeFileSync(withIt, others + line("c", "C", "2026-12-28T09:00:00+07:00", "u2", 10));
    const args = ["--from", "2026-10-01", "--to", "2026-12-31", "--as-of", "2026-12-31"];
    const base = await cli("report", "--events", without, ...args);
    const { code, stdout, stderr } = await cli("report", "--events", withIt, ...args);
    expect(base.code).toBe(0);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const before = JSON.parse(base.stdout);
    const after = JSON.parse(stdout);
    expect(after.dataQuality.anomalies).toEqual({ no_calendar: 1 });
    expect(before.dataQuality.anomalies).toEqual({});
    // The other unit's figures are exactly what they were without it.
    const u1 = (r: { byUnit: { unit: string }[] }) => r.byUnit.find((b) => b.unit === "u1");
    expect(u1(after)).toEqual(u1(before));
    expect(after.resolved).toEqual(before.resolved);
    // The dossier itself is kept and counted: received, pending, its SLA unknown (not overdue).
    expect(after.received.new).toBe(before.received.new + 1);
    expect(after.pending.total).toBe(before.pending.total + 1);
    expect(after.pending.overdue).toBe(before.pending.overdue);
  });

  it("counts index 5.4 by dossier: one late and rated 1 subtracts once; a complaint about 'other' does not, one about the handling does", async () => {
    const ev = (id: string, type: string, at: string, data: object) =>
      `${JSON.stringify({ eventId: `${id}-${type}`, type, occurredAt: at, dossierId: id, data })}\n`;
    const dossier = (id: string, late: boolean) =>
      ev(id, "dossier.received", "2022-07-04T09:00:00+07:00", {
        unitId: "u1",
        procedureCode: "p",
        channel: "direct",
        processingDays: 3,
      }) +
      ev(id, "dossier.resolved", late ? "2022-07-14T09:00:00+07:00" : "2022-07-06T09:00:00+07:00", {
        outcome: "approved",
      });
    const base =
      dossier("A", true) +
      ev("A", "dossier.rated", "2022-07-15T09:00:00+07:00", { score: 1, channel: "kiosk" }) +
      dossier("B", false) +
      ev("B", "dossier.complaint_received", "2022-07-16T09:00:00+07:00", { about: "other" }) +
      dossier("C", false) +
      dossier("D", false);
    const line54 = async (content: string) => {
      const file = join(dir, `i54-${content.length}.ndjson`);
      writeFileSync(file, content);
      const { code, stdout } = await cli(
        "report",
        "--events",
        file,
        "--period",
        "2022-Q3",
        "--format",
        "index",
      );
      expect(code).toBe(0);
      return stdout.split("\n").find((l) => l.startsWith("- 5.4 "));
    };
    // A late and rated 1 (once), B's complaint about something else (not at all): 3 of 4.
    expect(await line54(base)).toMatch(
      /^- 5\.4 Mức độ hài lòng \(chỉ số 766\): 75% \(3\/4\); đạt 83,33% số điểm tối đa/,
    );
    const handled = `${base}${ev("C", "dossier.complaint_received", "2022-07-16T10:00:00+07:00", { about: "handling" })}`;
    expect(await line54(handled)).toMatch(/: 50% \(2\/4\);/);
  });

  it("has no district row on a 2025-Q3 form; a district dossier received from 2025-07-01 is an abolished_level anomaly, kept and counted", async () => {
    const line = (id: string, at: string, level: string, domain: string) =>
      `{"eventId":"${id}","type":"dossier.received","occurredAt":"${at}","dossierId":"${id}","data":{"unitId":"u1","procedureCode":"p","channel":"direct","processingDays":5,"domain":"${domain}","level":"${level}"}}\n`;
    const file = join(dir, "2025-q3.ndjson");
    writeFileSync(
      file,
      line("P", "2025-07-02T09:00:00+07:00", "province", "dat-dai") +
        line("C", "2025-07-03T09:00:00+07:00", "commune", "ho-tich") +
        // Received on the last day of districts, still open: carried over into the two-level quarter.
        line("D0", "2025-06-30T09:00:00+07:00", "district", "dat-dai") +
        // Received once districts no longer exist: the anomaly.
        line("D1", "2025-07-01T09:00:00+07:00", "district", "dat-dai"),
    );
    const args = ["--events", file, "--period", "2025-Q3", "--as-of", "2025-09-30"];
    const json = await cli("report", ...args, "--format", "json");
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.dataQuality.anomalies).toEqual({ abolished_level: 1 });
    expect(report.received.total).toBe(4);
    const form = await cli("report", ...args, "--format", "form-csv");
    expect(form.code).toBe(0);
    const rows = form.stdout.split("\r\n");
    expect(rows.some((r) => r.includes("Cấp huyện"))).toBe(false);
    const level = (stt: string, name: string) =>
      rows.find((r) => r.startsWith(`${stt},${name},`))?.split(",")[2];
    expect(level("I", "Cấp tỉnh")).toBe("1");
    expect(level("II", "Cấp xã")).toBe("1");
    // Both district dossiers go to the row of an unknown level, named in a footnote; nothing is lost.
    expect(level("III", "Cấp chưa xác định")).toBe("2");
    expect(rows.find((r) => r.startsWith(",Tổng cộng,"))?.split(",")[2]).toBe("4");
    expect(
      rows.some((r) =>
        /Số hồ sơ ghi cấp huyện, cấp không còn từ ngày 01\/7\/2025 .*: 2, tính ở dòng/.test(r),
      ),
    ).toBe(true);
    // A 2025-Q2 form still has its district row.
    const q2 = await cli(
      "report",
      "--events",
      file,
      "--period",
      "2025-Q2",
      "--as-of",
      "2025-06-30",
      "--format",
      "form-csv",
    );
    expect(q2.stdout.split("\r\n").some((r) => r.startsWith("II,Cấp huyện,1,"))).toBe(true);
  });

  it("exits 2 on a usage error", async () => {
    expect((await cli("report", "--events", q3)).code).toBe(2);
    expect((await cli("report", "--events", q3, "--from", "2022-13-01", "--to", "2022-09-05")).code).toBe(2);
    expect((await cli("nonsense")).code).toBe(2);
    // No command, or a group without its subcommand: help, and a usage error; help asked for: 0.
    expect((await cli()).code).toBe(2);
    expect((await cli("units")).code).toBe(2);
    expect((await cli("--help")).code).toBe(0);
    expect((await cli("help", "report")).code).toBe(0);
    // A period name the scheme reads as other dates than --from/--to; --as-of before the period.
    const july = await cli(
      "report",
      "--events",
      q3,
      "--period",
      "2022-Q3",
      "--from",
      "2022-07-01",
      "--to",
      "2022-07-31",
    );
    expect(july.code).toBe(2);
    expect(july.stderr).toContain(
      "--period 2022-Q3 is 2022-07-01..2022-09-30, not the --from and --to given",
    );
    const early = await cli("report", "--events", q3, "--period", "2022-Q3", "--as-of", "2022-01-01");
    expect(early.code).toBe(2);
    expect(early.stderr).toContain("--as-of: before the period's first day (2022-07-01)");
  });

  it("reads a unit directory written with a byte order mark, as events files are", async () => {
    const units = join(dir, "units-bom.json");
    writeFileSync(units, `\uFEFF${readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")}`);
    const text = await cli(
      "report",
      "--events",
      q3,
      "--period",
      "2022-Q3",
      "--as-of",
      "2022-09-30",
      "--units",
      units,
      "--format",
      "text",
    );
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Phòng Tài nguyên và Môi trường");
    // A directory `units import` refuses (a unit listed twice) is refused here too.
    const twice = join(dir, "units-twice.json");
    const file = JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8"));
    writeFileSync(
      twice,
      JSON.stringify({ ...file, units: [...file.units, { ...file.units[0], nameVi: "Khác" }] }),
    );
    const refused = await cli("report", "--events", q3, "--period", "2022-Q3", "--units", twice);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`units: ${file.units[0].id} appears twice`);
  });

  it("writes any format to --out when given, and names whose index it is", async () => {
    const window = ["--from", "2022-06-06", "--to", "2022-09-05", "--as-of", "2022-09-05"];
    const out = join(dir, "report.json");
    const written = await cli("report", "--events", q3, ...window, "--out", out);
    expect(written.code).toBe(0);
    expect(written.stdout).toBe("");
    expect(JSON.parse(readFileSync(out, "utf8")).received.total).toBe(5520);
    const units = join(ROOT, "events/units/seed-units.json");
    const index = await cli(
      "report",
      "--events",
      q3,
      ...window,
      "--units",
      units,
      "--unit",
      "phong-tnmt",
      "--format",
      "index",
    );
    expect(index.code).toBe(0);
    expect(index.stdout.split("\n")[0]).toBe("Phòng Tài nguyên và Môi trường");
  });

  it("refuses a --unit no event names (a typo, not a report of zeros), and --unit on form II.06a", async () => {
    const window = ["--from", "2022-06-06", "--to", "2022-09-05", "--as-of", "2022-09-05"];
    const known = await cli(
      "report",
      "--events",
      q3,
      ...window,
      "--unit",
      "phong-tu-phap",
      "--format",
      "json",
    );
    expect(known.code).toBe(0);
    expect(JSON.parse(known.stdout).received.total).toBeGreaterThan(0);
    const typo = await cli("report", "--events", q3, ...window, "--unit", "phong-tu-phapp");
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("--unit phong-tu-phapp: no event in the files names this unit");
    expect(typo.stdout).toBe("");
    const units = join(ROOT, "events/units/seed-units.json");
    const unlisted = await cli("report", "--events", q3, ...window, "--units", units, "--unit", "phong-moi");
    expect(unlisted.code).toBe(1);
    expect(unlisted.stderr).toContain("the --units directory does not list it");
    const form = await cli(
      "report",
      "--events",
      q3,
      ...window,
      "--unit",
      "phong-tu-phap",
      "--format",
      "form-csv",
    );
    expect(form.code).toBe(2);
    expect(form.stderr).toContain("--unit: form II.06a is an office's or an agency's");
    expect(form.stdout).toBe("");
  });

  it("answers a user's mistake in options and files in one line naming it, never with a stack", async () => {
    const cases: [string[], number, string][] = [
      [["serve", "--clock", "bad"], 2, "'--clock <instant>' argument 'bad' is invalid"],
      [["serve", "--fresh", "--clock", "bad", "--data-dir", join(dir, "kept")], 2, "--clock <instant>"],
      [["serve", "--speed", "abc"], 2, "'--speed <n>' argument 'abc' is invalid"],
      [["serve", "--api-port", "x"], 2, "'--api-port <port>' argument 'x' is invalid"],
      [["report", "--api", "notaurl", "--key", "k", "--period", "2022-Q3"], 2, "expected an http(s) URL"],
      [["send", q3, "--api", "ftp://x", "--key", "k"], 2, "expected an http(s) URL"],
      [["send", dir, "--api", "http://127.0.0.1:9", "--key", "k"], 1, "a folder, not an events file"],
      [
        ["report", "--api", "http://127.0.0.1:9", "--key", "k", "--from", "2022-07-01", "--to", "2022-09-30"],
        2,
        "--from, --to: for a report from events files",
      ],
      [
        [
          "report",
          "--events",
          q3,
          "--from",
          "2022-06-06",
          "--to",
          "2022-09-05",
          "--format",
          "form-csv",
          "--out",
          join(dir, "no-such-folder", "x.csv"),
        ],
        1,
        "no such file or directory",
      ],
      [
        ["report", "--events", q3, "--period", "2022-Q3", "--calendar", join(dir, "no-calendar.json")],
        1,
        "no-calendar.json: cannot read: no such file or directory",
      ],
      [["import", q3, "--table", "T"], 2, "--table: Too small"],
      [["import", q3, "--table", "Tab", "--endpoint", "notaurl"], 2, "expected an http(s) URL, as serve's"],
      [
        ["report", "--events", q3, "--from", "2022-06-06", "--to", "2022-09-05", "--period", "x".repeat(100)],
        2,
        "--period: a name of 1 to 64 characters, on one line (got 100 characters)",
      ],
      [["report", "--events", q3, "--period", "0001-Q1"], 2, '--period: "0001-Q1" is not a period name'],
      [["report", "--events", q3, "--period", "2099-Q1"], 2, "--period: 2099-Q1 has not begun"],
      [
        ["report", "--events", q3, "--from", "2099-01-01", "--to", "2099-03-31"],
        2,
        "--from: 2099-01-01 has not come yet",
      ],
    ];
    // --fresh with a bad clock deletes nothing (the clock is checked first).
    mkdirSync(join(dir, "kept"), { recursive: true });
    writeFileSync(join(dir, "kept", "keep.txt"), "x");
    for (const [args, code, said] of cases) {
      const out = await cli(...args);
      expect(out.code, args.join(" ")).toBe(code);
      expect(out.stderr, args.join(" ")).toContain(said);
      expect(out.stderr, args.join(" ")).not.toMatch(/^\s+at /m);
    }
    expect(existsSync(join(dir, "kept", "keep.txt"))).toBe(true);
  });

  it("reads a period by name in a scheme", async () => {
    const { code, stdout } = await cli(
      "report",
      "--events",
      q3,
      "--period",
      "2022-Q3",
      "--scheme",
      "reporting-window",
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout).period).toMatchObject({
      name: "2022-Q3",
      from: "2022-06-15",
      to: "2022-09-14",
    });
  });

  it("writes form II.06a as XLSX whose total row is the report's, and the national index with 2.1 = 91.67%", async () => {
    const out = join(dir, "form.xlsx");
    const form = await seedReport(q3, "--format", "form-xlsx", "--out", out);
    expect(form.code).toBe(0);
    const sheet =
      ((await readXlsxFile(readFileSync(out))) as unknown as { data: unknown[][] }[])[0]?.data ?? [];
    const total = sheet.find((r) => r[1] === "Tổng cộng");
    expect(total?.slice(2, 13)).toEqual([5520, 2, 5518, 0, 4745, total?.[7], total?.[8], 345, 775, 660, 115]);
    expect(Number(total?.[7]) + Number(total?.[8])).toBe(4400);
    const csv = await seedReport(q3, "--format", "form-csv");
    expect(csv.stdout.split("\r\n").find((l) => l.startsWith(",Tổng cộng,"))).toBe(
      `,Tổng cộng,${(total?.slice(2, 13) ?? []).join(",")}`,
    );
    const index = await seedReport(q3, "--format", "index");
    expect(index.code).toBe(0);
    expect(index.stdout).toContain(
      "2.1 Tiến độ giải quyết (đúng hạn, trong hạn): 91,67% (5.060/5.520); đạt 91,67% số điểm tối đa (điểm = tỷ lệ × điểm tối đa)",
    );
    // 5.4 as Decision 766 words it, over the seed's 64 ratings: above 90 %, full points.
    const satisfaction =
      /5\.4 Mức độ hài lòng \(chỉ số 766\): (9\d,\d+)% \(([\d.]+)\/5\.520\); đạt 100% số điểm tối đa/.exec(
        index.stdout,
      );
    expect(satisfaction).not.toBeNull();
    expect(Number(satisfaction?.[1]?.replace(",", "."))).toBeLessThan(91.67);
    // In Vietnamese throughout, the reasons too.
    expect(index.stdout).toMatch(/1\.4 .*chưa tính được: cần số hồ sơ/);
    expect(index.stdout).not.toMatch(/\b(needs|no dossier|per procedure)\b/);
  });

  it("names units with --units in text, CSV and the index; without it, ids and a one-line hint on stderr", async () => {
    const units = join(ROOT, "events/units/seed-units.json");
    const hint = /^note: units are shown by id; give --units FILE .*\n$/;
    for (const format of ["text", "csv", "index"]) {
      const bare = await seedReport(q3, "--format", format);
      expect(bare.code).toBe(0);
      expect(bare.stdout).toContain("cn-vpdk-dat-dai");
      expect(bare.stderr).toMatch(hint);
      const named = await seedReport(q3, "--format", format, "--units", units);
      expect(named.code).toBe(0);
      expect(named.stdout).toContain("Chi nhánh Văn phòng Đăng ký đất đai");
      expect(named.stdout).not.toContain("cn-vpdk-dat-dai");
      expect(named.stderr).toBe("");
    }
    const english = await seedReport(q3, "--format", "csv", "--lang", "en", "--units", units);
    expect(english.stdout).toContain("Land Registration Office branch,1900,");
    // JSON is for machines: ids, and nothing on stderr.
    expect((await seedReport(q3, "--format", "json")).stderr).toBe("");
    const bad = join(dir, "bad-units.json");
    writeFileSync(bad, JSON.stringify({ leadership: [], units: [{ id: "x" }] }));
    const refused = await seedReport(q3, "--format", "text", "--units", bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/bad-units\.json: unit directory: .*units\.0\.nameVi: /);
  });

  it("takes the office, the form's title, domain names and index targets from --settings; a bad file names the field", async () => {
    const settings = join(dir, "official.json");
    writeFileSync(
      settings,
      JSON.stringify({
        office: { vi: "UBND huyện Thử Nghiệm", en: "Thu Nghiem District" },
        formTitle: { vi: "Tình hình giải quyết TTHC (biểu thử)", en: "Test form" },
        domains: { "dat-dai": { vi: "Đất đai và đo đạc", en: "Land and surveying" } },
        targets: { "2.1": 0.95 },
      }),
    );
    const form = await seedReport(q3, "--format", "form-csv", "--settings", settings);
    expect(form.code).toBe(0);
    const lines = form.stdout.split("\r\n");
    expect(lines.slice(1, 3)).toEqual([
      "Tình hình giải quyết TTHC (biểu thử)",
      "Đơn vị báo cáo: UBND huyện Thử Nghiệm",
    ]);
    expect(lines.some((l) => l.includes(",Đất đai và đo đạc,"))).toBe(true);
    const index = await seedReport(q3, "--format", "index", "--settings", settings);
    expect(index.stdout).toContain(
      "2.1 Tiến độ giải quyết (đúng hạn, trong hạn): 91,67% (5.060/5.520); đạt 91,67% số điểm tối đa (điểm = tỷ lệ × điểm tối đa); mục tiêu 95%",
    );
    writeFileSync(settings, JSON.stringify({ targets: { "2.1": 95 } }));
    const bad = await seedReport(q3, "--format", "index", "--settings", settings);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/official\.json: targets\.2\.1: Too big/);
  });
});
