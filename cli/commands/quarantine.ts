import type { Command } from "commander";
import { apiKey, parseApiUrl } from "../shared";

async function runQuarantine(opts: { api: string; key?: string; out?: string; source?: string }) {
  const key = apiKey(opts.key, "quarantine");
  const { remoteQuarantine } = await import("../remote");
  const q = await remoteQuarantine({ api: opts.api, key, out: opts.out, source: opts.source });
  process.stdout.write(q.text);
  process.stderr.write(`${q.count} quarantined${opts.out ? `; ${q.written} written to ${opts.out}` : ""}\n`);
}

/** `quarantine`: the events kept in quarantine, from a running stack's API. */
export function registerQuarantine(program: Command): void {
  program
    .command("quarantine")
    .description(
      "list the events kept in quarantine with their reasons, from a running stack's API (an office-wide reader key); --out writes one integration's events (--source) as NDJSON, to correct and post again with send and that integration's own key",
    )
    .requiredOption("--api <url>", "the stack's API, e.g. http://127.0.0.1:3000", parseApiUrl)
    .option("--key <key>", "an office-wide reader key (or DOSSIER_MONITOR_API_KEY)")
    .option("--source <name>", "only this integration's events (required with --out when several sent them)")
    .option("--out <file>", "write the events of --source that can be sent again here (NDJSON)")
    .action(runQuarantine);
}
