import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerServe } from "../../cli/commands/serve";
import { stillStored } from "../../cli/serve";
import {
  EMPTY_DEFAULTS,
  PROVINCE_DEFAULTS,
  resolveServeOptions,
  type ServeOptions,
} from "../../cli/serve-options";
import { localEnv } from "../../dev/local/stack";
import type { LocalStackOptions } from "../../dev/local/stack-options";
import type { StoredCredential } from "../../lib/app/ports";
import { keyHash } from "../../lib/http/auth";

const NOW = Date.parse("2026-11-30T05:00:00Z");

/** The options `serve` would run with for these arguments (the command's action replaced, nothing starts). */
function parse(...args: string[]): ServeOptions {
  const program = new Command().exitOverride();
  registerServe(program);
  const serve = program.commands.find((c) => c.name() === "serve") as Command;
  let resolved: ServeOptions | undefined;
  serve.action((opts: ServeOptions, cmd: Command) => {
    resolved = resolveServeOptions(opts, cmd, NOW);
  });
  program.parse(["serve", ...args], { from: "user" });
  if (!resolved) throw new Error("the serve action did not run");
  return resolved;
}

describe("serve --empty", () => {
  it("keeps the demo's defaults without it", () => {
    expect(parse()).toMatchObject({ dataDir: ".local", clock: "2022-08-29T07:25:00+07:00", speed: 60 });
    expect(parse().empty).toBeUndefined();
    expect(parse("--eventbridge-port", "4010")).toMatchObject({ apiPort: 3000, eventbridgePort: 4010 });
  });

  it("runs the clock in real time from now, in a data folder of its own", () => {
    expect(parse("--empty")).toMatchObject({
      empty: true,
      dataDir: EMPTY_DEFAULTS.dataDir,
      clock: "2026-11-30T05:00:00.000Z",
      speed: 1,
    });
  });

  it("keeps what the caller set", () => {
    expect(
      parse("--empty", "--data-dir", "/tmp/x", "--clock", "2022-08-29T07:00:00+07:00", "--speed", "60"),
    ).toMatchObject({ empty: true, dataDir: "/tmp/x", clock: "2022-08-29T07:00:00+07:00", speed: 60 });
  });
});

describe("serve --province", () => {
  it("shows the synthetic province's quarter, in a data folder of its own, at the demo's speed", () => {
    expect(parse("--province")).toMatchObject({
      province: true,
      dataDir: PROVINCE_DEFAULTS.dataDir,
      clock: PROVINCE_DEFAULTS.clock,
      units: "events/units/province-sample.json",
      speed: 60,
    });
    // Without it, the seed district exactly as before.
    expect(parse()).toMatchObject({ units: "events/units/seed-units.json", dataDir: ".local" });
  });

  it("keeps what the caller set, and is refused with --empty", () => {
    expect(parse("--province", "--data-dir", "/tmp/p", "--clock", "2025-08-04T07:00:00+07:00")).toMatchObject(
      {
        dataDir: "/tmp/p",
        clock: "2025-08-04T07:00:00+07:00",
      },
    );
    expect(() => parse("--province", "--empty")).toThrow(/cannot be used with/);
  });
});

describe("serve's banner keys", () => {
  it("does not offer a demo key revoked since it was made", async () => {
    // The table as `keys revoke` left it: the integration key's hash stored, the reader's deleted.
    const stored = new Set([keyHash("demo-integration-key")]);
    const keys = await stillStored(
      { integration: "demo-integration-key", reader: "demo-reader-key" },
      { get: async (hash: string) => (stored.has(hash) ? ({ hash } as StoredCredential) : undefined) },
    );
    expect(keys).toEqual({ integration: "demo-integration-key", reader: undefined });
  });
});

describe("the local stack's functions' environment", () => {
  const options = { senderAddress: "s@example.org" } as LocalStackOptions;
  it("takes UNKNOWN_UNITS from the environment it is given, as a stage's setting, and refuses by default", () => {
    expect(localEnv(options, "t").UNKNOWN_UNITS).toBe("reject");
    expect(localEnv({ ...options, env: { UNKNOWN_UNITS: "accept" } }, "t").UNKNOWN_UNITS).toBe("accept");
    expect(
      localEnv({ ...options, env: { UNKNOWN_UNITS: "accept" }, unknownUnits: "reject" }, "t").UNKNOWN_UNITS,
    ).toBe("reject");
  });
});
