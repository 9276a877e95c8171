import * as z from "../domain/zod";
import type { SuppressionList } from "./ports";

/**
 * SES event publishing's bounce and complaint events (detail-type "Email Bounced" / "Email
 * Complaint Received"): permanent bounces and every complaint suppress the address.
 */
const Recipient = z.object({ emailAddress: z.string() });
const SesFeedbackSchema = z.object({
  "detail-type": z.enum(["Email Bounced", "Email Complaint Received"]),
  detail: z.object({
    eventType: z.enum(["Bounce", "Complaint"]),
    mail: z.optional(z.object({ tags: z.optional(z.record(z.string(), z.array(z.string()))) })),
    bounce: z.optional(z.object({ bounceType: z.string(), bouncedRecipients: z.array(Recipient) })),
    complaint: z.optional(z.object({ complainedRecipients: z.array(Recipient) })),
  }),
});

/**
 * The addresses an SES feedback event suppresses, suppressed. With `configurationSet` (the
 * stage's), only an email sent through it counts: SES publishes every configuration set's events
 * of the account to its default bus, so another stage's (or another application's) bounce must not
 * suppress an address here.
 */
export async function suppressFromSesEvent(
  store: SuppressionList,
  event: unknown,
  now: number,
  configurationSet?: string,
): Promise<string[]> {
  const parsed = SesFeedbackSchema.safeParse(event);
  if (!parsed.success) return [];
  const d = parsed.data.detail;
  if (configurationSet && !d.mail?.tags?.["ses:configuration-set"]?.includes(configurationSet)) return [];
  const addresses =
    d.eventType === "Bounce"
      ? d.bounce?.bounceType === "Permanent"
        ? (d.bounce.bouncedRecipients ?? []).map((r) => r.emailAddress)
        : []
      : (d.complaint?.complainedRecipients ?? []).map((r) => r.emailAddress);
  for (const a of addresses) await store.suppress(a, d.eventType === "Bounce" ? "bounce" : "complaint", now);
  return addresses;
}
