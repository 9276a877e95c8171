import type { AgencyTree } from "../domain/agencies";
import {
  type RankedAgency,
  rankAgencies,
  reportingAgencyNames,
  rollUpCounts,
  rollUpDate,
} from "../domain/agency-rollup";
import type { OfficialForm } from "../domain/official/form";
import type { NationalIndex } from "../domain/official/index766";
import { DEFAULT_OFFICIAL_SETTINGS } from "../domain/official/settings";
import { type Period, periodBounds, periodOf, previousPeriod } from "../domain/periods";
import type { Report } from "../domain/report";
import { errorText } from "../domain/text";
import type { Contact } from "../domain/units";
import { type InlineImage, type KpiEmailInput, type OverdueLine, renderKpiEmail } from "../render/email/kpi";
import { exportFileName, reportCsvFile, reportXlsx } from "../render/exports";
import { formFileName, formXlsx } from "../render/form";
import type { Locale } from "../render/format";
import { periodTitle } from "../render/numbers";
import { agencyTreeOf, displayNames } from "./directory";
import { weeklyIndexes } from "./kpi-trend";
import { readKpiReport } from "./kpis";
import { officialOutputs, outputsOf } from "./official";
import { type KpiDeps, overdueAndQuality, type PeriodReport, periodReport } from "./period-report";
import type { CounterRead, Mailer, ReportArchive, SuppressedAddresses, WeeklySendLog } from "./ports";

/**
 * Leadership's emails: the weekly and period-close KPI emails on a period's figures
 * (./period-report.ts), and closing a period.
 */

export interface KpiEmail {
  subject: string;
  html: string;
  text: string;
  attachments: { filename: string; content: Buffer; contentType: string }[];
  /** The trend images the HTML shows by `cid:`. */
  images: InlineImage[];
  report: PeriodReport;
  index: NationalIndex;
}

/**
 * The previous period to compare with: during the period, its snapshot at the same point of the
 * period when one was taken within 4 days of it; else, and always once the period has ended (the
 * close email), its final figures when it received any dossier. At the close, a snapshot taken on
 * the previous period's last Monday would be "the same point" within 4 days, but not its figures
 * as it ended, which the dashboard compares with.
 */
async function previousFigures(
  deps: KpiDeps,
  period: Period,
  prev: Period,
  now: number,
  locale: Locale,
): Promise<KpiEmailInput["previous"]> {
  const { start, end } = periodBounds(period);
  const offset = Math.min(now, end) - start;
  const snapshot = now < end ? await deps.reports.snapshotAt<Report>(prev.name, offset) : undefined;
  if (snapshot && offset - snapshot.offsetMs < 4 * 86_400_000) {
    return {
      label: `${periodTitle(prev, locale)} (${locale === "vi" ? "cùng thời điểm" : "same point"})`,
      report: snapshot.report,
    };
  }
  const prevReport = await readKpiReport(deps.counters, prev, { asOf: periodBounds(prev).end });
  return prevReport.received.total > 0 ? { label: periodTitle(prev, locale), report: prevReport } : undefined;
}

/** What a KPI email shows beside the figures it is about (docs/kpis.md "The weekly emails"). */
export interface EmailScope {
  /** The agency it is about, named in the subject and under the title; absent: a directory without agencies. */
  agencyName?: string;
  /** The agencies under it ranked by the national index, the worst first. */
  ranking?: readonly RankedAgency[];
  /**
   * The units its tables list (those reporting to it directly; the others are in the ranking, in
   * their agencies' emails and in the attachments); absent: every unit of the report.
   */
  shownUnits?: (unitId: string) => boolean;
}

/**
 * What an agency's email shows besides its figures, with a tree (none without one): its name, and
 * in its tables the units reporting to it directly.
 */
export function nodeScope(tree: AgencyTree, period: Period, agency: string, locale: Locale): EmailScope {
  if (tree.flat) return {};
  const at = rollUpDate(period);
  const node = tree.get(agency);
  return {
    agencyName: locale === "vi" ? node?.nameVi : node?.nameEn,
    shownUnits: (unit) => tree.reportingNode(unit, at) === agency,
  };
}

/**
 * The root's scope (the weekly root email's and the close email's): {@link nodeScope}, and the
 * agencies under the root ranked by the national index, from the counters the email's figures
 * come from.
 */
function rootScope(deps: KpiDeps, period: Period, locale: Locale, all: CounterRead): EmailScope {
  const tree = agencyTreeOf(deps.units);
  const scope = nodeScope(tree, period, tree.rootId, locale);
  if (tree.flat) return scope;
  scope.ranking = rankAgencies(tree, rollUpCounts(tree, all.perUnit, rollUpDate(period)), {
    node: tree.rootId,
    period,
    targets: deps.official?.targets,
  });
  return scope;
}

/**
 * Builds the root's KPI email of `period` (weekly: rolling; close: the issued figures): its report,
 * form II.06a, index and agencies' ranking from one read of the counters, so no event applied
 * meanwhile makes one figure of the email disagree with another.
 */
