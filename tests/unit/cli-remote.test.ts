import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli";
import { ROOT } from "../helpers/fixtures";

/**
 * The CLI's remote commands against a URL that answers 200 with something other than the API's
 * answer (a wrong host, a proxy's page): they say so and exit 3, never a success that sent nothing
 * nor a stack trace.
 */

let server: Server;
let api: string;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url?.split("?")[0]}`);
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html><body>Cổng thông tin</body></html>");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("remote commands against a page that is not the API", () => {
  it("send: says the answer does not account for the events sent, exit 3", async () => {
    const out = await cli("send", join(ROOT, "events/spec-examples.ndjson"), "--api", api, "--key", "k");
    expect(out.code).toBe(3);
    expect(out.stderr).toMatch(
      /the answer accounts for 0 of the 6 events sent \(is --api the stack's URL\?\)/,
    );
    expect(out.stdout).not.toMatch(/accepted 0/);
    expect(requests).toContain("POST /events");
  });

  it("report and quarantine: say the answer is not the API's, exit 3, no stack trace", async () => {
    for (const args of [
      ["report", "--api", api, "--period", "2022-Q3", "--key", "k"],
      ["report", "--api", api, "--period", "2022-Q3", "--key", "k", "--format", "csv"],
      ["quarantine", "--api", api, "--key", "k"],
    ]) {
      const out = await cli(...args);
      expect(out.code, args.join(" ")).toBe(3);
      expect(out.stderr, args.join(" ")).toMatch(
        /the answer is not the API's (JSON|CSV).*is --api the stack's URL\?/,
      );
      expect(out.stderr, args.join(" ")).not.toMatch(/\n\s+at /);
    }
  });
});
