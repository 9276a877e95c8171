import { err, ok, type Problem, type Result } from "../result";
import { decodeUtf8, jsonErrorText } from "../text";
import type { DossierEvent } from "./schema";
import { type ValidateOptions, validateEvent } from "./validate";

/** What is said of an events file whose bytes are not UTF-8 (a Windows-1258 or UTF-16 export, say). */
export const NOT_UTF8 = "not UTF-8 text: save the file as UTF-8 and send it again";

/** An events file's text; one that is not UTF-8 is refused, with what to do. */
export function decodeEventsFile(bytes: Uint8Array): Result<string, string> {
  const text = decodeUtf8(bytes);
  return text === undefined ? err(NOT_UTF8) : ok(text);
}

/** A problem in an events file, with the line it starts on (1-based). */
export interface LineProblem extends Problem {
  line: number;
}

export interface ParsedEventsFile {
  events: DossierEvent[];
  /** Line of each event in `events`, same index. */
  lines: number[];
  problems: LineProblem[];
}

/**
 * Splits a JSON array text into its top-level elements, each with the line it starts on
 * (1-based), without parsing them: one bad element must not hide the others or its line.
 */
function arrayElements(text: string): { text: string; line: number }[] | undefined {
  const out: { text: string; line: number }[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  let startLine = 1;
  const close = (end: number) => {
    if (start >= 0) out.push({ text: text.slice(start, end), line: startLine });
    start = -1;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === "\n") line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === "\\") escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (depth === 1 && start < 0 && !/[\s,\]]/.test(ch)) {
      start = i;
      startLine = line;
    }
    if (ch === '"') inString = true;
    else if (ch === "[" || ch === "{") depth++;
    else if (ch === "]" || ch === "}") {
      depth--;
      if (depth === 0) {
        close(i);
        return text.slice(i + 1).trim() === "" ? out : undefined;
      }
    } else if (ch === "," && depth === 1) close(i);
  }
  return undefined;
}

/** Validates one parsed value of line `line` into `out`: an event, or its problems. */
function accept(out: ParsedEventsFile, value: unknown, line: number, options: ValidateOptions): void {
  const result = validateEvent(value, options);
  if (result.ok) {
    out.events.push(result.value);
    out.lines.push(line);
  } else {
    for (const p of result.error) out.problems.push({ line, ...p });
  }
}

/**
 * An NDJSON events file taken a line at a time (`add` each line in order, then `result`), so a file
 * larger than a string may hold (about 512 MB in Node) is read without ever being one: what
 * {@link parseEventsText} gives for the same text.
 */
export class NdjsonEvents {
  private readonly out: ParsedEventsFile = { events: [], lines: [], problems: [] };
  private line = 0;
  constructor(private readonly options: ValidateOptions = {}) {}
  add(raw: string): void {
    this.line++;
    const lineText = (this.line === 1 ? raw.replace(/^\uFEFF/, "") : raw).trim();
    if (!lineText) return;
    let value: unknown;
    try {
      value = JSON.parse(lineText);
    } catch (e) {
      this.out.problems.push({
        line: this.line,
        path: "(json)",
        message: `malformed JSON: ${jsonErrorText(e)}`,
      });
      return;
    }
    accept(this.out, value, this.line, this.options);
  }
  result(): ParsedEventsFile {
    return this.out;
  }
}

/**
 * Parses an events file: NDJSON (one event a line) or a JSON array. Every invalid event is
 * reported with its line and each bad field; valid events are returned in file order.
 */
export function parseEventsText(text: string, options: ValidateOptions = {}): ParsedEventsFile {
  const out: ParsedEventsFile = { events: [], lines: [], problems: [] };
  const body = text.replace(/^\uFEFF/, "");
  if (body.trimStart().startsWith("[")) {
    const elements = arrayElements(body);
    if (!elements) {
      const lines = body.split("\n").length;
      out.problems.push({
        line: lines,
        path: "(json)",
        message: "malformed JSON: the array is not closed properly",
      });
      return out;
    }
    for (const element of elements) {
      let value: unknown;
      try {
        value = JSON.parse(element.text);
      } catch (e) {
        out.problems.push({
          line: element.line,
          path: "(json)",
          message: `malformed JSON: ${jsonErrorText(e)}`,
        });
        continue;
      }
      accept(out, value, element.line, options);
    }
    return out;
  }
  // One event written over several lines (as events/samples/ are): the file is that event, not
  // a line of malformed JSON each.
  const single = singleObject(body);
  if (single !== undefined) {
    accept(out, single, 1, options);
    return out;
  }
  const lines = new NdjsonEvents(options);
  for (const raw of body.split("\n")) lines.add(raw);
  return lines.result();
}

/** Serialises events as NDJSON, one a line. */
export function toNdjson(events: readonly unknown[]): string {
  return events.map((e) => JSON.stringify(e)).join("\n") + (events.length ? "\n" : "");
}

/**
 * The one JSON object a text holds over several lines, if it is that: it opens with `{`, its first
 * line is not JSON on its own (NDJSON's lines each are), and the whole parses as an object.
 */
export function singleObject(body: string): unknown {
  const text = body.trim();
  if (!text.startsWith("{")) return undefined;
  const firstLine = text.slice(0, text.indexOf("\n") === -1 ? text.length : text.indexOf("\n"));
  if (firstLine.length === text.length || parses(firstLine)) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `text` is JSON on its own. */
export function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
