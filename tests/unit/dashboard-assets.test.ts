import { execFileSync } from "node:child_process";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DASHBOARD_CSP, dashboardFile } from "../../lib/http/dashboard";
import { DASHBOARD_ASSETS } from "../../lib/http/dashboard-assets";
import { ROOT } from "../helpers/fixtures";

const get = (rawPath: string, acceptEncoding?: string) =>
  dashboardFile({
    rawPath,
    headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {},
  } as never);

describe("the dashboard's files", () => {
  it("are the committed build of dashboard/ (npm run build:dashboard)", () => {
    expect(() =>
      execFileSync(process.execPath, ["scripts/build-dashboard.mjs", "--check"], {
        cwd: ROOT,
        stdio: "pipe",
      }),
    ).not.toThrow();
  });

  it("are served with the security headers, compressed to a client that takes gzip", () => {
    const page = get("/dashboard", "gzip, br");
    expect(page.statusCode).toBe(200);
    expect(page.headers).toMatchObject({
      "content-security-policy": DASHBOARD_CSP,
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
      "content-encoding": "gzip",
      "content-type": "text/html; charset=utf-8",
    });
    expect(String(page.headers?.["strict-transport-security"])).toMatch(/^max-age=31536000/);
    const html = gunzipSync(Buffer.from(page.body as string, "base64")).toString("utf8");
    const plain = Buffer.from(get("/dashboard/").body as string, "base64").toString("utf8");
    expect(plain).toBe(html);
    // The page names the script and the style sheet it is built with, and nothing inline.
    for (const name of Object.keys(DASHBOARD_ASSETS).filter((n) => n !== "index.html")) {
      expect(html).toContain(`/dashboard/${name}`);
      const file = get(`/dashboard/${name}`);
      expect(file.statusCode).toBe(200);
      expect(file.headers?.["cache-control"]).toContain("immutable");
    }
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)|\sstyle=|\son\w+=/);
  });

  it("answers 404 to any other name", () => {
    expect(get("/dashboard/index.js").statusCode).toBe(404);
    expect(get("/dashboard/constructor").statusCode).toBe(404);
    expect(get("/dashboard/..%2Fopenapi.json").statusCode).toBe(404);
  });
});
