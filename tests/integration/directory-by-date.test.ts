import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedDirectory } from "../../lib/app/directory";
import type { DirectoryReader } from "../../lib/app/ports";
import { parseDirectoryFile } from "../../lib/domain/agency-directory";
import { instant } from "../../lib/domain/time";
import { testTable } from "../helpers/dynamo";
import { agency, contact, directoryOf, ENDED, MERGER, unit } from "../helpers/trees";

/**
 * The stored directory read as it stands on a day (lib/adapters/dynamodb/units.ts): a commune merged
 * after the directory was imported escalates to the new commune's leadership from the merger's day,
 * and its desk is the new commune's, without importing the directory again. On DynamoDB Local.
 */
const file = directoryOf({
  leadership: [contact("chu-tich-tinh")],
  agencies: [
    agency("p", undefined),
    agency("huyen", "p", { level: "district", validTo: ENDED }),
    agency("xa-a", "huyen", {
      validTo: ENDED,
      successorIds: ["xa-moi"],
      leadership: [contact("chu-tich-xa-a")],
      oneStopDesk: [contact("mot-cua-xa-a")],
    }),
    agency("xa-moi", "p", {
      validFrom: MERGER,
      leadership: [contact("chu-tich-xa-moi")],
      oneStopDesk: [contact("mot-cua-xa-moi")],
    }),
  ],
  units: [unit("xa-a.u", "xa-a", { validTo: ENDED }), unit("xa-moi.u", "xa-moi", { validFrom: MERGER })],
});
const IMPORTED = "2025-06-20";
const emails = (contacts: readonly { email: string }[] | undefined) => (contacts ?? []).map((c) => c.email);

let table: Awaited<ReturnType<typeof testTable>>;
beforeAll(async () => {
  table = await testTable("dir-date");
  // As `units import` stores it, ten days before the merger.
  const read = parseDirectoryFile(file, IMPORTED);
  await table.store.directory.put(read.own.units, read.own.leadership, read.integrations, read.agencies);
});
afterAll(async () => table.drop());

describe("the directory on a day", () => {
  it("gives a merged commune's units their new commune's leadership and desk from the merger", async () => {
    const before = await table.store.directory.get(IMPORTED);
    expect(emails(before.get("xa-a.u")?.escalation)).toEqual(["chu-tich-xa-a@example.org"]);
    expect(emails(before.oneStopDeskOf("xa-a.u"))).toEqual(["mot-cua-xa-a@example.org"]);
    const after = await table.store.directory.get(MERGER);
    expect(emails(after.get("xa-a.u")?.escalation)).toEqual(["chu-tich-xa-moi@example.org"]);
    expect(emails(after.oneStopDeskOf("xa-a.u"))).toEqual(["mot-cua-xa-moi@example.org"]);
    expect(emails(after.get("xa-moi.u")?.escalation)).toEqual(["chu-tich-xa-moi@example.org"]);
    // Office leadership is the province's either way.
    expect(emails(after.leadership)).toEqual(["chu-tich-tinh@example.org"]);
  });

  it("keeps what a directory stored already inherited (an import before this) holds", async () => {
    const old = await testTable("dir-date-old");
    const read = parseDirectoryFile(file, IMPORTED);
    await old.store.directory.put(read.units, read.leadership, read.integrations, read.agencies);
    const after = await old.store.directory.get(MERGER);
    // What the import wrote into a unit stays (importing the file again brings the merger's)...
    expect(emails(after.get("xa-a.u")?.escalation)).toEqual(["chu-tich-xa-a@example.org"]);
    expect(emails(after.oneStopDeskOf("xa-a.u"))).toEqual(["mot-cua-xa-a@example.org"]);
    // ...and what it lacked (a commune not yet valid on the import's day) is the day's.
    expect(emails(read.units.find((u) => u.id === "xa-moi.u")?.oneStopDesk)).toEqual([]);
    expect(emails(after.oneStopDeskOf("xa-moi.u"))).toEqual(["mot-cua-xa-moi@example.org"]);
    await old.drop();
  });

  it("is read by a handler's cache on the day of the handler's business clock", async () => {
    const days: (string | undefined)[] = [];
    const reader: DirectoryReader = {
      get: (at) => {
        days.push(at);
        return table.store.directory.get(at);
      },
    };
    let business = instant("2025-06-30T16:00:00+07:00");
    let cache = 0;
    const source = cachedDirectory(reader, () => cache, { today: () => business });
    expect(emails((await source()).get("xa-a.u")?.escalation)).toEqual(["chu-tich-xa-a@example.org"]);
    // Kept within the day; a new day is read at once, however young the kept directory.
    business = instant("2025-06-30T17:00:00+07:00");
    await source();
    expect(days).toEqual(["2025-06-30"]);
    business = instant("2025-07-01T08:00:00+07:00");
    expect(emails((await source()).get("xa-a.u")?.escalation)).toEqual(["chu-tich-xa-moi@example.org"]);
    // And read again when it is a minute old, on the same day.
    cache += 60_000;
    await source();
    expect(days).toEqual(["2025-06-30", "2025-07-01", "2025-07-01"]);
  });
});
