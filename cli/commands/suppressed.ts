import type { Command } from "commander";
import { CliError, EXIT, tableClient, tableOptions } from "../shared";

/**
 * `suppressed list` and `suppressed remove`: the addresses no digest or KPI email goes to, since
 * SES reported a bounce or a complaint for them (ses-feedback), and clearing one when its mailbox
 * works again (README "Operating it": SES's own account-level list is cleared apart).
 */

interface TableOpts {
  table: string;
  endpoint?: string;
  region?: string;
}

async function suppression(opts: TableOpts) {
  const { tableStore } = await import("../../lib/adapters/dynamodb/store");
  const { client, documents } = await tableClient(opts);
  return { client, suppression: tableStore(documents, opts.table).suppression };
}

const unreachable = (table: string) => (e: unknown) => {
  throw new CliError(`could not reach table ${table}: ${(e as Error).message}`, EXIT.unreachable);
};

async function runList(opts: TableOpts): Promise<void> {
  const { client, suppression: s } = await suppression(opts);
  try {
    const { formatInstant } = await import("../../lib/domain/time");
    const listed = await s.list().catch(unreachable(opts.table));
    for (const { email, reason, at } of listed.sort((a, b) => a.email.localeCompare(b.email)))
      process.stdout.write(
        `${email}\t${formatInstant(at)}\t${reason.replace(/[\p{Cc}\u2028\u2029]+/gu, " ")}\n`,
      );
  } finally {
    client.destroy();
  }
}

async function runRemove(email: string, opts: TableOpts): Promise<void> {
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new CliError(`${email}: not an email address`, EXIT.usage);
  const { client, suppression: s } = await suppression(opts);
  try {
    if (!(await s.remove(email).catch(unreachable(opts.table))))
      throw new CliError(`${email} is not suppressed in table ${opts.table}`, EXIT.badInput);
    process.stderr.write(
      `${email.toLowerCase()} is written to again; if SES's account-level suppression list holds it too, clear it there (aws sesv2 delete-suppressed-destination --email-address ${email.toLowerCase()})\n`,
    );
  } finally {
    client.destroy();
  }
}

export function registerSuppressed(program: Command): void {
  const suppressed = program
    .command("suppressed")
    .description("the addresses no email goes to (SES reported a bounce or a complaint), and clearing one");
  tableOptions(
    suppressed
      .command("list")
      .description("list the suppressed addresses: the address, when SES reported it, and its reason"),
  ).action(runList);
  tableOptions(
    suppressed
      .command("remove <email>")
      .description("write to an address again (its mailbox works again); exit 1 when it is not suppressed"),
  ).action(runRemove);
}
