import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AgencyDirectoryFile } from "../../lib/domain/agency-file";
import type { DossierEvent } from "../../lib/domain/events/schema";
import type { Report } from "../../lib/domain/report";
import { cli } from "../helpers/cli";
import { ROOT } from "../helpers/fixtures";

const dir = mkdtempSync(join(tmpdir(), "dm-cli-agency-"));
const UNITS = join(ROOT, "events/units/province-sample.json");

describe("report --events … --units FILE --agency ID", () => {
  const directory = JSON.parse(readFileSync(UNITS, "utf8")) as AgencyDirectoryFile;
  const agencies = directory.agencies ?? [];
  // A commune merged on 2025-07-01, its successor, and a unit of each.
  const old = agencies.find(
    (a) => a.level === "commune" && a.successorIds?.length,
  ) as (typeof agencies)[number];
  const successor = old.successorIds?.[0] as string;
  const oldUnit = directory.units.find((u) => u.parentId === old.id)?.id as string;
  const newUnit = directory.units.find((u) => u.parentId === successor)?.id as string;
  const department = directory.units.find((u) => u.level === "provincial-department" && !u.validTo)
    ?.id as string;
  let n = 0;
  const received = (dossierId: string, unitId: string, at: string): DossierEvent => ({
    eventId: `e${n++}`,
    type: "dossier.received",
    occurredAt: `${at}T09:00:00+07:00`,
    dossierId,
    data: { unitId, procedureCode: "1.000001", channel: "online", domain: "ho-tich", processingDays: 60 },
  });
  const resolved = (dossierId: string, at: string): DossierEvent => ({
    eventId: `e${n++}`,
    type: "dossier.resolved",
    occurredAt: `${at}T10:00:00+07:00`,
    dossierId,
    data: { outcome: "approved" },
  });
  const events = [
    received("A", oldUnit, "2025-05-12"),
    resolved("A", "2025-08-05"),
    received("B", oldUnit, "2025-06-02"),
    resolved("B", "2025-06-10"),
    received("C", newUnit, "2025-07-15"),
    received("E", department, "2025-06-05"),
  ];
  const file = join(dir, "province.ndjson");
  writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
  const report = async (period: string, ...more: string[]) => {
    const r = await cli("report", "--events", file, "--period", period, "--as-of", "2025-12-31", ...more);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as Report;
  };

  it("reports a merged commune's dossiers under it before 2025-07-01 and under its successor after", async () => {
    const before = await report("2025-Q2", "--units", UNITS, "--agency", old.id);
    expect(before.received.total).toBe(2);
    // The report says whose it is, as the API's does.
    expect(before.agency).toBe(old.id);
    expect(before.byUnit.map((u) => u.unit)).toEqual([oldUnit]);
    const after = await report("2025-Q3", "--units", UNITS, "--agency", successor);
    expect(after.received).toMatchObject({ total: 2, carriedOver: 1, new: 1 });
    expect(after.byUnit.map((u) => u.unit).sort()).toEqual([newUnit, oldUnit].sort());
    // The province is the whole report, as without --agency, named.
    const province = agencies.find((a) => a.parentId === undefined)?.id as string;
    expect(await report("2025-Q3", "--units", UNITS, "--agency", province)).toEqual({
      ...(await report("2025-Q3", "--units", UNITS)),
      agency: province,
    });
  });

  it("names in the CSV the agency each unit reports under in the period: the merged commune before, its successor after", async () => {
    const csv = async (period: string) => {
      const r = await cli(
        "report",
        "--events",
        file,
        "--period",
        period,
        "--as-of",
        "2025-12-31",
        "--units",
        UNITS,
        "--format",
        "csv",
      );
      expect(r.code).toBe(0);
      return r.stdout
        .trim()
        .split("\r\n")
        .map((line) => line.split(","));
    };
    const name = (id: string) => agencies.find((a) => a.id === id)?.nameVi;
    const unitName = (id: string) => directory.units.find((u) => u.id === id)?.nameVi;
    const q2 = await csv("2025-Q2");
    expect(q2[0]?.slice(0, 2)).toEqual(["Đơn vị", "Cơ quan"]);
    expect(q2.find((r) => r[0] === unitName(oldUnit))?.[1]).toBe(name(old.id));
    const q3 = await csv("2025-Q3");
    expect(q3.find((r) => r[0] === unitName(oldUnit))?.[1]).toBe(name(successor));
    expect(q3.find((r) => r[0] === unitName(newUnit))?.[1]).toBe(name(successor));
  });

  it("names the agency, and in form II.06a its parent as the recipient, as the stack's outputs do", async () => {
    const args = [
      "report",
      "--events",
      file,
      "--period",
      "2025-Q3",
      "--as-of",
      "2025-12-31",
      "--units",
      UNITS,
    ];
    const named = agencies.find((a) => a.id === successor) as (typeof agencies)[number];
    const parent = agencies.find((a) => a.id === named.parentId) as (typeof agencies)[number];
    const text = await cli(...args, "--agency", successor, "--format", "text");
    expect(text.code).toBe(0);
    expect(text.stdout.split("\n")[0]).toBe(named.nameVi);
    const form = await cli(...args, "--agency", successor, "--format", "form-csv");
    expect(form.code).toBe(0);
    const head = form.stdout.split("\r\n").slice(0, 4).join("\n");
    expect(head).toContain(`Đơn vị báo cáo: ${named.nameVi}`);
    expect(head).toContain(`Đơn vị nhận báo cáo: ${parent.nameVi}`);
  });

  it("refuses an agency the tree lacks, one not valid in the period, and --agency without --units", async () => {
    const args = ["report", "--events", file, "--period", "2025-Q3", "--as-of", "2025-12-31"];
    const unknown = await cli(...args, "--units", UNITS, "--agency", "xa-khong-co");
    // An id the data lacks is bad input (1), as an unknown --unit and the API's answer to either.
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/--agency: no agency xa-khong-co in the unit directory/);
    const ended = await cli(...args, "--units", UNITS, "--agency", old.id);
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain(`its dossiers count under ${successor}`);
    // An agency's id is no unit's: --unit refuses it, as any id the directory does not list.
    const agencyAsUnit = await cli(...args, "--units", UNITS, "--unit", successor);
    expect(agencyAsUnit.code).toBe(1);
    expect(agencyAsUnit.stderr).toContain(
      `--unit ${successor}: an agency of the directory's tree, not a unit: give --agency ${successor}`,
    );
    const alone = await cli(...args, "--agency", old.id);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--agency takes --api .*, or --events with --units/);
    const both = await cli(...args, "--units", UNITS, "--agency", successor, "--unit", "x");
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--agency and --unit: one or the other");
    // A directory without a tree is one office: no agency to name.
    const flat = await cli(
      ...args,
      "--units",
      join(ROOT, "events/units/seed-units.json"),
      "--agency",
      "office",
    );
    expect(flat.code).toBe(1);
    expect(flat.stderr).toContain("--agency: the unit directory has no agency tree");
  });
});
