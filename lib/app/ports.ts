import type { Period } from "../domain/periods";
import type { PeriodCounts } from "../domain/report";

/**
 * The ports the use cases take: what they need of the outside, as interfaces. The adapters in
 * lib/adapters/ implement them (DynamoDB: `DossierStore`; SES: `sesMailer`), and the composition
 * roots in functions/ plug one into the other.
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

/** The store slice the KPI read needs: a period's counters. */
export interface CounterReader {
  readPeriodCounts(period: Pick<Period, "name">): Promise<PeriodCounts & { itemsRead: number }>;
}

/** The store slice SES feedback needs: the suppression list. */
export interface SuppressionList {
  suppress(email: string, reason: string, at: number): Promise<void>;
}

/* The expected outcomes of writing to the store, as errors the use cases catch by class. */

/** The event's identity is already stored: a duplicate, applied once before. */
export class DuplicateEventError extends Error {}
/** The dossier changed since it was read: read again and retry. */
export class VersionConflictError extends Error {}
/** More counter items than one transaction can hold. */
export class TransactionTooLargeError extends Error {}
/** The item would be larger than DynamoDB (or the store's bound) takes. */
export class ItemTooLargeError extends Error {}
/** A page cursor the store did not hand out (or one for another listing). */
export class InvalidCursorError extends Error {}

/** An API key's credential as the store keeps it: under the key's SHA-256, never the key. */
export interface StoredCredential {
  hash: string;
  name: string;
  role: string;
  source: string;
  ratePerSecond?: number;
  units?: string[];
}

/** The store slice authentication needs: keys by hash, and per-second request windows. */
export interface KeyStore {
  keys: {
    put(hash: string, credential: Omit<StoredCredential, "hash">): Promise<void>;
    get(hash: string): Promise<StoredCredential | undefined>;
  };
  rates: {
    /** Counts one request in `bucket`'s window of one epoch `second`; answers the window's count. */
    hit(bucket: string, second: number): Promise<number>;
  };
}
