import type { AgencyTree } from "../domain/agencies";
import { nodeCounterPath, rankAgencies, rollUpCounts, rollUpDate } from "../domain/agency-rollup";
import type { NationalIndex } from "../domain/official/index766";
import { type Period, periodBounds, periodOf, previousPeriod } from "../domain/periods";
import type { Report } from "../domain/report";
import { addDays, type LocalDate, localDate, weekday } from "../domain/time";
import type { Contact } from "../domain/units";
import type { Locale } from "../render/format";
import { periodTitle } from "../render/numbers";
import { agencyTreeOf } from "./directory";
import {
  assembleKpiEmail,
  buildKpiEmail,
  type EmailScope,
  type KpiEmail,
  nodeScope,
  type SendDeps,
  sendFailures,
  sendKpiEmail,
} from "./kpi-report";
import { nodeReportOf, readNodeCounts } from "./kpis";
import { agencyOutputsOf } from "./official";
import { type KpiDeps, overdueAndQuality } from "./period-report";
import type { WeeklySend, WeeklySendLog } from "./ports";

/**
 * The weekly KPI emails (docs/kpis.md "The weekly emails"): each agency whose own node
 * names its leadership gets one about its own agency — its figures, its units, its form II.06a and
 * 766 index, the agencies under it ranked worst first — and the root (the province, or the office
 * of a directory without agencies) gets the whole, with every agency ranked by the index, the
 * worst first. One email per agency and language, each marked once a week before it is sent, so a
 * retried run sends only what it had not.
 */

export interface WeeklyDeps extends SendDeps {
  /** The marks of the emails sent this week. */
  weeklySends: WeeklySendLog;
}

/** One email to send: the agency it is about, the language, its leadership in that language. */
interface WeeklyTarget {
  agency: string;
  locale: Locale;
  to: Contact[];
}

export interface WeeklyResult {
  period: string;
  /** The root's email (the office's, as before agencies): its SES message id. */
  messageId?: string;
  /** The emails this run sent, and the message SES accepted for each (none: every address suppressed). */
  sent: (WeeklySend & { messageId?: string })[];
  /** The emails a run before this one had sent this week, not sent again. */
  alreadySent: number;
  /** Stopped before its time ran out, some emails not sent: the caller fails so that the retry sends them. */
  incomplete?: boolean;
}

/**
 * How long a claim holds its email from other runs: taken before the email is built and renewed
 * just before it is sent (an agency's takes seconds, a province's own minutes: docs/kpis.md "The
 * weekly emails"). A claim lapsed since it was last renewed is a dead run's, or one still building
 * its email, whose renewal then fails and which sends nothing.
 */
export const WEEKLY_SEND_LEASE_MS = 2 * 60_000;
/** The time a run keeps in hand: it starts no email with less left (an agency's takes seconds). */
export const WEEKLY_RESERVE_MS = 60_000;

/** The Monday (local date) of the week holding `ms`: the week a weekly email is marked under. */
export function weekOf(ms: number): LocalDate {
  const date = localDate(ms);
  return addDays(date, -((weekday(date) + 6) % 7));
}

/**
 * Who gets a weekly email about the period: the root, then every agency in the tree on the
 * period's roll-up date whose own node names leadership (one that inherits its parent's gets
 * none: its figures are in its parent's), each split by its contacts' language.
 */
export function weeklyTargets(tree: AgencyTree, period: Period): WeeklyTarget[] {
  const nodes = [tree.rootId, ...tree.agencies().map((a) => a.id)].filter(
    (id, n, all) => all.indexOf(id) === n && nodeCounterPath(tree, id, period) !== undefined,
  );
  const out: WeeklyTarget[] = [];
  for (const agency of nodes) {
    const own = tree.get(agency)?.leadership ?? [];
    for (const locale of ["vi", "en"] as const) {
      const to = own.filter((c) => (c.locale ?? "vi") === locale);
      if (to.length) out.push({ agency, locale, to });
    }
  }
  return out;
}

/** Every weekly email of the current period not yet sent this week; the root's figures kept as a snapshot. */
export async function sendWeeklyKpi(
  deps: WeeklyDeps,
  options: { timeLeft?: () => number } = {},
): Promise<WeeklyResult | undefined> {
  const now = deps.now();
  const period = periodOf(deps.scheme, now);
  if (!period) return undefined;
  const tree = agencyTreeOf(deps.units);
  const result: WeeklyResult = { period: period.name, sent: [], alreadySent: 0 };
  let snapshotTaken = false;
  const failures: unknown[] = [];
  for (const target of weeklyTargets(tree, period)) {
    if (options.timeLeft && options.timeLeft() < WEEKLY_RESERVE_MS) {
      result.incomplete = true;
      break;
    }
    const send: WeeklySend = { week: weekOf(now), locale: target.locale, agency: target.agency };
    const claimedAt = deps.now();
    if (!(await deps.weeklySends.claim(send, claimedAt, WEEKLY_SEND_LEASE_MS))) {
      result.alreadySent++;
      continue;
    }
    let messageId: string | undefined;
    try {
      const email = await weeklyEmail(deps, tree, period, target);
      if (target.agency === tree.rootId && !snapshotTaken) {
        await putWeeklySnapshot(deps, period, email);
        snapshotTaken = true;
      }
      // The lease runs again from here: a province's own email takes minutes to build.
      if (!(await deps.weeklySends.renew(send, claimedAt, deps.now(), WEEKLY_SEND_LEASE_MS))) {
        result.alreadySent++;
        continue;
      }
      messageId = await sendKpiEmail(deps, email, target.to);
    } catch (e) {
      // Not sent: the mark is taken back so that the retry sends it, and the others are sent
      // all the same (one address SES refuses must not hold back every other agency's email).
      await deps.weeklySends.release(send, claimedAt);
      failures.push(e);
      continue;
    }
    // Sent but not marked: the run stops at once, so that Lambda's retry comes while this
    // email's claim still holds it; going on to the others could outlast the claim (a province's
    // run takes minutes) and the retry would send it again.
    await deps.weeklySends.sent(send, messageId, deps.now());
    result.sent.push({ ...send, messageId });
  }
  result.messageId = result.sent.find((s) => s.agency === tree.rootId)?.messageId;
  if (failures.length) throw sendFailures("weekly KPI emails", failures, result.sent.length);
  return result;
}

