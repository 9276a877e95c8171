import { err, ok, type Problem, type Result } from "../result";
import { parseInstant } from "../time";
import type * as z from "../zod";
import { shownFieldName } from "./redact";
import { type DossierEvent, DossierEventSchema, EVENT_TYPES, MAX_CLOCK_SKEW_MS } from "./schema";

function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === "number") return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, "");
}

/** The most problems one answer lists for one input (an event, a query, a request). */
export const MAX_PROBLEMS = 50;
const MAX_MESSAGE = 300;
const MAX_PATH = 200;

/**
 * Problems as an answer carries them: at most `max`, then one line saying how many more there
 * are; each path and message cut. 20,000 unknown keys once gave a 1.3 MB error body: what a
 * sender needs is the first ones and the count.
 */
export function capProblems(problems: readonly Problem[], max = MAX_PROBLEMS): Problem[] {
  const cut = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
  const listed = problems
    .slice(0, max)
    .map((p) => ({ path: cut(p.path, MAX_PATH), message: cut(p.message, MAX_MESSAGE) }));
  if (problems.length > max)
    listed.push({
      path: "(more)",
      message: `${problems.length - max} more problems not listed: fix these first`,
    });
  return listed;
}

/** Every problem zod found, one per field, with a message a person can act on (at most {@link MAX_PROBLEMS}). */
export function problemsOf(error: z.core.$ZodError): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        // The key as sent only when it reads as a field name: a key can carry a person's name.
        problems.push({
          path: pathOf([...issue.path, shownFieldName(key)]),
          message: "unknown field (not in the contract)",
        });
      }
    } else if (issue.code === "invalid_union" && issue.path.length === 0 && "note" in issue) {
      problems.push({ path: "type", message: `must be one of ${EVENT_TYPES.join(", ")}` });
    } else {
      problems.push({ path: pathOf(issue.path) || "(event)", message: issue.message });
    }
  }
  // One entry per field: several complaints about one value read better as one line.
  const merged = new Map<string, string[]>();
  for (const p of problems) merged.set(p.path, [...(merged.get(p.path) ?? []), p.message]);
  return capProblems(
    [...merged].map(([path, messages]) => ({ path, message: [...new Set(messages)].join("; ") })),
  );
}

export interface ValidateOptions {
  /** The receiver's clock; events more than 5 minutes ahead of it are rejected. Omit to skip. */
  now?: number;
}

/** Validates one event against the contract (and the receiver's clock when given). */
export function validateEvent(
  input: unknown,
  options: ValidateOptions = {},
): Result<DossierEvent, Problem[]> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return err([{ path: "(event)", message: "an event must be a JSON object" }]);
  }
  const type = (input as { type?: unknown }).type;
  if (typeof type !== "string" || !(EVENT_TYPES as string[]).includes(type)) {
    return err([{ path: "type", message: `must be one of ${EVENT_TYPES.join(", ")}` }]);
  }
  const parsed = DossierEventSchema.safeParse(input);
  if (!parsed.success) return err(problemsOf(parsed.error));
  const event = parsed.data;
  const problems: Problem[] = [];
  if (options.now !== undefined) {
    const at = parseInstant(event.occurredAt) ?? 0;
    if (at - options.now > MAX_CLOCK_SKEW_MS) {
      problems.push({ path: "occurredAt", message: "more than 5 minutes ahead of the receiver's clock" });
    }
  }
  // `undated` says when an inferred end (`ifPaused`) ends its wait; alone it would be read as a
  // dated answer at `occurredAt`, the opposite of what its sender meant (docs/events.md).
  if (event.type === "dossier.supplement_received" && event.data.undated && !event.data.ifPaused)
    problems.push({ path: "data.undated", message: "only with ifPaused: true" });
  return problems.length ? err(problems) : ok(event);
}

/** `path: message; path: message` — for logs, quarantine records and HTTP answers. */
export function describeProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join("; ");
}
