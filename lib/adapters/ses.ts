import { type SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import type { Mailer, MailMessage } from "../app/ports";

const utf8 = (Data: string) => ({ Data, Charset: "UTF-8" });

/**
 * The mailer port on SES (API v2): every message as SES's simple content, which SES composes into
 * MIME itself: the text and HTML parts, the files as attachments, and the images the HTML shows
 * by `cid:` as inline parts under that Content-ID. Every message goes through the configuration
 * set when one is given, so bounces and complaints come back as events (functions/ses-feedback.ts).
 */
export function sesMailer(client: SESv2Client, options: { configurationSet?: string } = {}): Mailer {
  return {
    async send(m: MailMessage) {
      const out = await client.send(
        new SendEmailCommand({
          FromEmailAddress: m.from,
          Destination: { ToAddresses: m.to },
          Content: {
            Simple: {
              Subject: utf8(m.subject),
              Body: { Html: utf8(m.html), Text: utf8(m.text) },
              // A digest has none: its request carries no Attachments at all.
              Attachments: m.attachments?.map((a) => ({
                FileName: a.filename,
                RawContent: a.content,
                ContentType: a.contentType,
                ContentDisposition: a.cid ? "INLINE" : "ATTACHMENT",
                ContentId: a.cid,
                // SES's default is SEVEN_BIT, which cannot carry the spreadsheets' and PNGs' bytes.
                ContentTransferEncoding: "BASE64",
              })),
            },
          },
          ConfigurationSetName: options.configurationSet,
        }),
      );
      return out.MessageId;
    },
  };
}
