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
