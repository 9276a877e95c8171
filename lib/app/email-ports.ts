import type { PendingAlert } from "../domain/records";

/**
 * The ports of what the monitor sends (./ports.ts has the others): email, the alert queue the
 * digests drain, and the KPI emails' issued reports, snapshots and sends.
 */

/** A file sent with an email; with a `cid`, an image its HTML shows by `cid:`, sent inline. */
export interface MailAttachment {
  filename: string;
  content: Uint8Array;
  contentType: string;
  cid?: string;
}

/**
 * An email with an HTML and a text part, sent as one message to every address of `to`, with its
 * files and inline images, if any. The subject is sent as given: the use case makes it
 * header-safe (lib/domain/text.ts `headerText`).
 */
export interface MailMessage {
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  attachments?: readonly MailAttachment[];
}

/** Sends email. Answers the provider's message id; throws when the provider refuses. */
export interface Mailer {
  send(message: MailMessage): Promise<string | undefined>;
}

/** The alert queue the digests drain: the pending alerts, a lease per digest group, the digests sent. */
export interface DigestQueue {
  pending(): Promise<PendingAlert[]>;
  acquireLease(group: string, owner: string, now: number, until: number): Promise<boolean>;
  releaseLease(group: string, owner: string): Promise<void>;
  /** Records a sent digest and removes its alerts from the pending ones. */
  markDigestSent(args: {
    group: string;
    messageId: string;
    sentAt: number;
    recipients: string[];
    alerts: PendingAlert[];
  }): Promise<void>;
  /**
   * Which of these alerts (by id) a group's email in one language (`mark`: the group and the
   * language) already carried, sent by a run that failed after it (another language, or recording
   * the digest); and adding those an email carried. The alerts stay pending until every language
   * is sent and the digest recorded, and each language's readers get each alert once.
   */
  sentInLanguage(mark: string, alertIds: readonly string[]): Promise<Set<string>>;
  markSentInLanguage(mark: string, alertIds: readonly string[], at: number): Promise<void>;
  /** Removes a recorded digest's marks: its alerts are no longer pending. */
  clearSentInLanguage(marks: readonly string[]): Promise<void>;
  /** Removes pending alerts unsent (./stale-alerts.ts), their history entries stamped `droppedAt`. */
  dropPending(alerts: readonly PendingAlert[], at: number): Promise<void>;
}

/** Issued reports and the weekly emails' snapshots, read. */
export interface ReportReader {
  getIssued<T>(periodName: string): Promise<{ issuedAt: number; report: T } | undefined>;
  snapshotAt<T>(periodName: string, offsetMs: number): Promise<{ offsetMs: number; report: T } | undefined>;
}

/** Issued reports and snapshots, read and written (the KPI emails and the period close). */
export interface ReportArchive extends ReportReader {
  /** Freezes a period's report as issued; `false` if it was already. */
  putIssued(periodName: string, report: unknown, issuedAt: number): Promise<boolean>;
  putSnapshot(periodName: string, offsetMs: number, report: unknown): Promise<void>;
}

/** One weekly KPI email: the week (its Monday, local date), the language, the agency it is about. */
export interface WeeklySend {
  week: string;
  locale: "vi" | "en";
  agency: string;
}

/**
 * The weekly KPI emails sent, each marked once (docs/kpis.md "The weekly emails"), so that a run
 * retried after some were sent sends only the others.
 */
export interface WeeklySendLog {
  /**
   * Marks `send` as being sent, for `leaseMs`; `false` when it already was (this week, this
   * language, this agency), or another run holds it. A claim neither sent nor released whose lease
   * has passed (its run died mid-email, or is still building the email: its {@link renew} then
   * fails) may be taken again.
   */
  claim(send: WeeklySend, at: number, leaseMs: number): Promise<boolean>;
  /**
   * Renews the claim made at `claimedAt`, for `leaseMs` from `at`, just before its email is sent
   * (building a province's email may take longer than a lease); `false` when another run has
   * taken it over since, or sent it.
   */
  renew(send: WeeklySend, claimedAt: number, at: number, leaseMs: number): Promise<boolean>;
  /** Records the message SES accepted for a claimed send. */
  sent(send: WeeklySend, messageId: string | undefined, at: number): Promise<void>;
  /**
   * Takes a claim back when its email could not be sent, so the retry sends it: only the claim
   * made at `claimedAt` and not sent (another run may have taken it over since, and sent it).
   */
  release(send: WeeklySend, claimedAt: number): Promise<void>;
}