export async function buildKpiEmail(
  deps: KpiDeps,
  period: Period,
  kind: "weekly" | "close",
  locale: Locale = "vi",
): Promise<KpiEmail> {
  const now = deps.now();
  const counts = await deps.counters.readPeriodCounts(period, { consistent: !deps.eventualReads });
  const report = await periodReport(deps, period, undefined, counts);
  const official = outputsOf(deps, counts, period, {
    locale,
    settings: deps.official ?? DEFAULT_OFFICIAL_SETTINGS,
  });
  const scope = rootScope(deps, period, locale, counts);
  const prev = previousPeriod(deps.scheme, period);
  const previous = prev ? await previousFigures(deps, period, prev, now, locale) : undefined;
  let previousIndex: { label: string; index: NationalIndex } | undefined;
  if (prev && previous) {
    const snapshotIndex = (previous.report as Report & { index?: NationalIndex }).index;
    previousIndex = {
      label: previous.label,
      index: snapshotIndex ?? (await officialOutputs(deps, prev)).index,
    };
  }
  const unitIds = [...new Set([...deps.units.units.map((u) => u.id), ...report.byUnit.map((u) => u.unit)])];
  const { longest, quality } = await overdueAndQuality(deps, unitIds);
  return assembleKpiEmail(deps, {
    kind,
    locale,
    report,
    official,
    previous,
    previousIndex,
    trend: await weeklyIndexes(deps, period),
    longest,
    quality,
    scope,
  });
}

/** What {@link assembleKpiEmail} renders: the figures read, the comparisons, the lists. */
export interface KpiEmailParts {
  kind: "weekly" | "close";
  locale: Locale;
  report: PeriodReport;
  /** The form is absent for an agency whose form cannot be made for the period (`unsplit`). */
  official: { form?: OfficialForm; index: NationalIndex };
  previous?: KpiEmailInput["previous"];
  previousIndex?: { label: string; index: NationalIndex };
  /** The weekly snapshots' indexes, oldest first ("now" is added). */
  trend: { label: string; index: NationalIndex }[];
  longest: OverdueLine[];
  quality: KpiEmailInput["quality"];
  scope: EmailScope;
}

/** Renders a KPI email from what was read, with its files: the report as CSV and XLSX, and form II.06a. */
export async function assembleKpiEmail(
  deps: Pick<KpiDeps, "units" | "now">,
  parts: KpiEmailParts,
): Promise<KpiEmail> {
  const { locale, report, official, scope } = parts;
  const unitNames = displayNames(deps.units, locale);
  const shown = scope.shownUnits;
  const rendered = renderKpiEmail({
    locale,
    kind: parts.kind,
    report: shown ? { ...report, byUnit: report.byUnit.filter((u) => shown(u.unit)) } : report,
    previous: parts.previous,
    unitNames,
    longestOverdue: parts.longest,
    quality: parts.quality,
    official: {
      locale,
      index: shown
        ? { ...official.index, byUnit: official.index.byUnit.filter((u) => shown(u.unit)) }
        : official.index,
      previous: parts.previousIndex,
      trend: [...parts.trend, { label: locale === "vi" ? "hiện tại" : "now", index: official.index }],
      form: official.form,
      unitNames,
      whole: scope.agencyName,
    },
    amendment: report.issued?.amended
      ? { issuedAt: report.issued.issuedAt, changes: report.issued.changes }
      : undefined,
    agencyName: scope.agencyName,
    ranking: scope.ranking,
  });
  return {
    ...rendered,
    report,
    index: official.index,
    attachments: await kpiAttachments(
      report,
      official.form,
      locale,
      unitNames,
      reportingAgencyNames(agencyTreeOf(deps.units), report, locale),
    ),
  };
}

/** The report as CSV and XLSX (every unit), and form II.06a in its own layout (when there is one). */
async function kpiAttachments(
  report: PeriodReport,
  form: OfficialForm | undefined,
  locale: Locale,
  unitNames: Map<string, string>,
  agencies: Map<string, string> | undefined,
): Promise<KpiEmail["attachments"]> {
  return [
    {
      filename: exportFileName(report, "csv"),
      content: reportCsvFile(report, locale, unitNames, agencies),
      // A bare media type, as SES takes it (its ContentType is a type, not a header); the
      // file's byte-order mark tells spreadsheets it is UTF-8.
      contentType: "text/csv",
    },
    {
      filename: exportFileName(report, "xlsx"),
      content: await reportXlsx(report, locale, unitNames, agencies),
      contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    },
    // The form the office files (docs/official.md), from the same counters and T.
    ...(form
      ? [
          {
            filename: formFileName(form, "xlsx"),
            content: await formXlsx(form, locale),
            contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          },
        ]
      : []),
  ];
}

export interface SendDeps extends KpiDeps {
  /** The issued figures and snapshots, also written: the weekly snapshot, the period's close. */
  reports: ReportArchive;
  /** The addresses left out. */
  suppression: SuppressedAddresses;
  mailer: Mailer;
  from: string;
}

