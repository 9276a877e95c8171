import type { Server } from "node:http";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import sesServer from "aws-ses-v2-local";
import { freePort, LOCAL_AWS } from "./dynamodb-local";

/** The local SES endpoint (aws-ses-v2-local): the SES API, an inbox page at `/`, the mail at `/store`. */
export interface RunningSes {
  endpoint: string;
  stop: () => Promise<void>;
}

export async function startSesLocal(options: { port?: number } = {}): Promise<RunningSes> {
  const port = options.port ?? (await freePort());
  // A CommonJS default export: some loaders hand over the module object instead.
  const start = (sesServer as unknown as { default?: typeof sesServer }).default ?? sesServer;
  const server: Server = await start({ host: "127.0.0.1", port });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function localSesClient(endpoint: string): SESv2Client {
  return new SESv2Client({ ...LOCAL_AWS, endpoint, maxAttempts: 1 });
}

/** An email as the local SES store keeps it. */
export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  /** `related`: a part the HTML shows by `cid:` (its parser then inlines it as a data: URI). */
  attachments: {
    content: string;
    contentType: string;
    filename?: string;
    size: number;
    cid?: string;
    related?: boolean;
  }[];
  at: number;
}

/** The mail the local SES endpoint has accepted. */
export async function readSesStore(endpoint: string): Promise<StoredEmail[]> {
  const res = await fetch(`${endpoint}/store`);
  if (!res.ok) throw new Error(`SES store: HTTP ${res.status}`);
  return ((await res.json()) as { emails: StoredEmail[] }).emails;
}

export async function clearSesStore(endpoint: string): Promise<void> {
  await fetch(`${endpoint}/clear-store`, { method: "POST" });
}
