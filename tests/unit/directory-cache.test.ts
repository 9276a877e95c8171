import { describe, expect, it } from "vitest";
import { cachedDirectory, DIRECTORY_TTL_MS, MISS_REREAD_MS } from "../../lib/app/directory";
import { UnitDirectory } from "../../lib/domain/units";

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
