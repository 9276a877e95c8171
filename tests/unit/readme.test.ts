import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { routesTable } from "../../lib/contracts/routes";
import { ROOT } from "../helpers/fixtures";

describe("the README", () => {
  it("quotes the route table the handlers, the authorizer and the CDK stack use", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const quoted = /<!-- routes -->\n([\s\S]*?)\n<!-- \/routes -->/.exec(readme)?.[1];
    expect(quoted).toBe(routesTable());
  });
});
