import { describe, expect, it } from "vitest";
import { takeDue } from "../../dev/local/replay";
import { seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { instant } from "../../lib/domain/time";

describe("the demo's replay of the seed quarter", () => {
  it("takes the events due wherever they are in the list, and keeps every other one", () => {
    const at = (occurredAt: string, id: string) => ({ occurredAt, id });
    const pending = [
      at("2022-08-30T09:00:00+07:00", "a"),
      at("2022-08-31T09:00:00+07:00", "late-b"),
      at("2022-08-30T10:00:00+07:00", "c"),
    ];
    const { due, rest } = takeDue(pending, instant("2022-08-30T12:00:00+07:00"));
    expect(due.map((e) => e.id)).toEqual(["a", "c"]);
    expect(rest.map((e) => e.id)).toEqual(["late-b"]);
  });

  it("sends each of the seed's events once, whatever steps the demo clock moves in", () => {
    const seed = seed2022Q3();
    // The seed is in arrival order, not by instant: a prefix of it is not the events due.
    const t = (e: (typeof seed)[number]) => Date.parse(e.occurredAt);
    expect(seed.some((e, i) => i > 0 && t(e) < t(seed[i - 1] as (typeof seed)[number]))).toBe(true);
    const replayed = seed.filter((e) => t(e) > instant("2022-08-29T07:25:00+07:00"));
    let pending = replayed;
    const sent: typeof seed = [];
    for (const step of [
      "2022-08-29T07:30:00+07:00",
      "2022-09-06T00:15:00+07:00",
      "2022-10-20T08:00:00+07:00",
    ]) {
      const { due, rest } = takeDue(pending, instant(step));
      sent.push(...due);
      pending = rest;
    }
    expect(pending).toEqual([]);
    expect(sent).toHaveLength(replayed.length);
    expect(new Set(sent)).toEqual(new Set(replayed));
  });
});