/** The email of one target: the root's over the whole period, an agency's over its own counters. */
async function weeklyEmail(
  deps: KpiDeps,
  tree: AgencyTree,
  period: Period,
  target: WeeklyTarget,
): Promise<KpiEmail> {
  if (target.agency !== tree.rootId)
    return agencyEmail(deps, tree, period, target, nodeScope(tree, period, target.agency, target.locale));
  return buildKpiEmail(deps, period, "weekly", target.locale);
}

/**
 * An agency's weekly email, from its own counters (app/kpis.ts `readNodeCounts`): its report, form
 * II.06a and index, the agencies under it ranked, the previous period's final figures beside them,
 * and its own units' longest-overdue dossiers. The weekly trend is the office's (its snapshots):
 * an agency's shows "now" alone.
 */
async function agencyEmail(
  deps: KpiDeps,
  tree: AgencyTree,
  period: Period,
  target: WeeklyTarget,
  scope: EmailScope,
): Promise<KpiEmail> {
  const read = { consistent: !deps.eventualReads };
  const asOf = Math.min(deps.now(), periodBounds(period).end);
  const options = { asOf, strictSupplementRule: deps.strictSupplementRule };
  const node = await readNodeCounts(deps.counters, tree, target.agency, period, read);
  const outputs = node && agencyOutputsOf(deps, period, target.agency, node, target.locale);
  if (!node || !outputs)
    throw new Error(`weekly email: agency ${target.agency} has no counters for ${period.name}`);
  const ranking = rankAgencies(tree, rollUpCounts(tree, node.perUnit, rollUpDate(period)), {
    node: target.agency,
    period,
    targets: deps.official?.targets,
  });
  const previous = await agencyPrevious(deps, tree, period, target);
  const { longest, quality } = await overdueAndQuality(deps, [...node.perUnit.keys()], false);
  return assembleKpiEmail(deps, {
    kind: "weekly",
    locale: target.locale,
    report: nodeReportOf(node, target.agency, period, options),
    // Without the form where its rows cannot place some dossiers, as GET /kpis/form answers 409.
    official: outputs.unsplit ? { index: outputs.index } : outputs,
    previous: previous?.report,
    previousIndex: previous?.index,
    trend: [],
    longest,
    quality,
    scope: { ...scope, ranking },
  });
}

/** The agency's previous period, its final figures and index, when it was in the tree then and received any. */
async function agencyPrevious(deps: KpiDeps, tree: AgencyTree, period: Period, target: WeeklyTarget) {
  const prev = previousPeriod(deps.scheme, period);
  if (!prev) return undefined;
  const node = await readNodeCounts(deps.counters, tree, target.agency, prev, {
    consistent: !deps.eventualReads,
  });
  if (!node) return undefined;
  const report: Report = nodeReportOf(node, target.agency, prev, {
    asOf: periodBounds(prev).end,
    strictSupplementRule: deps.strictSupplementRule,
  });
  const outputs = agencyOutputsOf(deps, prev, target.agency, node, target.locale);
  if (report.received.total === 0 || !outputs) return undefined;
  return {
    report: { label: periodTitle(prev, target.locale), report },
    index: { label: periodTitle(prev, target.locale), index: outputs.index as NationalIndex },
  };
}

/**
 * The largest snapshot kept whole: a DynamoDB item holds at most 400 KB, keys and attribute names
 * included, and a province's whole snapshot is megabytes (docs/kpis.md "The weekly emails"), so
 * 300 KB leaves room.
 */
export const SNAPSHOT_MAX_BYTES = 300_000;

/**
 * Keeps the root's figures as the week's snapshot (what later emails compare the same point of the
 * next period with, and draw the weekly trend from), the index riding along. Per-unit figures only
 * while they fit (docs/kpis.md "The weekly emails"): a province's thousands of units do not, and
 * its comparison and trend need only the whole's figures and index.
 */
export async function putWeeklySnapshot(
  deps: Pick<SendDeps, "reports" | "now">,
  period: Period,
  email: KpiEmail,
) {
  await deps.reports.putSnapshot(period.name, deps.now() - periodBounds(period).start, weeklySnapshot(email));
}

/** The snapshot of a week's root email: the whole report and index, without the per-unit figures when too large. */
export function weeklySnapshot(email: Pick<KpiEmail, "report" | "index">): object {
  const whole = { ...email.report, index: email.index };
  if (Buffer.byteLength(JSON.stringify(whole)) <= SNAPSHOT_MAX_BYTES) return whole;
  return { ...whole, byUnit: [], index: { ...email.index, byUnit: [] }, unitsLeftOut: true };
}
