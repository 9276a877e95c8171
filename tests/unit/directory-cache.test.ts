import { describe, expect, it } from "vitest";
import { cachedDirectory, DIRECTORY_TTL_MS, MISS_REREAD_MS } from "../../lib/app/directory";
import { type IngestDeps, ingestEvents } from "../../lib/app/ingest";
import { UnitDirectory } from "../../lib/domain/units";
import { mergedCommuneFile, storedDirectory } from "../helpers/trees";

describe("cachedDirectory (lib/app/directory.ts)", () => {
  it("keeps the directory a minute, reads it again on a miss at most once a second, and drops a failed read", async () => {
    let t = 0;
    let reads = 0;
    let fail = false;
    const store = {
      get: async () => {
        reads++;
        if (fail) throw new Error("down");
        return UnitDirectory.empty();
      },
    };
    const units = cachedDirectory(store, () => t);
    await units();
    await units();
    expect(reads).toBe(1);
    // Misses within a second of the last read share it; concurrent ones share the read in flight.
    t += MISS_REREAD_MS - 1;
    await Promise.all([units("miss"), units("miss")]);
    expect(reads).toBe(1);
    t += 1;
    await Promise.all([units("miss"), units("miss"), units("miss")]);
    expect(reads).toBe(2);
    await units();
    expect(reads).toBe(2);
    t += DIRECTORY_TTL_MS;
    fail = true;
    await expect(units()).rejects.toThrow("down");
    fail = false;
    await units();
    expect(reads).toBe(4);
  });
});

describe("the ingest's directory on a miss", () => {
  const dossiersDeps = {
    dossiers: { storedEvents: async () => new Map() },
    publish: async () => ({ failed: [] }),
    now: () => Date.parse("2025-07-07T02:00:00Z"),
    directory: { get: async () => UnitDirectory.empty() },
  };
  const naming = (unitId: string) => ({
    eventId: `r-${unitId}`,
    type: "dossier.received",
    occurredAt: "2025-07-07T08:00:00+07:00",
    dossierId: `D-${unitId}`,
    data: { unitId, procedureCode: "1.001193", channel: "direct" },
  });
  const reads = async (credential: { source: string; agencies?: string[] }, unitId: string) => {
    const why: (string | undefined)[] = [];
    const tree = storedDirectory(mergedCommuneFile());
    const deps: IngestDeps = {
      ...dossiersDeps,
      units: async (w?: "miss") => {
        why.push(w);
        return tree;
      },
    };
    await ingestEvents(deps, credential, [naming(unitId)]);
    return why;
  };

  it("reads it again for an office-wide key, never for a key scoped to agencies (a unit outside them is answered alike, known or not)", async () => {
    expect(await reads({ source: "igate" }, "khong-co.u")).toEqual([undefined, "miss"]);
    expect(await reads({ source: "igate", agencies: ["xa-moi"] }, "khong-co.u")).toEqual([undefined]);
    expect(await reads({ source: "igate", agencies: ["xa-moi"] }, "so-tp.u")).toEqual([undefined]);
  });
});
