/**
 * The README's screenshot of the leadership KPI email, taken from the running local stack:
 * `npm run screenshot [-- OUT.png]` (default docs/screenshots/kpi-email.png).
 *
 * It starts the local stack (its own DynamoDB Local and SES endpoint, in memory) with the seed's
 * units and keys, then walks the seed quarter a week at a time: posts that week's events to the
 * HTTP API, waits for the consumer to apply them, runs the sweep, and moves the demo clock past
 * Monday 07:30, where the scheduler fires the weekly KPI report as deployed (which keeps the week's
 * snapshot, so the trend lines grow); it goes on once that snapshot is stored. It takes the last KPI email from the SES
 * inbox, writes its HTML with the trend images as data: URIs (what a mail client shows from the
 * message's inline parts, each under the Content-ID its `cid:` names) and has headless Chromium
 * screenshot it. Needs `chromium` on the PATH
 * (Debian: `apt-get install chromium`), or its path in CHROMIUM_PATH (./chromium.ts). Takes a few minutes: the seed
 * quarter is about 17,600 events.
 */

import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { readSesStore, type StoredEmail } from "../dev/local/ses-local";
import { DemoClock, SERVE_DEFAULTS, startLocalStack } from "../dev/local/stack";
import type { LocalStack } from "../dev/local/stack-options";
import { SEED_PERIOD, seed2022Q3 } from "../dev/scenarios/seed-2022-q3";
import { periodBounds } from "../lib/domain/periods";
import { instant } from "../lib/domain/time";
import { parseUnitDirectory } from "../lib/domain/units";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium";

const ROOT = join(import.meta.dirname, "..");
const OUT = process.argv[2] ?? join(ROOT, "docs", "screenshots", "kpi-email.png");
const WEEK = 7 * 86_400_000;
/** Just before the weekly report of the seed quarter's first Monday, and of `serve`'s first one. */
const FIRST = instant("2022-06-13T07:29:00+07:00");
const LAST = instant("2022-08-29T07:29:00+07:00");
const SENDER = "bao-cao@ubnd.example.org";
const SIZE = { width: 1150, height: 2000 };

/** The email's HTML as a mail client shows it: each `cid:` image from its inline part. */
export function inlineImages(mail: StoredEmail): string {
  let html = mail.body.html ?? "";
  for (const a of mail.attachments)
    if (a.related) html = html.split(`cid:${a.cid}`).join(`data:${a.contentType};base64,${a.content}`);
  const left = html.match(/src="cid:[^"]*"/);
  if (left) throw new Error(`no inline part for ${left[0]}`);
  return html;
}

/** Waits until the weekly report fired after `at` has stored its snapshot (at most 2 minutes). */
async function weeklySnapshot(stack: LocalStack, at: number): Promise<void> {
  const offset = at - periodBounds(SEED_PERIOD).start;
  for (let i = 0; i < 600; i++) {
    const snap = await stack.store.reports.snapshotAt(SEED_PERIOD.name, offset + WEEK / 2);
    if (snap && snap.offsetMs >= offset) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no weekly snapshot after ${new Date(at).toISOString()}`);
}

async function main() {
  const directory = parseUnitDirectory(
    JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")),
  );
  const clock = new DemoClock(FIRST, 1);
  const stack = await startLocalStack({
    env: { PERIOD_SCHEME: JSON.stringify(SERVE_DEFAULTS.scheme) },
    clock,
    directory,
    senderAddress: SENDER,
    seed: true,
    replaySeed: false,
    log: (line) => console.log(line),
  });
  const work = mkdtempSync(join(tmpdir(), "kpi-email-"));
  try {
    const key = stack.keys?.integration;
    if (!key) throw new Error("the stack made no demo keys: is its table empty?");
    const events = [...seed2022Q3()].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
    let sent = 0;
    for (let week = FIRST; week <= LAST; week += WEEK) {
      clock.advance(Math.max(0, week - clock.now()));
      const due: typeof events = [];
      while (sent < events.length && Date.parse(events[sent]?.occurredAt ?? "") <= week)
        due.push(events[sent++] as (typeof events)[number]);
      for (let i = 0; i < due.length; i += 100) {
        const res = await fetch(`${stack.urls.api}/events`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
          body: JSON.stringify({ events: due.slice(i, i + 100) }),
        });
        const body = (await res.json()) as { rejected?: number };
        if (res.status !== 200 || (body.rejected ?? 0) > 0)
          throw new Error(`POST /events: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      }
      await stack.drain();
      await stack.fire("SweepDeadlines");
      clock.advance(90_000);
      await weeklySnapshot(stack, week);
      console.log(`${new Date(week).toISOString().slice(0, 10)}: ${due.length} events, weekly report sent`);
    }
    const mails = (await readSesStore(stack.urls.inbox)).filter(
      (m) => m.from === SENDER && m.subject.startsWith("[Báo cáo KPI]"),
    );
    const mail = mails.at(-1);
    if (!mail) throw new Error("no KPI email in the SES inbox");
    // The figures the trend lines draw, as the text part gives them.
    for (const line of (mail.body.text ?? "").split("\n")) if (line.startsWith("  ")) console.log(line);
    const page = join(work, "kpi-email.html");
    writeFileSync(page, inlineImages(mail));
    mkdirSync(dirname(OUT), { recursive: true });
    await promisify(execFile)(
      CHROMIUM_PATH,
      [
        ...CHROMIUM_ARGS,
        "--hide-scrollbars",
        `--user-data-dir=${join(work, "profile")}`,
        `--screenshot=${OUT}`,
        `--window-size=${SIZE.width},${SIZE.height}`,
        `file://${page}`,
      ],
      { timeout: 120_000 },
    );
    console.log(`${OUT}: ${Math.round(statSync(OUT).size / 1024)} KB, from "${mail.subject}"`);
  } finally {
    await stack.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
