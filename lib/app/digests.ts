import { recipientsOf } from "../domain/alerts";
import type { WorkingCalendar } from "../domain/calendar/calendar";
import type { Catalog } from "../domain/catalog";
import type { PendingAlert } from "../domain/records";
import { errorText, headerText } from "../domain/text";
import type { Contact, UnitDirectory } from "../domain/units";
import { MAX_DIGEST_ALERTS, renderDigest } from "../render/email/digest";
import type { Locale } from "../render/format";
import type { DigestQueue, Mailer, SuppressedAddresses } from "./ports";

/**
 * Sending the digests: pending alerts grouped into one email per unit (and one per set of
 * escalation recipients), each group under a lease so overlapping senders never send twice. An
 * alert leaves the pending set only after SES accepted its email; a failed send leaves it for the
 * next sweep in office hours (docs/rules.md "When digests go").
 */

export interface DigestDeps {
  /** The pending alerts, the groups' leases and the digests sent. */
  alerts: DigestQueue;
  /** The addresses left out. */
  suppression: SuppressedAddresses;
  mailer: Mailer;
  calendar: WorkingCalendar;
  /** The deployment's catalog: the procedures' and domains' names the digests show. */
  catalog?: Catalog;
  units: UnitDirectory;
  /** The verified sender, e.g. `canh-bao@ubnd.example.org`. */
  from: string;
  now: () => number;
  /** Who this sender is (for the lease). */
  owner: string;
  leaseMs?: number;
  /** The most alerts one digest carries (default {@link MAX_DIGEST_ALERTS}). */
  maxAlerts?: number;
}

export interface DigestResult {
  sent: { group: string; locale: Locale; messageId: string; recipients: string[]; alerts: number }[];
  /** A group not sent: named by {@link labelOf}, its reason with no address in it (both are logged). */
  failed: { group: string; reason: string }[];
  /** Units whose every address is suppressed, whose digest was sent to their escalation list or leadership. */
  inPlaceOfUnit: string[];
  /**
   * The run stopped with groups left, its time nearly spent: they stay pending, and go with the
   * next sweep's notice (a run killed at its timeout could have sent an email it had not marked).
   */
  incomplete?: boolean;
}

/**
 * The time a run keeps in hand: it takes no more leases, and starts no group's email, with less left
 * (a group's email and its records take under a second; one of 10,000 alerts, its deletes from the
 * queue's partition 25 at a time, some ten seconds).
 */
export const DIGEST_RESERVE_MS = 30_000;

/** What a digest about a unit missing from the directory is titled (its id is never shown there). */
export const UNKNOWN_UNIT_NAME = {
  vi: "Đơn vị chưa có trong danh mục",
  en: "Unit not in the directory",
} as const;

/** What a one-stop desk's digest is titled. */
export const ONE_STOP_DESK_NAME = { vi: "Bộ phận Một cửa", en: "One-stop desk" } as const;

interface Group {
  key: string;
  name: string;
  /** A unit's digest: the unit's name in each language (each email is titled in its reader's). */
  names?: Record<Locale, string>;
  contacts: readonly Contact[];
  /**
   * A unit's digest: who reads it should every address of the unit be suppressed, in order (its
   * escalation list, then leadership): the first with an address not suppressed.
   */
  fallback?: readonly (readonly Contact[])[];
  /** Sent to {@link fallback}, in the unit's place. */
  inPlaceOfUnit?: boolean;
  alerts: PendingAlert[];
  /** Its alerts left pending for the next digest, past what one carries ({@link MAX_DIGEST_ALERTS}). */
  waiting?: { count: number; perDigest: number };
  locale: Locale;
  /** A digest for several units: each alert's unit named, in each language. */
  unitNames?: Record<Locale, Map<string, string>>;
}

