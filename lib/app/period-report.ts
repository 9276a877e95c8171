import { CALENDAR_WARNING_DAYS, calendarResult, type WorkingCalendar } from "../domain/calendar/calendar";
import { type Catalog, SEED_CATALOG } from "../domain/catalog";
import type { OfficialSettings } from "../domain/official/settings";
import { type Period, type PeriodScheme, periodBounds } from "../domain/periods";
import { type BoundedCount, type DossierRecord, NONE_COUNTED } from "../domain/records";
import type { Report } from "../domain/report";
import { orThrow, type Result } from "../domain/result";
import { thresholdsOf, type UnitDirectory } from "../domain/units";
import type { OverdueLine } from "../render/email/kpi";
import { agencyTreeOf } from "./directory";
import { kpiReportOf, type ReportBasis, readKpiReport, readNodeReport } from "./kpis";
import type { CounterRead, CounterReader, QuarantineReader, ReportReader, SlaLists } from "./ports";

/**
 * A period's figures as leadership reads them: its report read from the counters (with its
 * amendments after issue), an agency's, and the longest-overdue dossiers and data-quality
 * figures beside it. The KPI emails (./kpi-report.ts) and the query API read them here.
 */

export interface KpiDeps {
  /** The period's counters. */
  counters: CounterReader;
  /** A closed period's issued figures, and the weekly snapshots to compare with. */
  reports: ReportReader;
  /** The longest overdue dossiers and the orphans. */
  dossiers: SlaLists;
  /** How many quarantined events wait (the email's data quality). */
  quarantine: Pick<QuarantineReader, "waiting">;
  calendar: WorkingCalendar;
  scheme: PeriodScheme;
  units: UnitDirectory;
  now: () => number;
  strictSupplementRule?: boolean;
  /** Form II.06a's wording, withdrawn dossiers, domain names and index targets (docs/official.md). */
  official?: OfficialSettings;
  /** The deployment's catalog: the procedures' names (default: the seed district's sample). */
  catalog?: Catalog;
  /**
   * Read the counters eventually consistent (half the read units): the query API's answers. The
   * KPI emails and the period close read them strongly consistent (lib/adapters/dynamodb/counters.ts).
   */
  eventualReads?: boolean;
}

export interface Amendment {
  issuedAt: number;
  changes: { field: string; before: number; after: number }[];
}

export type PeriodReport = Report & {
  basis: ReportBasis;
  issued?: { issuedAt: number; amended: boolean; changes: Amendment["changes"] };
};

const AMENDABLE: [string, (r: Report) => number][] = [
  ["received.total", (r) => r.received.total],
  ["received.carriedOver", (r) => r.received.carriedOver],
  ["received.new", (r) => r.received.new],
  ["resolved.total", (r) => r.resolved.total],
  ["resolved.early", (r) => r.resolved.early],
  ["resolved.onTime", (r) => r.resolved.onTime],
  ["resolved.late", (r) => r.resolved.late],
  ["withdrawn", (r) => r.withdrawn],
  ["pending.total", (r) => r.pending.total],
  ["pending.withinDeadline", (r) => r.pending.withinDeadline],
  ["pending.overdue", (r) => r.pending.overdue],
  ["ratings.total", (r) => r.ratings.total],
  ["ratings.satisfied", (r) => r.ratings.satisfied],
];

/**
 * A period's report from the counters (those given, read once by the caller for everything an
 * output shows, else read here); for a closed period, what changed since it was issued.
 */
export async function periodReport(
  deps: KpiDeps,
  period: Period,
  unit?: string,
  counts?: CounterRead,
): Promise<PeriodReport> {
  const now = deps.now();
  const { end } = periodBounds(period);
  const options = { asOf: Math.min(now, end), unit, strictSupplementRule: deps.strictSupplementRule };
  const report: PeriodReport = counts
    ? kpiReportOf(counts, period, options)
    : await readKpiReport(deps.counters, period, { ...options, consistent: !deps.eventualReads });
  const issued = await deps.reports.getIssued<Report>(period.name);
  if (issued && !unit) {
    const changes = AMENDABLE.map(([field, get]) => ({
      field,
      before: get(issued.report),
      after: get(report),
    })).filter((c) => c.before !== c.after);
    report.issued = { issuedAt: issued.issuedAt, amended: changes.length > 0, changes };
  }
  return report;
}

/**
 * Agency `agency`'s report from its own counters (app/kpis.ts `readNodeReport`); the
 * root's is the office's, with its amendments. `undefined` when the agency is not in the tree on
 * the period's roll-up date.
 */
export async function agencyPeriodReport(
  deps: KpiDeps,
  period: Period,
  agency: string,
): Promise<PeriodReport | undefined> {
  const tree = agencyTreeOf(deps.units);
  if (agency === tree.rootId) return { ...(await periodReport(deps, period)), agency };
  return readNodeReport(deps.counters, tree, agency, period, {
    asOf: Math.min(deps.now(), periodBounds(period).end),
    strictSupplementRule: deps.strictSupplementRule,
    consistent: !deps.eventualReads,
  });
}

