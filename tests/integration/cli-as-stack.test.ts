import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyEvent } from "../../lib/app/apply";
import { readKpiReport } from "../../lib/app/kpis";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { parseOfficeHours } from "../../lib/domain/calendar/calendar-data";
import { catalogOf } from "../../lib/domain/catalog";
import type { CountingSettings } from "../../lib/domain/counting";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { periodByName } from "../../lib/domain/periods";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory, UnitDirectory } from "../../lib/domain/units";
import { cli } from "../helpers/cli";
import { testTable } from "../helpers/dynamo";
import { ROOT } from "../helpers/fixtures";

/**
 * `report --events` gives the stack's numbers when it is given the stage's directory and
 * settings: the integrations' grants, the units the directory lacks (refused), the office hours.
 * The same events go through the consumer's apply path on DynamoDB Local and through the CLI.
 */
const seed = JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8"));
const directoryFile = {
  ...seed,
  integrations: [
    { source: "igate", units: "*" },
    // The national portal may write the justice office's dossiers; feedback, any unit's.
    { source: "dvcqg", units: ["phong-tu-phap"] },
    { source: "feedback", units: "*" },
  ],
};
const parsed = parseUnitDirectory(directoryFile);
const units = new UnitDirectory(parsed.units, parsed.leadership, parsed.integrations);
const OFFICE_HOURS = "07:30-11:30,13:30-17:00";
const settings: CountingSettings = {
  calendar: WorkingCalendar.official([], parseOfficeHours(OFFICE_HOURS)),
  catalog: catalogOf(),
  scheme: { kind: "calendar-quarter" },
};
const period = periodByName(settings.scheme, "2022-Q3");
const asOf = "2022-07-29T17:00:00+07:00";

const ev = (e: Omit<DossierEvent, "data"> & { data: Record<string, unknown> }) => e as DossierEvent;
const received = (dossierId: string, unitId: string, occurredAt: string, data: Record<string, unknown>) =>
  ev({
    eventId: `r-${dossierId}`,
    type: "dossier.received",
    occurredAt,
    dossierId,
    source: "igate",
    data: { unitId, procedureCode: "1.001193", channel: "direct", ...data },
  });
/** The dossier's approval, told by `source`. */
const resolved = (dossierId: string, source: string, occurredAt: string) =>
  ev({
    eventId: `x-${dossierId}`,
    type: "dossier.resolved",
    occurredAt,
    dossierId,
    source,
    data: { outcome: "approved" },
  });
const EVENTS: DossierEvent[] = [
  // Resolved by the national portal, granted the justice office: counted by the stack.
  received("G-1", "phong-tu-phap", "2022-07-04T08:00:00+07:00", { processingDays: 5 }),
  ev({
    eventId: "c-G-1",
    type: "dossier.complaint_received",
    occurredAt: "2022-07-05T09:00:00+07:00",
    dossierId: "G-1",
    source: "feedback",
    data: { about: "handling" },
  }),
  resolved("G-1", "dvcqg", "2022-07-06T10:00:00+07:00"),
  // Told out of order: its transfer to the justice office first, then its receipt, then its
  // resolution by the portal, granted the office it was transferred to: the stack counts it.
  ev({
    eventId: "t-T-1",
    type: "dossier.transferred",
    occurredAt: "2022-07-05T09:00:00+07:00",
    dossierId: "T-1",
    source: "igate",
    data: { toUnitId: "phong-tu-phap" },
  }),
  received("T-1", "phong-tnmt", "2022-07-04T08:00:00+07:00", { processingDays: 5 }),
  resolved("T-1", "dvcqg", "2022-07-06T10:00:00+07:00"),
  // A unit the directory lacks: the stack refuses it (UNKNOWN_UNITS=reject).
  received("U-1", "phong-khong-co", "2022-07-04T08:00:00+07:00", { processingDays: 5 }),
  // Received at 07:00, four working hours: due 11:00 by the default hours, 11:30 by the stage's;
  // resolved at 11:15, on time only by the stage's.
  received("H-1", "phong-tnmt", "2022-07-05T07:00:00+07:00", { processingHours: 4 }),
  resolved("H-1", "igate", "2022-07-05T11:15:00+07:00"),
];

let table: Awaited<ReturnType<typeof testTable>>;
const dir = mkdtempSync(join(tmpdir(), "dm-cli-stack-"));
const eventsFile = join(dir, "events.ndjson");
const unitsFile = join(dir, "units.json");
beforeAll(async () => {
  table = await testTable("cli-as-stack");
  writeFileSync(eventsFile, EVENTS.map((e) => JSON.stringify(e)).join("\n"));
  writeFileSync(unitsFile, JSON.stringify(directoryFile));
});
afterAll(async () => table.drop());

/** The figures both give: what is received, resolved and pending, and the anomalies. */
const figures = (r: {
  received: unknown;
  resolved: unknown;
  pending: unknown;
  dataQuality: { anomalies: unknown };
}) => ({
  received: r.received,
  resolved: r.resolved,
  pending: r.pending,
  anomalies: r.dataQuality.anomalies,
});

describe("report --events with the stage's directory and settings", () => {
  it("gives the stack's numbers: grants, refused units and office hours as the stack applies them", async () => {
    if (!period) throw new Error("no 2022-Q3");
    const now = instant(asOf);
    const refused: string[] = [];
    for (const e of EVENTS) {
      const outcome = await applyEvent({ ...table.store, settings, units, now: () => now }, e);
      if (outcome.status === "quarantined") refused.push(e.dossierId);
    }
    expect(refused).toEqual(["U-1"]);
    const stack = await readKpiReport(table.store.counters, period, { asOf: now });
    const args = ["report", "--events", eventsFile, "--period", "2022-Q3", "--as-of", asOf];
    const out = await cli(...args, "--units", unitsFile, "--office-hours", OFFICE_HOURS);
    expect(out.code).toBe(0);
    const local = JSON.parse(out.stdout);
    expect(figures(local)).toEqual(figures(stack));
    expect(local.resolved).toMatchObject({ total: 3, late: 0 });
    expect(local.received.total).toBe(3);
    expect(out.stderr).toContain("1 event left out, as the stack would quarantine it");
    expect(out.stderr).toContain("U-1 r-U-1: unit phong-khong-co is not in the unit directory");
    // Without the stage's settings the CLI counts otherwise: each option is what makes them agree.
    const noHours = JSON.parse((await cli(...args, "--units", unitsFile)).stdout);
    expect(noHours.resolved.late).toBe(1);
    const noDirectory = JSON.parse((await cli(...args, "--office-hours", OFFICE_HOURS)).stdout);
    expect(noDirectory.received.total).toBe(4);
    expect(noDirectory.resolved.total).toBe(1);
    const accepting = JSON.parse(
      (await cli(...args, "--units", unitsFile, "--office-hours", OFFICE_HOURS, "--unknown-units", "accept"))
        .stdout,
    );
    expect(accepting.received.total).toBe(4);
    // --unknown-units goes with --units.
    expect((await cli(...args, "--unknown-units", "accept")).code).toBe(2);
  }, 60_000);
});
