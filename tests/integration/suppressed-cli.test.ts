import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instant } from "../../lib/domain/time";
import { cli } from "../helpers/cli";
import { testTable } from "../helpers/dynamo";

/** `suppressed list` and `suppressed remove` on DynamoDB Local, through the built command line. */
let table: Awaited<ReturnType<typeof testTable>>;
beforeAll(async () => {
  table = await testTable("suppressed");
  await table.store.suppression.suppress(
    "Truong-Phong@ubnd.example.org",
    "bounce: Permanent",
    instant("2026-12-01T08:00:00+07:00"),
  );
  await table.store.suppression.suppress(
    "pho-phong@ubnd.example.org",
    "complaint",
    instant("2026-12-02T09:30:00+07:00"),
  );
});
afterAll(async () => table.drop());

describe("suppressed addresses, as an operator sees and clears them", () => {
  it("lists them with when and why, writes to one again, and says so of one not suppressed", async () => {
    const on = ["--table", table.tableName, "--endpoint", table.endpoint];
    const listed = await cli("suppressed", "list", ...on);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe(
      "pho-phong@ubnd.example.org\t2026-12-02T09:30:00+07:00\tcomplaint\n" +
        "truong-phong@ubnd.example.org\t2026-12-01T08:00:00+07:00\tbounce: Permanent\n",
    );
    const removed = await cli("suppressed", "remove", "TRUONG-PHONG@ubnd.example.org", ...on);
    expect(removed.code).toBe(0);
    expect(removed.stderr).toContain("aws sesv2 delete-suppressed-destination");
    expect(await table.store.suppression.addresses()).toEqual(new Set(["pho-phong@ubnd.example.org"]));
    expect(await cli("suppressed", "remove", "truong-phong@ubnd.example.org", ...on)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("is not suppressed"),
    });
    expect(await cli("suppressed", "remove", "not an address", ...on)).toMatchObject({ code: 2 });
  });
});
