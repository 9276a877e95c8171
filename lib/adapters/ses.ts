import { type Attachment, type SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import type { MailAttachment, Mailer, MailMessage } from "../app/ports";

/**
 * The mailer port on SES (API v2): every message as SES's simple content, which SES composes into
 * MIME itself: the text and HTML parts, the files as attachments, and the images the HTML shows
 * by `cid:` as inline parts under that Content-ID. Every message goes through the configuration
 * set when one is given, so bounces and complaints come back as events (functions/ses-feedback.ts).
 */
export function sesMailer(client: SESv2Client, options: { configurationSet?: string } = {}): Mailer {
  return {
    async send(m: MailMessage) {
      const attachments = [
        ...(m.attachments ?? []).map((a) => part(a, "ATTACHMENT")),
        ...(m.images ?? []).map((i) => ({ ...part(i, "INLINE"), ContentId: i.cid })),
      ];
      const out = await client.send(
        new SendEmailCommand({
          FromEmailAddress: m.from,
          Destination: { ToAddresses: m.to },
          Content: {
            Simple: {
              Subject: { Data: m.subject, Charset: "UTF-8" },
              Body: {
                Html: { Data: m.html, Charset: "UTF-8" },
                Text: { Data: m.text, Charset: "UTF-8" },
              },
              // Digests carry none: their request has no Attachments at all, as before.
              Attachments: attachments.length > 0 ? attachments : undefined,
            },
          },
          ConfigurationSetName: options.configurationSet,
        }),
      );
      return out.MessageId;
    },
  };
}

/** A file as SES takes it; base64 on the wire, whatever its bytes (spreadsheets and PNGs are binary). */
function part(a: MailAttachment, disposition: "ATTACHMENT" | "INLINE"): Attachment {
  return {
    FileName: a.filename,
    RawContent: a.content,
    ContentType: a.contentType,
    ContentDisposition: disposition,
    ContentTransferEncoding: "BASE64",
  };
}