/** The longest-overdue dossiers the KPI email lists. */
const LONGEST = 10;

/** Units whose overdue lists are read at once for the KPI email (a page of 200 each). */
const OVERDUE_READERS = 8;

/** A result's value, or null for its error. */
const valueOr = <T>(r: Result<T, unknown>): T | null => (r.ok ? r.value : null);

/** The dossiers with events but no receipt (they belong to no unit): a count, no item read back. */
export function countOrphans(deps: Pick<KpiDeps, "dossiers">): Promise<BoundedCount> {
  return deps.dossiers.countBySla(null, "orphan");
}

/**
 * The longest-overdue dossiers of `unitIds` and the data-quality notes. `officeWide: false` (an
 * agency's email) leaves out the orphans and the quarantine, which belong to no agency.
 */
export async function overdueAndQuality(deps: KpiDeps, unitIds: string[], officeWide = true) {
  const now = deps.now();
  let possiblyClosed = 0;
  // Only the earliest due are kept while the lists are read (a province's can be long), in one
  // order whatever the order the pages come in: due instant, then dossier id.
  let earliest: DossierRecord[] = [];
  const byDue = (a: DossierRecord, b: DossierRecord) =>
    (a.kpiDueAt ?? 0) - (b.kpiDueAt ?? 0) ||
    (a.dossierId < b.dossierId ? -1 : a.dossierId > b.dossierId ? 1 : 0);
  const take = (d: DossierRecord) => {
    // Listed overdue by the strict supplement rule alone (docs/rules.md R3: its due instant ahead,
    // or its clock stopped by the request): no working day past its due instant to show, and it
    // waits on the applicant, so it is neither a longest-overdue line nor possibly closed.
    if (d.kpiDueAt === undefined ? false : d.clockStopped || d.kpiDueAt > now) return;
    const t = thresholdsOf(deps.units.get(d.unitId), deps.calendar);
    if (
      d.lastEventAt !== undefined &&
      // A year without calendar data (docs/rules.md R6) counts no time: not flagged, never an abort.
      (valueOr(calendarResult(() => deps.calendar.workingTimeBetween(d.lastEventAt as number, now))) ?? 0) >=
        t.possiblyClosedMs
    )
      possiblyClosed++;
    if (d.kpiDueAt === undefined) return;
    earliest.push(d);
    if (earliest.length >= 5 * LONGEST) earliest = earliest.sort(byDue).slice(0, LONGEST);
  };
  // Each unit's list a page at a time, several units at once: one after another, a province's
  // hundreds of units made its email wait on hundreds of reads in turn.
  // Once a read fails the email fails, and no reader starts another unit.
  const queue = [...unitIds];
  let failed = false;
  await Promise.all(
    Array.from({ length: Math.min(OVERDUE_READERS, queue.length) }, async () => {
      for (let unit = queue.shift(); unit !== undefined && !failed; unit = queue.shift()) {
        let cursor: string | undefined;
        try {
          do {
            // A cursor the store handed out the page before: one it refuses is a bug, thrown.
            const page = orThrow(await deps.dossiers.listBySla(unit, "overdue", { limit: 200, cursor }));
            for (const d of page.items) take(d);
            cursor = page.cursor;
          } while (cursor && !failed);
        } catch (e) {
          failed = true;
          throw e;
        }
      }
    }),
  );
  const orphans = officeWide ? await countOrphans(deps) : NONE_COUNTED;
  const longest = earliest
    .sort(byDue)
    .slice(0, LONGEST)
    .map((d) => overdueLine(deps, d, now));
  const coverage = deps.calendar.coverageFrom(now);
  return {
    longest,
    quality: {
      orphans,
      possiblyClosed,
      quarantined: officeWide ? await deps.quarantine.waiting() : NONE_COUNTED,
      calendar: coverage.daysLeft <= CALENDAR_WARNING_DAYS ? coverage : undefined,
    },
  };
}

/** A longest-overdue line of the KPI email: the dossier with its names and how late it is. */
function overdueLine(deps: KpiDeps, d: DossierRecord, now: number): OverdueLine {
  return {
    dossierId: d.dossierId,
    unitId: d.unitId,
    unitName: deps.units.get(d.unitId)?.nameVi,
    procedureCode: d.procedureCode,
    procedureName: d.procedureCode
      ? (deps.catalog ?? SEED_CATALOG).procedures.get(d.procedureCode)
      : undefined,
    domain: d.domain,
    domainName: d.domain
      ? (deps.official?.domains[d.domain] ?? (deps.catalog ?? SEED_CATALOG).domains[d.domain])
      : undefined,
    kpiDueAt: d.kpiDueAt as number,
    // null: due in a year without calendar data (docs/rules.md R6), which the email says.
    overdueWorkingDays: valueOr(
      calendarResult(() => deps.calendar.workingDaysBetween(d.kpiDueAt as number, now)),
    ),
  };
}
