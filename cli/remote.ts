import { writeFileSync } from "node:fs";
import { SingleBar } from "cli-progress";
import type { Report } from "../lib/domain/report";
import { type Locale, reportCsv, reportText } from "../lib/render/format";
import { apiFailure, CliError, EXIT, readEventsFile } from "./shared";

/**
 * The API calls of `report --api`, `quarantine` and `send`. Like every command, they fail with
 * {@link CliError} and its exit code (docs/cli.md "Output and exit codes"): an API that cannot be
 * reached or answers 5xx is 3, its refusal 1 ({@link apiFailure}).
 */
async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    throw apiFailure({
      message: `${url}: could not be reached (${(e as Error).cause ?? (e as Error).message})`,
      status: 0,
    });
  }
}

/** `report --api URL --period NAME [--unit ID | --agency ID]`: the same report, read from a running stack. */
export async function remoteReport(opts: {
  api: string;
  period?: string;
  unit?: string;
  /** One agency of the stack's tree: `GET /kpis?agency=`. */
  agency?: string;
  key: string;
  format: "json" | "text" | "csv";
  lang: Locale;
  /** Units by name in text and CSV (`--units`); ids without. */
  names?: ReadonlyMap<string, string>;
  /** With `names`: the agency each unit reports under, from the same file (a tree's CSV column). */
  agencies?: (report: Report) => Promise<ReadonlyMap<string, string> | undefined>;
}): Promise<string> {
  // The CSV without a directory file is the stack's own (`GET /kpis/export`): the names its
  // directory gives and, in a tree, the agency column, as the dashboard's download has them.
  if (opts.format === "csv" && !opts.names) {
    const csv = (await readReport("/kpis/export", opts, { format: "csv", lang: opts.lang })).replace(
      /^\uFEFF/,
      "",
    );
    // The export's first cell is its heading; an HTML page or JSON is not the stack's CSV.
    if (/^\s*[<{[]/.test(csv))
      throw new CliError(
        `${new URL("/kpis/export", opts.api)}: the answer is not the API's CSV: is --api the stack's URL?`,
        EXIT.unreachable,
      );
    return csv;
  }
  const url = new URL("/kpis", opts.api).toString();
  const report = apiJson<Report>(url, await readReport("/kpis", opts));
  if (opts.format === "json") return `${JSON.stringify(report, null, 2)}\n`;
  // Units by name: the directory's file when given, else the names the stack's directory gives
  // this key (GET /me), so that text and CSV never show ids a name exists for.
  const names = opts.names ?? (await unitNamesOf(opts));
  return opts.format === "csv"
    ? reportCsv(report, opts.lang, names, await opts.agencies?.(report))
    : reportText(report, opts.lang, names);
}

/** A report route's answer for this key, period, unit or agency (and `more`), as text; a refusal thrown. */
async function readReport(
  path: "/kpis" | "/kpis/export",
  opts: { api: string; period?: string; unit?: string; agency?: string; key: string },
  more: Record<string, string> = {},
): Promise<string> {
  const url = new URL(path, opts.api);
  for (const [name, value] of Object.entries({
    ...more,
    period: opts.period,
    unit: opts.unit,
    agency: opts.agency,
  }))
    if (value) url.searchParams.set(name, value);
  const res = await call(url.toString(), { headers: { authorization: `Bearer ${opts.key}` } });
  const body = await res.text();
  if (!res.ok)
    throw apiFailure({ message: `${url}: HTTP ${res.status}: ${body.slice(0, 500)}`, status: res.status });
  return body;
}

/** An API answer's JSON; one that is not (a page, a proxy's answer) says so, as a server not reached. */
function apiJson<T>(url: string, body: string): T {
  try {
    return JSON.parse(body) as T;
  } catch {
    throw new CliError(
      `${url}: the answer is not the API's JSON (${JSON.stringify(body.slice(0, 60))}…): is --api the stack's URL?`,
      EXIT.unreachable,
    );
  }
}

/**
 * The names of the units and agencies a key reads, in `lang`, from the stack (`GET /me`); none when
 * it cannot tell (the report already read is then shown by ids, not refused).
 */
async function unitNamesOf(opts: { api: string; key: string; lang: Locale }) {
  type Named = { id: string; name?: Partial<Record<Locale, string>> };
  try {
    const res = await call(new URL("/me", opts.api).toString(), {
      headers: { authorization: `Bearer ${opts.key}` },
    });
    if (!res.ok) return undefined;
    const me = (await res.json()) as {
      units?: Named[];
      agencies?: Named[];
      tree?: { nodes?: Named[] } | null;
    };
    const all = [...(me.units ?? []), ...(me.agencies ?? []), ...(me.tree?.nodes ?? [])];
    return new Map(
      all.flatMap((u) => (u.name?.[opts.lang] ? [[u.id, u.name[opts.lang] as string] as const] : [])),
    );
  } catch {
    return undefined;
  }
}

interface QuarantinedItem {
  at: string;
  reason: string;
  eventId?: string;
  dossierId?: string;
  source?: string;
  body: unknown;
  appliedSince: boolean;
}

/**
 * `quarantine --api URL`: the events kept in quarantine, one line each with its reason; with
 * `out`, the ones that can be sent again (what the contract knows of them, and not applied since)
 * as NDJSON for `send`, once corrected or once the cause (a missing calendar year, say) is fixed.
 */
export async function remoteQuarantine(opts: {
  api: string;
  key: string;
  out?: string;
  /** Only this integration's events (the listing and the file). */
  source?: string;
}): Promise<{ text: string; count: number; written: number }> {
  const items: QuarantinedItem[] = [];
  let cursor: string | null = null;
  do {
    const url = new URL("/quarantine", opts.api);
    url.searchParams.set("limit", "200");
    if (cursor) url.searchParams.set("cursor", cursor);
    const res = await call(url.toString(), { headers: { authorization: `Bearer ${opts.key}` } });
    const body = await res.text();
    if (!res.ok)
      throw apiFailure({ message: `${url}: HTTP ${res.status}: ${body.slice(0, 500)}`, status: res.status });
    const page = apiJson<{ items: QuarantinedItem[]; cursor: string | null }>(url.toString(), body);
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  const sourceOf = (q: QuarantinedItem) =>
    q.source ??
    (typeof q.body === "object" && q.body !== null
      ? ((q.body as { source?: unknown }).source as string | undefined)
      : undefined);
  if (opts.out && opts.source === undefined) {
    const sources = [...new Set(items.filter((q) => !q.appliedSince).map((q) => sourceOf(q) ?? "(none)"))];
    // One file per integration: each is sent again with that integration's own key (POST /events
    // refuses another's events), so a file mixing sources could not be sent by anyone.
    if (sources.length > 1)
      throw new CliError(
        `--source: the quarantined events come from several sources (${sources.sort().join(", ")}): write one file per source with --source NAME, and send each with that integration's own key`,
        EXIT.usage,
      );
  }
  const listed = (opts.source === undefined ? items : items.filter((q) => sourceOf(q) === opts.source)).sort(
    (a, b) => a.at.localeCompare(b.at),
  );
  const text = listed
    .map(
      (q) =>
        `${q.at}\t${q.eventId ?? "-"}\t${q.dossierId ?? "-"}\t${q.appliedSince ? "(applied since) " : ""}${q.reason}\n`,
    )
    .join("");
  const resendable = listed
    .filter((q) => !q.appliedSince)
    .flatMap((q) => {
      const b = q.body;
      if (typeof b !== "object" || b === null || "notKept" in b) return [];
      const { removed: _removed, valuesNotKept: _notKept, ...event } = b as Record<string, unknown>;
      // Each event keeps (or gets) its source: POST /events refuses it under another's key.
      const source = sourceOf(q);
      return [JSON.stringify(source === undefined ? event : { ...event, source })];
    });
  if (opts.out) writeFileSync(opts.out, resendable.length ? `${resendable.join("\n")}\n` : "");
  return { text, count: listed.length, written: opts.out ? resendable.length : 0 };
}

export interface SendSummary {
  accepted: number;
  duplicate: number;
  rejected: number;
  rejectedFile?: string;
}

/** `send FILE --api URL`: posts an events file in batches of 100 with a progress bar. */
export async function sendFile(
  file: string,
  opts: { api: string; key: string; rejected?: string; progress?: boolean },
): Promise<SendSummary> {
  const parsed = await readEventsFile(file);
  const summary: SendSummary = { accepted: 0, duplicate: 0, rejected: 0 };
  const rejectedLines: string[] = parsed.problems.map((p) =>
    JSON.stringify({ line: p.line, problems: [{ path: p.path, message: p.message }] }),
  );
  summary.rejected += new Set(parsed.problems.map((p) => p.line)).size;
  const bar =
    opts.progress === false
      ? undefined
      : new SingleBar(
          { format: "sending [{bar}] {value}/{total} events | {eta_formatted} left", hideCursor: true },
          undefined,
        );
  bar?.start(parsed.events.length, 0);
  const url = new URL("/events", opts.api).toString();
  for (let i = 0; i < parsed.events.length; i += 100) {
    const batch = parsed.events.slice(i, i + 100);
    const body = await postBatch(url, opts.key, batch, parsed.lines[i] ?? i + 1).catch((e) => {
      bar?.stop();
      throw e;
    });
    summary.accepted += body.accepted ?? 0;
    summary.duplicate += body.duplicate ?? 0;
    summary.rejected += body.rejected ?? 0;
    for (const r of body.results ?? []) {
      if (r.status === "rejected")
        rejectedLines.push(
          JSON.stringify({ line: parsed.lines[i + r.index], event: batch[r.index], problems: r.problems }),
        );
    }
    bar?.update(Math.min(i + 100, parsed.events.length));
  }
  bar?.stop();
  if (rejectedLines.length) {
    summary.rejectedFile = opts.rejected ?? `${file}.rejected.ndjson`;
    writeFileSync(summary.rejectedFile, `${rejectedLines.join("\n")}\n`);
  }
  return summary;
}

/** The API's answer to one batch of `send`, tried again on 429 and 5xx; one that does not answer every event is refused. */
async function postBatch(
  url: string,
  key: string,
  batch: readonly unknown[],
  firstLine: number,
): Promise<{
  accepted?: number;
  duplicate?: number;
  rejected?: number;
  results?: { index: number; status: string; problems?: unknown }[];
}> {
  let res: Response | undefined;
  for (let attempt = 1; attempt <= 5; attempt++) {
    res = await call(url, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ events: batch }),
    });
    if (res.status !== 429 && res.status < 500) break;
    await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
  }
  const status = res?.status ?? 0;
  const text = (await res?.text()) ?? "";
  let body: Awaited<ReturnType<typeof postBatch>> & { message?: string } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: judged below, as an answer that accounts for no event.
  }
  if (status >= 400 && !body.results)
    throw apiFailure({ message: `${url}: HTTP ${status}: ${body.message ?? text.slice(0, 200)}`, status });
  // Every event of the batch is answered: a page or a proxy's answer is not the API's, and
  // counting it as nothing sent would report a send that never happened as a success.
  const answered = (body.accepted ?? 0) + (body.duplicate ?? 0) + (body.rejected ?? 0);
  if (answered !== batch.length)
    throw new CliError(
      `${url}: HTTP ${status}: ${body.message ? `${body.message}; ` : ""}the answer accounts for ${answered} of the ${batch.length} events sent (is --api the stack's URL?); send the file again from line ${firstLine} (events already taken are answered as duplicates)`,
      EXIT.unreachable,
    );
  return body;
}
