import * as z from "../domain/zod";
import type { SuppressionList } from "./ports";

/**
 * SES event publishing's bounce and complaint events (detail-type "Email Bounced" / "Email
 * Complaint Received"): permanent bounces and every complaint suppress the address.
 */
/** A recipient is read on its own: one without an address (or not an object) costs the event none of the others. */
const Recipient = z.unknown();
const SesFeedbackSchema = z.object({
  "detail-type": z.enum(["Email Bounced", "Email Complaint Received"]),
  detail: z.object({
    eventType: z.enum(["Bounce", "Complaint"]),
    mail: z.optional(z.object({ tags: z.optional(z.record(z.string(), z.array(z.string()))) })),
    bounce: z.optional(z.object({ bounceType: z.string(), bouncedRecipients: z.array(Recipient) })),
    complaint: z.optional(z.object({ complainedRecipients: z.array(Recipient) })),
  }),
});

/** What a feedback event did: the addresses suppressed, or the fields that made it unreadable. */
export interface FeedbackOutcome {
  suppressed: string[];
  /** The paths of the fields SES's event did not have as expected (no value of theirs). */
  unreadable?: string[];
}

/**
 * The addresses an SES feedback event suppresses, suppressed. An event of another shape suppresses
 * nothing and says which fields, so that a change of SES's format shows in the logs rather than
 * silently letting bounced addresses be mailed again. With `configurationSet` (the
 * stage's), only an email sent through it counts: SES publishes every configuration set's events
 * of the account to its default bus, so another stage's (or another application's) bounce must not
 * suppress an address here.
 */
export async function suppressFromSesEvent(
  store: SuppressionList,
  event: unknown,
  now: number,
  configurationSet?: string,
): Promise<FeedbackOutcome> {
  const parsed = SesFeedbackSchema.safeParse(event);
  if (!parsed.success)
    return {
      suppressed: [],
      unreadable: [...new Set(parsed.error.issues.map((i) => i.path.join(".") || "(event)"))],
    };
  const d = parsed.data.detail;
  if (configurationSet && !d.mail?.tags?.["ses:configuration-set"]?.includes(configurationSet))
    return { suppressed: [] };
  const [field, recipients] =
    d.eventType === "Bounce"
      ? [
          "bounce.bouncedRecipients",
          d.bounce?.bounceType === "Permanent" ? (d.bounce.bouncedRecipients ?? []) : [],
        ]
      : ["complaint.complainedRecipients", d.complaint?.complainedRecipients ?? []];
  const addresses: string[] = [];
  const unreadable: string[] = [];
  recipients.forEach((r, i) => {
    const address =
      typeof r === "object" && r !== null ? (r as { emailAddress?: unknown }).emailAddress : undefined;
    if (typeof address === "string" && address.trim() !== "") addresses.push(address);
    else unreadable.push(`detail.${field}.${i}.emailAddress`);
  });
  for (const a of addresses) await store.suppress(a, d.eventType === "Bounce" ? "bounce" : "complaint", now);
  return { suppressed: addresses, ...(unreadable.length && { unreadable }) };
}
