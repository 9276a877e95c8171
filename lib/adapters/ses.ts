import { type SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import type { Mailer, PlainMessage, RawMessage } from "../app/ports";

/**
 * The mailer port on SES (API v2): plain messages as SES's simple content, composed MIME as raw
 * content. Every message goes through the configuration set when one is given, so bounces and
 * complaints come back as events (functions/ses-feedback.ts).
 */
export function sesMailer(client: SESv2Client, options: { configurationSet?: string } = {}): Mailer {
  return {
    async send(m: PlainMessage) {
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
            },
          },
          ConfigurationSetName: options.configurationSet,
        }),
      );
      return out.MessageId;
    },
    async sendRaw(m: RawMessage) {
      const out = await client.send(
        new SendEmailCommand({
          FromEmailAddress: m.from,
          Destination: { ToAddresses: m.to },
          Content: { Raw: { Data: m.data } },
          ConfigurationSetName: options.configurationSet,
        }),
      );
      return out.MessageId;
    },
  };
}
