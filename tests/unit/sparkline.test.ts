import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { encodePng } from "../../lib/render/png";
import { drawSparkline, SPARKLINE, sparklinePng } from "../../lib/render/sparkline";

/**
 * The trend images of the KPI email, read back with an independent decoder (pngjs): the encoder
 * writes what was drawn, and the drawing puts each value at the height it should.
 */

const decode = (png: Buffer) => PNG.sync.read(png);
type Image = ReturnType<typeof decode>;
type Px = [number, number, number];
const pixel = (img: Image, x: number, y: number): Px => {
  const at = (y * img.width + x) * 4;
  return [img.data[at] ?? 0, img.data[at + 1] ?? 0, img.data[at + 2] ?? 0];
};
/** The line's blue, the target's grey, the warning red, white: which one a pixel mostly is. */
const isLine = ([r, , b]: Px) => b - r > 80;
const isRed = ([r, g, b]: Px) => r - b > 80 && r - g > 80;
const isWhite = (p: Px) => p.every((c) => c === 255);
const isGrey = ([r, g, b]: Px) => r < 200 && Math.abs(r - b) < 30 && Math.abs(r - g) < 30;

/** The mean height of the line's pixels in column x (undefined when none). */
function lineHeight(img: Image, x: number): number | undefined {
  const ys: number[] = [];
  for (let y = 0; y < img.height; y++) if (isLine(pixel(img, x, y))) ys.push(y + 0.5);
  return ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : undefined;
}

// 120 × 28 CSS pixels at 2×; the plot keeps 3.5 CSS pixels (7 image pixels) free at each edge.
const W = 240;
const H = 56;
const PAD = 7;

describe("the sparkline PNG", () => {
  it("decodes to the size drawn, at twice the size shown, pixel for pixel what was drawn", () => {
    const values = [0.81, 0.86, 0.84, 0.9];
    const img = decode(sparklinePng(values, 0.95));
    expect([img.width, img.height]).toEqual([W, H]);
    expect([SPARKLINE.width * SPARKLINE.scale, SPARKLINE.height * SPARKLINE.scale]).toEqual([W, H]);
    const raster = drawSparkline(values, 0.95);
    let differ = 0;
    for (let i = 0; i < W * H; i++)
      for (let c = 0; c < 3; c++) if (img.data[i * 4 + c] !== raster.data[i * 3 + c]) differ++;
    expect(differ).toBe(0);
    // Opaque: no alpha for a dark-mode client to show through.
    expect(Array.from({ length: W * H }, (_, i) => img.data[i * 4 + 3]).every((a) => a === 255)).toBe(true);
  });

  it("puts each value at its height: the range spans the plot, a rising series ends higher than it starts", () => {
    // Range 0.80–0.95 (the target 0.90 inside it) over the 42 pixels between the pads.
    const img = decode(sparklinePng([0.8, 0.85, 0.9, 0.95], 0.9));
    const first = lineHeight(img, PAD);
    const last = lineHeight(img, W - PAD - 1);
    expect(first).toBeDefined();
    expect(last).toBeDefined();
    expect(last as number).toBeLessThan(first as number);
    expect(Math.abs((first as number) - (H - PAD))).toBeLessThanOrEqual(1.5);
    expect(Math.abs((last as number) - PAD)).toBeLessThanOrEqual(1.5);
    // The second value, a third of the way across: 0.85 is two thirds down the plot.
    const x2 = Math.round(PAD + (W - 2 * PAD) / 3);
    expect(Math.abs((lineHeight(img, x2) as number) - (PAD + (2 / 3) * (H - 2 * PAD)))).toBeLessThanOrEqual(
      1.5,
    );
    // The target, dashed, one third down (0.90 of 0.80–0.95): grey dashes with white gaps on its row.
    const targetRow = Math.floor(PAD + (1 / 3) * (H - 2 * PAD));
    const row = Array.from({ length: 100 }, (_, x) => pixel(img, x, targetRow));
    expect(row.filter(isGrey).length).toBeGreaterThan(30);
    expect(row.filter(isWhite).length).toBeGreaterThan(20);
    // The last point is marked with a dot wider than the line, in the line's colour (on target).
    const dotColumn = Array.from({ length: H }, (_, y) => pixel(img, W - PAD, y)).filter(isLine);
    expect(dotColumn.length).toBeGreaterThanOrEqual(8);
  });

  it("marks the last point in red when it ends below the target", () => {
    const img = decode(sparklinePng([0.97, 0.93, 0.9], 0.95));
    expect(isRed(pixel(img, W - PAD, H - PAD))).toBe(true);
    expect(lineHeight(img, PAD) as number).toBeLessThan(H / 2);
  });

  it("gives a defined image for an empty series, one point, a flat series and a gap", () => {
    const blank = decode(sparklinePng([], null));
    expect([blank.width, blank.height]).toEqual([W, H]);
    expect(
      Array.from({ length: W * H }, (_, i) => pixel(blank, i % W, Math.floor(i / W))).every(isWhite),
    ).toBe(true);
    // Empty with a target: the target alone, across the middle.
    const target = decode(sparklinePng([], 0.9));
    expect(isGrey(pixel(target, 1, H / 2 - 1))).toBe(true);
    expect(lineHeight(target, W / 2)).toBeUndefined();
    // One point: the marked last point, at the right end, at mid-height.
    const one = decode(sparklinePng([0.5], null));
    expect(isLine(pixel(one, W - PAD, H / 2))).toBe(true);
    for (let x = 0; x < W - 3 * PAD; x++) expect(lineHeight(one, x), `x=${x}`).toBeUndefined();
    // A flat series is flat at mid-height.
    const flat = decode(sparklinePng([0.9, 0.9, 0.9], null));
    expect(Math.abs((lineHeight(flat, W / 2) as number) - H / 2)).toBeLessThanOrEqual(1);
    // A gap breaks the line: nothing drawn half way between the two known points.
    const gap = decode(sparklinePng([0.5, null, 0.7], null));
    expect(lineHeight(gap, W / 2)).toBeUndefined();
    expect(lineHeight(gap, PAD)).toBeDefined();
  });

  it("refuses a raster that does not match its size", () => {
    expect(() => encodePng({ width: 2, height: 2, data: new Uint8Array(11) })).toThrow(RangeError);
    expect(() => encodePng({ width: 0, height: 2, data: new Uint8Array(0) })).toThrow(RangeError);
  });
});
