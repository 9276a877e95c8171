import type { Command } from "commander";
import { apiKey, EXIT, parseApiUrl } from "../shared";

async function runSend(file: string, opts: { api: string; key?: string; rejected?: string }): Promise<void> {
  const key = apiKey(opts.key, "send");
  const { sendFile } = await import("../remote");
  const s = await sendFile(file, {
    api: opts.api,
    key,
    rejected: opts.rejected,
    progress: process.stderr.isTTY,
  });
  process.stdout.write(
    `accepted ${s.accepted}, duplicate ${s.duplicate}, rejected ${s.rejected}${s.rejectedFile ? ` (see ${s.rejectedFile})` : ""}\n`,
  );
  if (s.rejected > 0) process.exitCode = EXIT.badInput;
}

/** `send`: an events file to a running stack's `POST /events`. */
export function registerSend(program: Command): void {
  program
    .command("send <file>")
    .description(
      "post an events file to a running stack's POST /events in batches, with a progress bar. Events are attributed to the key's integration: an event whose body names another source is refused, so a file written by `quarantine --source NAME --out FILE` is sent again with NAME's own key, never an operator's",
    )
    .requiredOption("--api <url>", "the stack's API, e.g. http://127.0.0.1:3000", parseApiUrl)
    .option("--key <key>", "the key of the integration the events are from (or DOSSIER_MONITOR_API_KEY)")
    .option(
      "--rejected <file>",
      "where rejected events go, with their reasons (default FILE.rejected.ndjson)",
    )
    .action(runSend);
}