/** Sends a KPI email to office leadership (suppressed addresses left out). */
export async function sendKpiEmail(
  deps: Pick<SendDeps, "mailer" | "from" | "suppression">,
  email: KpiEmail,
  recipients: readonly Contact[],
): Promise<string | undefined> {
  const suppressed = await deps.suppression.addresses();
  const to = recipients.map((c) => c.email).filter((a) => !suppressed.has(a.toLowerCase()));
  if (to.length === 0) return undefined;
  // The files first, then the trend images the HTML shows by `cid:` (inline, by their cid).
  return deps.mailer.send({
    from: deps.from,
    to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    attachments: [...email.attachments, ...email.images],
  });
}

/**
 * The error a run fails with when some of its emails could not be sent (after sending the others):
 * the first cause's message, and how many failed, so that the retry sends them (the marks skip the rest).
 * The causes' messages go without email addresses (SES names those it refuses): the error is logged
 * and kept in the targets' dead-letter queue.
 */
export function sendFailures(what: string, failures: readonly unknown[], sent: number): AggregateError {
  return new AggregateError(
    failures.map((e) => Object.assign(new Error(errorText(e)), e instanceof Error ? { name: e.name } : {})),
    `${what}: ${failures.length} not sent (${errorText(failures[0])}), ${sent} sent; the retry sends the rest`,
  );
}

/** The marks of the KPI emails sent (the weekly ones, and the close's under `close:<period>`). */
export type CloseDeps = SendDeps & { weeklySends: WeeklySendLog };

/**
 * How long a claim holds a close email from other runs, renewed just before it is sent, as for the
 * weekly ones (lib/app/weekly-kpi.ts `WEEKLY_SEND_LEASE_MS`).
 */
const CLOSE_SEND_LEASE_MS = 2 * 60_000;
/** Days after a period is frozen its close email may still be sent (the daily runs try again until then). */
export const CLOSE_SEND_DAYS = 7;

/**
 * Closes the period that ended most recently: freezes its figures as issued (once), then sends
 * its close email to leadership, one per language (docs/kpis.md "The weekly emails"), each marked once
 * like the weekly ones. A run that failed to send (SES refusing, throttling) fails after sending
 * the others, and its retry, or the next day's run, sends what was not: the frozen figures never
 * stop the email from going out.
 */
export async function closeEndedPeriod(
  deps: CloseDeps,
): Promise<
  { period: string; messageId?: string; sent: Locale[]; alreadySent: number; empty?: true } | undefined
> {
  const now = deps.now();
  const current = periodOf(deps.scheme, now);
  const ended =
    deps.scheme.kind === "explicit"
      ? [...deps.scheme.windows]
          .filter((w) => periodBounds(w).end < now)
          .sort((a, b) => (a.to < b.to ? 1 : -1))[0]
      : current
        ? previousPeriod(deps.scheme, current)
        : undefined;
  if (!ended) return undefined;
  // Frozen once: a run that finds it frozen (by itself before a failed send, or by another run)
  // goes on to the sending, for a week after the freeze; past that its close email is no longer
  // sent (nor tried again), and a deployment from before the marks sends no old close again.
  const issued = await deps.reports.getIssued(ended.name);
  if (!issued) {
    const report = await periodReport(deps, ended);
    // A period nothing was counted in (the first night after a deployment, before the office's
    // history is imported) is not closed: no figures of zeros issued as its own, no email of zeros.
    // It is closed on the first night it holds a dossier (its history imported).
    if (report.received.total === 0) return { period: ended.name, sent: [], alreadySent: 0, empty: true };
    await deps.reports.putIssued(ended.name, report, now);
  } else if (now - issued.issuedAt > CLOSE_SEND_DAYS * 86_400_000) return undefined;
  const result = {
    period: ended.name,
    messageId: undefined as string | undefined,
    sent: [] as Locale[],
    alreadySent: 0,
  };
  const failures: unknown[] = [];
  for (const locale of ["vi", "en"] as const) {
    const to = deps.units.leadership.filter((c) => (c.locale ?? "vi") === locale);
    if (to.length === 0) continue;
    const send = { week: `close:${ended.name}`, locale, agency: "" };
    const claimedAt = deps.now();
    if (!(await deps.weeklySends.claim(send, claimedAt, CLOSE_SEND_LEASE_MS))) {
      result.alreadySent++;
      continue;
    }
    let messageId: string | undefined;
    try {
      // As the weekly root email: the tree's name, its ranking, the units reporting to the root.
      const email = await buildKpiEmail(deps, ended, "close", locale);
      // The lease runs again from here: a province's email takes minutes to build.
      if (!(await deps.weeklySends.renew(send, claimedAt, deps.now(), CLOSE_SEND_LEASE_MS))) {
        result.alreadySent++;
        continue;
      }
      messageId = await sendKpiEmail(deps, email, to);
    } catch (e) {
      await deps.weeklySends.release(send, claimedAt);
      failures.push(e);
      continue;
    }
    await deps.weeklySends.sent(send, messageId, deps.now());
    result.sent.push(locale);
    if (locale === "vi" || !result.messageId) result.messageId ??= messageId;
  }
  if (failures.length) throw sendFailures(`the ${ended.name} close email`, failures, result.sent.length);
  return result;
}