/** The digests a sender would send for these alerts: one group per unit, desk or escalation list (the bench counts them). */
export function groupAlerts(alerts: PendingAlert[], units: UnitDirectory): Group[] {
  const groups = new Map<string, Group>();
  // A digest for several units (a desk's, leadership's) names each alert's unit, in its reader's language.
  const unitNames = {
    vi: new Map(units.units.map((u) => [u.id, u.nameVi])),
    en: new Map(units.units.map((u) => [u.id, u.nameEn])),
  };
  /** A digest for a list of people, whatever the units: one per set of addresses. */
  const peopleGroup = (kind: string, name: string, contacts: readonly Contact[]) => ({
    key: `${kind}:${contacts
      .map((c) => c.email.toLowerCase())
      .sort()
      .join(",")}`,
    name,
    contacts,
    locale: "vi" as const,
    unitNames,
  });
  for (const alert of alerts) {
    const unit = units.get(alert.unitId);
    let group: Omit<Group, "alerts">;
    // Who the stage is for (docs/rules.md R4): leadership-only stages go to the leadership digest; the
    // one-stop desk's copies to the desk the unit's entry names, one digest per desk whatever the
    // units it serves.
    const to = recipientsOf(alert.kind);
    const desk = alert.recipient === "one_stop_desk" ? units.oneStopDeskOf(alert.unitId) : undefined;
    if (desk) {
      // A desk removed from the directory since the alert was raised: leadership reads its copy.
      // A fixed title: nothing an event carried reaches the Subject.
      group = peopleGroup("desk", ONE_STOP_DESK_NAME.vi, desk.length ? desk : units.leadership);
    } else if (alert.recipient === "leadership" || (!to.includes("unit") && to.includes("leadership"))) {
      group = peopleGroup(
        "escalation",
        "Lãnh đạo",
        unit?.escalation.length ? unit.escalation : units.leadership,
      );
    } else {
      group = {
        key: `unit:${alert.unitId}`,
        // Only the directory's names reach a Subject: never the unit id an event carried.
        name: unit ? (unit.locale === "en" ? unit.nameEn : unit.nameVi) : UNKNOWN_UNIT_NAME.vi,
        ...(unit && { names: { vi: unit.nameVi, en: unit.nameEn } }),
        // A unit missing from the directory still has its alerts read: by office leadership.
        contacts: unit ? [unit.head, ...unit.deputies] : units.leadership,
        ...(unit && { fallback: [unit.escalation, units.leadership] }),
        locale: unit?.locale ?? "vi",
      };
    }
    const existing = groups.get(group.key);
    if (existing) existing.alerts.push(alert);
    else groups.set(group.key, { ...group, alerts: [alert] });
  }
  return [...groups.values()];
}

const alertId = (a: PendingAlert) =>
  `${a.unitId}#${a.kind}#${a.dossier.dossierId}#${a.key}${a.recipient ? `#${a.recipient}` : ""}`;

/**
 * Groups whose leases are taken together and checked against one read of the pending alerts. The
 * alerts are one partition, so reading it again for every group made a run cost groups × alerts
 * item reads: at a province's first sweep (`serve --province`, 4,761 alerts for several hundred
 * groups) one digest went out every three seconds. A batch costs one read per 50 groups, and holds
 * its leases only while its own emails go out.
 */
export const LEASE_BATCH = 50;

export async function sendDigests(
  deps: DigestDeps,
  options: { timeLeft?: () => number } = {},
): Promise<DigestResult> {
  const result: DigestResult = { sent: [], failed: [], inPlaceOfUnit: [] };
  const pending = await deps.alerts.pending();
  if (pending.length === 0) return result;
  const suppressed = await deps.suppression.addresses();
  const ready: Deliverable[] = [];
  const deliverable = (list: readonly Contact[]) =>
    list.filter((c) => !suppressed.has(c.email.toLowerCase()));
  for (const group of groupAlerts(pending, deps.units)) {
    let recipients = deliverable(group.contacts);
    // Every address of the unit suppressed: its dossiers' alerts still reach someone, its
    // escalation list or else leadership, in an email that says why (the result names it once sent).
    if (recipients.length === 0)
      for (const list of group.fallback ?? []) {
        recipients = deliverable(list);
        group.inPlaceOfUnit = recipients.length > 0;
        if (group.inPlaceOfUnit) break;
      }
    if (recipients.length === 0)
      result.failed.push({
        group: labelOf(group),
        reason: "no deliverable recipient (all suppressed or none configured)",
      });
    else ready.push({ group, recipients });
  }
  // A province's morning holds over a thousand groups: a run stops with its time nearly spent
  // rather than be killed part way, and what it leaves waits for the next notice.
  const spent = () => options.timeLeft !== undefined && options.timeLeft() < DIGEST_RESERVE_MS;
  for (let i = 0; i < ready.length; i += LEASE_BATCH) {
    if (spent()) {
      result.incomplete = true;
      break;
    }
    await sendBatch(deps, ready.slice(i, i + LEASE_BATCH), result, spent);
  }
  return result;
}

interface Deliverable {
  group: Group;
  recipients: Contact[];
}

/**
 * A batch of groups: the leases it can take (a group another sender holds is left to it), then,
 * holding them, the alerts still pending (another sender may have sent some between the first read
 * and the leases: only those still pending go), then each group's digest, each lease given back.
 */
