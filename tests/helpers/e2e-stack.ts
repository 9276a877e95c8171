import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";
import { DemoClock, startLocalStack } from "../../dev/local/stack";
import type { LocalStack } from "../../dev/local/stack-options";
import { SEED_PERIOD } from "../../dev/scenarios/seed-2022-q3";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory } from "../../lib/domain/units";
import { ROOT } from "./fixtures";

/** The settings of the seed quarter, as the end-to-end stacks run them. */
export const e2eSettings = {
  calendar: WorkingCalendar.official(),
  catalog: catalogOf(),
  scheme: { kind: "explicit" as const, windows: [SEED_PERIOD] },
};
export const seedDirectory = parseUnitDirectory(
  JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")),
);

/**
 * The local stack as `npm start` runs it, on the run's DynamoDB Local and SES emulator, with the
 * seed's units and keys and no replay (`serve --empty`'s stack); by default on the seed quarter's
 * period at 2022-07-04 07:00; its own table and sender address, so test files that run
 * at once never read each other's mail. Answers come back as status and JSON.
 */
export async function startE2eStack(
  name: string,
  options: {
    clock?: string;
    periodScheme?: string;
    /** Another directory than the seed's (e.g. with an agency tree). */
    directory?: Parameters<typeof startLocalStack>[0]["directory"];
    /** The real time the handlers keep the directory by (`Date.now` when absent). */
    cacheClock?: () => number;
  } = {},
) {
  const sender = `${name}-${Date.now()}@ubnd.example.org`;
  const stack: LocalStack = await startLocalStack({
    env: { PERIOD_SCHEME: options.periodScheme ?? JSON.stringify(e2eSettings.scheme) },
    clock: new DemoClock(instant(options.clock ?? "2022-07-04T07:00:00+07:00"), 1),
    directory: options.directory ?? seedDirectory,
    senderAddress: sender,
    dynamoEndpoint: inject("dynamoEndpoint"),
    sesEndpoint: inject("sesEndpoint"),
    tableName: `${name}-${Date.now()}`,
    ...(options.cacheClock && { cacheClock: options.cacheClock }),
    seed: true,
    replaySeed: false,
  });
  const keys = stack.keys as { integration: string; reader: string };
  const answer = async (res: Response) => ({
    status: res.status,
    json: (await res.json().catch(() => ({}))) as Record<string, unknown>,
  });
  const post = async (path: string, body: string | Buffer, key?: string) =>
    answer(
      await fetch(`${stack.urls.api}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body,
      }),
    );
  const get = async (path: string, key?: string) =>
    answer(
      await fetch(`${stack.urls.api}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} }),
    );
  return { stack, keys, sender, post, get };
}
