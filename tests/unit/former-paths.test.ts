import { describe, expect, it } from "vitest";
import { formerPathsAfter } from "../../lib/domain/former-paths";
import { directoryOf, MERGER, mergedCommuneFile } from "../helpers/trees";

/**
 * Where earlier trees kept units' counters, per range of roll-up days (lib/domain/former-paths.ts),
 * imported on 2025-10-01: what was counted under a tree before stays findable 3 × 366 days.
 */
const ON = "2025-10-01";
const END = "2028-10-03";

describe("former counter paths", () => {
  const before = mergedCommuneFile();
  // The same province, its new commune placed under the department by a corrected file.
  const corrected = directoryOf({
    ...before,
    agencies: (before.agencies ?? []).map((a) => (a.id === "xa-moi" ? { ...a, parentId: "so-tp" } : a)),
  });

  it("are none when the same tree is imported again, or where there was no tree", () => {
    expect(formerPathsAfter(before, before, {}, ON)).toEqual({});
    expect(formerPathsAfter({ units: before.units, leadership: before.leadership }, before, {}, ON)).toEqual(
      {},
    );
    expect(formerPathsAfter(undefined, before, {}, ON)).toEqual({});
  });

  it("keep, per unit, the path an earlier tree gave for the days this one gives another", () => {
    const former = formerPathsAfter(before, corrected, {}, ON);
    // A merged commune's unit: its own commune before the merger in both trees; after it, the new
    // commune, now under the department.
    expect(former["xa-a.u"]).toEqual([{ path: ["p", "xa-moi"], from: MERGER, until: END }]);
    expect(former["xa-moi.u"]).toContainEqual({ path: ["p", "xa-moi"], from: MERGER, until: END });
    expect(former["so-tp.u"]).toBeUndefined();
  });

  it("are kept through later imports, and dropped once a tree gives the path again", () => {
    const once = formerPathsAfter(before, corrected, {}, ON);
    // Imported again unchanged: what the first tree left is still where it was.
    expect(formerPathsAfter(corrected, corrected, once, ON)).toEqual(once);
    // Imported back: the first tree's paths are today's again; the corrected tree's are former.
    const back = formerPathsAfter(corrected, before, once, ON);
    expect(back["xa-a.u"]).toEqual([{ path: ["p", "so-tp", "xa-moi"], from: MERGER, until: END }]);
  });
});
