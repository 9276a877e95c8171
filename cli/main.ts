import { Command, CommanderError } from "commander";
import { registerImport } from "./commands/import";
import { registerKeys } from "./commands/keys";
import { registerQuarantine } from "./commands/quarantine";
import { registerRecount } from "./commands/recount";
import { registerReport } from "./commands/report";
import { registerSend } from "./commands/send";
import { registerServe } from "./commands/serve";
import { registerSimulate } from "./commands/simulate";
import { registerSuppressed } from "./commands/suppressed";
import { registerUnits } from "./commands/units";
import { CliError, EXIT, fileSystemReason } from "./shared";

export { CliError, EXIT };

/**
 * The `dossier-monitor` program (docs/cli.md): one file per command in cli/commands/. Each defines its
 * options here and imports what it runs on only when it runs, so `--help` starts at once.
 */
export function program(): Command {
  const cmd = new Command("dossier-monitor")
    .description("Compliance monitor for administrative-procedure dossiers (hồ sơ thủ tục hành chính)")
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerReport(cmd);
  registerSimulate(cmd);
  registerSend(cmd);
  registerQuarantine(cmd);
  registerServe(cmd);
  registerKeys(cmd);
  registerUnits(cmd);
  registerImport(cmd);
  registerRecount(cmd);
  registerSuppressed(cmd);
  return cmd;
}

/** Runs the program; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  // Writing the output failed: a reader that stopped early (`| head`) loses what it did not read,
  // and the command goes on to its own exit code; anything else (a full disk) is said once, in one
  // line, never a stack, and the command fails. Nothing exits here: `serve` still stops what it
  // started, and a command's own failure code is kept.
  let said = false;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE" || said) return;
    said = true;
    process.stderr.write(
      `dossier-monitor: cannot write the output: ${fileSystemReason(e.code) ?? e.message}\n`,
    );
    process.exitCode = EXIT.badInput;
  });
  try {
    await program().parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help asked for (`--help`, `help`) is a success; help shown because no command was given
      // (commander's exit code 1) is a usage error, as docs/cli.md says.
      if (
        e.code === "commander.helpDisplayed" ||
        e.code === "commander.version" ||
        (e.code === "commander.help" && e.exitCode === 0)
      ) {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    if (e instanceof CliError) {
      process.stderr.write(`dossier-monitor: ${e.message}\n`);
      return e.exitCode;
    }
    // A deadline past the calendar's data is the input's problem (docs/cli.md: exit 1).
    const { CalendarYearMissingError } = await import("../lib/domain/calendar/calendar");
    if (e instanceof CalendarYearMissingError) {
      process.stderr.write(`dossier-monitor: ${e.message}\n`);
      return EXIT.badInput;
    }
    // A file the user named that cannot be read or written (no such folder, a folder for a file,
    // no permission): said in one line, as a bad input, never a stack.
    const fsError = fileSystemError(e);
    if (fsError) {
      process.stderr.write(`dossier-monitor: ${fsError}\n`);
      return EXIT.badInput;
    }
    throw e;
  }
}

/** What a file-system error says (`cannot open /x/y.csv: no such file or directory`), or undefined. */
function fileSystemError(e: unknown): string | undefined {
  const err = e as { code?: unknown; syscall?: unknown; path?: unknown };
  const reason = fileSystemReason(err?.code);
  if (!reason) return undefined;
  const what = typeof err.path === "string" ? ` ${err.path}` : "";
  return `cannot ${typeof err.syscall === "string" ? err.syscall : "use"}${what}: ${reason}`;
}
