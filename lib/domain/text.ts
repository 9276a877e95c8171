const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Bytes as UTF-8 text, or `undefined` when they are not UTF-8 (a Latin-1 or UTF-16 export, say):
 * refused rather than read with replacement characters, which would store mangled dossier ids.
 */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Text safe in an email header (Subject, a display name): every control character removed (C0,
 * DEL, C1, and U+2028/U+2029, which some mail software treats as line breaks), white space runs
 * made one space, and the result cut to `max` characters. A CR or LF left in a Subject lets the text
 * after it become a header of its own (`Bcc:` …); SES refuses some of them, not all, so it is never
 * left to SES.
 */
export function headerText(text: string, max = 200): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
  const stripped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ");
  const collapsed = stripped.replace(/\s+/g, " ").trim();
  return collapsed.length > max ? `${collapsed.slice(0, max - 1)}…` : collapsed;
}

/**
 * A message with every email address in it replaced by `[address]`: SES names the addresses it
 * refuses in its errors, and staff addresses are kept out of logs and dead-letter queues.
 */
export function withoutAddresses(message: string): string {
  return message.replace(/[^\s@<>"'(),;:[\]]+@[^\s@<>"'(),;:[\]]+/g, "[address]");
}

/** An error's message (or what was thrown, as text), without email addresses. */
export function errorText(e: unknown): string {
  return withoutAddresses(e instanceof Error ? e.message : String(e));
}

/** A code shown because no name exists for it, said so: names are shown, never ids. */
export function unnamedCode(code: string, locale: "vi" | "en" = "vi"): string {
  return `${code} (${locale === "vi" ? "chưa có tên trong danh mục" : "no name on record"})`;
}

/**
 * Why a text is not JSON, without any of the text: the parser's own message quotes the input
 * around the error (an applicant's name, in a bad events file), so only where it failed is said.
 */
export function jsonErrorText(e: unknown): string {
  const message = e instanceof Error ? e.message : "";
  if (/Unexpected end of JSON input/.test(message)) return "not valid JSON: it ends too soon";
  const at = /position (\d+)/.exec(message);
  return at ? `not valid JSON at character ${Number(at[1]) + 1}` : "not valid JSON";
}
