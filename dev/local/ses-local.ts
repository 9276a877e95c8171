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

/** An email the local SES endpoint accepted, as tests and scripts read it. */
export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  /** As sent: the HTML names its inline images by `cid:` (nothing composes or parses MIME here). */
  body: { html?: string; text?: string };
  /** `related`: an inline part the HTML shows by `cid:`, not a file for the reader. */
  attachments: StoredAttachment[];
  at: number;
}

export interface StoredAttachment {
  /** Base64. */
  content: string;
  contentType: string;
  filename?: string;
  size: number;
  cid?: string;
  related: boolean;
}

/** A simple-content attachment as aws-ses-v2-local stores it (the request's fields, renamed). */
interface EmulatorAttachment {
  content: string;
  contentType: string;
  contentDisposition?: string;
  contentId?: string;
  filename?: string;
  size: number;
}

type EmulatorEmail = Omit<StoredEmail, "attachments"> & { attachments?: EmulatorAttachment[] };

/** The mail the local SES endpoint has accepted. */
export async function readSesStore(endpoint: string): Promise<StoredEmail[]> {
  const res = await fetch(`${endpoint}/store`);
  if (!res.ok) throw new Error(`SES store: HTTP ${res.status}`);
  return ((await res.json()) as { emails: EmulatorEmail[] }).emails.map((m) => ({
    ...m,
    attachments: (m.attachments ?? []).map(attachmentOf),
  }));
}

function attachmentOf(a: EmulatorAttachment): StoredAttachment {
  // SES takes ATTACHMENT or INLINE; an inline part is what a `cid:` resolves to only with its id.
  const related = a.contentDisposition === "INLINE" && a.contentId !== undefined;
  return {
    content: a.content,
    contentType: a.contentType,
    filename: a.filename,
    size: a.size,
    cid: a.contentId,
    related,
  };
}

export async function clearSesStore(endpoint: string): Promise<void> {
  await fetch(`${endpoint}/clear-store`, { method: "POST" });
}
