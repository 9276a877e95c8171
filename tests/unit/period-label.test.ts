import { describe, expect, it } from "vitest";
import { formatRate, periodLabel } from "../../lib/render/numbers";

describe("a period as people read it", () => {
  it("writes a quarter as Vietnamese does, a window by its dates, and a deployment's own name as it is", () => {
    expect(periodLabel("2022-Q3")).toBe("Quý III/2022");
    expect(periodLabel("2025-Q4", "vi")).toBe("Quý IV/2025");
    expect(periodLabel("2022-Q3", "en")).toBe("Q3 2022");
    expect(periodLabel("2022-06-06..2022-09-05")).toBe("06/06/2022 – 05/09/2022");
    expect(periodLabel("2022-06-06..2022-09-05", "en")).toBe("2022-06-06 – 2022-09-05");
    expect(periodLabel("seed-2022-q3")).toBe("seed-2022-q3");
    expect(periodLabel("2022-Q5")).toBe("2022-Q5");
  });

  it("writes rates with Vietnamese decimals", () => {
    expect(formatRate(0.9167)).toBe("91,67%");
    expect(formatRate(0.9167, "en")).toBe("91.67%");
    expect(formatRate(null)).toBe("—");
  });
});