async function sendBatch(
  deps: DigestDeps,
  batch: Deliverable[],
  result: DigestResult,
  spent: () => boolean,
): Promise<void> {
  const now = deps.now();
  const held: Deliverable[] = [];
  // A lease that cannot be asked for fails its group only: the others are still sent.
  for (const d of batch)
    try {
      const until = now + (deps.leaseMs ?? 300_000);
      if (await deps.alerts.acquireLease(`digest:${d.group.key}`, deps.owner, now, until)) held.push(d);
    } catch (e) {
      result.failed.push({ group: labelOf(d.group), reason: errorText(e) });
    }
  if (held.length === 0) return;
  let still: Set<string> | undefined;
  let readError: unknown;
  try {
    still = new Set((await deps.alerts.pending()).map(alertId));
  } catch (e) {
    readError = e;
  }
  for (const { group, recipients } of held) {
    try {
      if (spent()) {
        // Left pending, its lease given back below: the next run sends it.
        result.incomplete = true;
        continue;
      }
      if (!still) throw readError;
      group.alerts = group.alerts.filter((a) => still.has(alertId(a)));
      // Past what one digest carries, the oldest go now and the rest stay pending for the next.
      const perDigest = deps.maxAlerts ?? MAX_DIGEST_ALERTS;
      if (group.alerts.length > perDigest) {
        const oldestFirst = [...group.alerts].sort((a, b) => a.raisedAt - b.raisedAt);
        group.waiting = { count: oldestFirst.length - perDigest, perDigest };
        group.alerts = oldestFirst.slice(0, perDigest);
      }
      if (group.alerts.length) await sendGroup(deps, group, recipients, now, result);
    } catch (e) {
      result.failed.push({ group: labelOf(group), reason: errorText(e) });
    } finally {
      // A lease not given back lapses at its end: its group waits that long, nothing is lost.
      await deps.alerts.releaseLease(`digest:${group.key}`, deps.owner).catch(() => undefined);
    }
  }
}

/** One group's digest, under its lease: one email per language, then the alerts marked sent. */
async function sendGroup(
  deps: DigestDeps,
  group: Group,
  recipients: Contact[],
  now: number,
  result: DigestResult,
): Promise<void> {
  // One email per language among the recipients: Vietnamese first, English where asked.
  const byLocale = new Map<Locale, Contact[]>();
  for (const c of recipients) {
    const locale = c.locale ?? group.locale;
    byLocale.set(locale, [...(byLocale.get(locale) ?? []), c]);
  }
  // The alerts each language's email carried are marked once SES took it, so that a run whose next
  // language fails, or whose recording of the digest fails, does not send them again in that
  // language with the next sweep (a new alert raised meanwhile goes alone): the alerts stay
  // pending until every language is sent and the digest recorded; then the marks are cleared.
  const marks: string[] = [];
  let messageId: string | undefined;
  for (const [locale, contacts] of byLocale) {
    const mark = `${group.key}\n${locale}`;
    marks.push(mark);
    const had = await deps.alerts.sentInLanguage(mark, group.alerts.map(alertId));
    const alerts = group.alerts.filter((a) => !had.has(alertId(a)));
    if (alerts.length === 0) continue;
    const email = renderDigest({
      locale,
      unitName: group.names?.[locale] ?? groupName(group.name, locale),
      alerts,
      now,
      calendar: deps.calendar,
      catalog: deps.catalog,
      unitNames: group.unitNames?.[locale],
      inPlaceOfUnit: group.inPlaceOfUnit,
      waiting: group.waiting,
    });
    const to = contacts.map((c) => c.email);
    messageId = await deps.mailer.send({
      from: deps.from,
      to,
      subject: headerText(email.subject),
      html: email.html,
      text: email.text,
    });
    await deps.alerts.markSentInLanguage(mark, alerts.map(alertId), now);
    result.sent.push({
      group: group.key,
      locale,
      messageId: messageId ?? "",
      recipients: to,
      alerts: alerts.length,
    });
  }
  await deps.alerts.markDigestSent({
    group: group.key,
    // This run's last email; none when every language went in an earlier run, whose recording failed.
    messageId: messageId ?? "",
    sentAt: now,
    recipients: recipients.map((c) => c.email),
    alerts: group.alerts,
  });
  // The marks have done their work (the alerts are no longer pending); a failure to clear them
  // costs nothing: they expire in 30 days, and no later alert has their ids.
  await deps.alerts.clearSentInLanguage(marks).catch(() => undefined);
  if (group.inPlaceOfUnit) result.inPlaceOfUnit.push(labelOf(group));
}

/** Most unit ids a label names before it counts the rest. */
const LABEL_UNITS = 5;

/**
 * What a failure names the group by, in logs and in the result: a unit's group by its key, a list
 * of people's (a desk's, leadership's, whose key is their addresses) by its kind and the units its
 * alerts are about. Staff addresses are kept out of logs.
 */
export function labelOf(group: Pick<Group, "key" | "alerts">): string {
  if (group.key.startsWith("unit:")) return group.key;
  const kind = group.key.slice(0, group.key.indexOf(":"));
  const unitIds = [...new Set(group.alerts.map((a) => a.unitId))].sort();
  const more = unitIds.length > LABEL_UNITS ? ` +${unitIds.length - LABEL_UNITS}` : "";
  return `${kind}:${unitIds.slice(0, LABEL_UNITS).join(",")}${more}`;
}

/** A group's name in the email's language: the leadership, unknown-unit and one-stop-desk groups have an English one. */
function groupName(name: string, locale: Locale): string {
  if (locale !== "en") return name;
  if (name === "Lãnh đạo") return "Leadership";
  if (name === UNKNOWN_UNIT_NAME.vi) return UNKNOWN_UNIT_NAME.en;
  if (name === ONE_STOP_DESK_NAME.vi) return ONE_STOP_DESK_NAME.en;
  return name;
}
