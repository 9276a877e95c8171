import { encodePng, type RgbRaster } from "./png";

/**
 * A sparkline as an image: a series as a line, a target as a dashed line across, the last point
 * marked (in the warning colour when it is below the target). No axes and no text: the figures go
 * beside it and in its alt text. Mail clients drop inline SVG (Gmail) or do not draw it (Outlook),
 * and every one of them shows a PNG, so the line is rasterised here, anti-aliased by each pixel's
 * distance to the shapes, at `scale` times its CSS size so it stays sharp on high-density screens.
 */

export type Rgb = readonly [number, number, number];

export interface SparklineStyle {
  /** The size shown, in CSS pixels; the image has `scale` times as many pixels each way. */
  width: number;
  height: number;
  scale: number;
  /** The smallest value range drawn, so that a flat series stays flat at mid-height. */
  minSpan: number;
  background: Rgb;
  line: Rgb;
  target: Rgb;
  /** The last point's colour when it is below the target. */
  below: Rgb;
}

export const SPARKLINE: SparklineStyle = {
  width: 120,
  height: 28,
  scale: 2,
  minSpan: 0.02,
  background: [255, 255, 255],
  line: [0x1f, 0x5f, 0xbf],
  target: [0x8a, 0x90, 0x99],
  below: [0xc6, 0x28, 0x28],
};

/** In CSS pixels. */
const LINE_WIDTH = 1.5;
const TARGET_WIDTH = 1;
const DOT_RADIUS = 2.5;
const DASH = 4;
const GAP = 3;

export interface SparklineLayout {
  width: number;
  height: number;
  /** Each value's centre in image pixels, or null where the series has no value. */
  points: ({ x: number; y: number } | null)[];
  targetY: number | null;
  /** The value range drawn, bottom to top. */
  range: [number, number];
}

const finite = (v: number | null | undefined): v is number => typeof v === "number" && Number.isFinite(v);

/** Where each value and the target land in the image. */
export function sparklineLayout(
  values: readonly (number | null)[],
  target: number | null,
  style: SparklineStyle = SPARKLINE,
): SparklineLayout {
  const width = Math.round(style.width * style.scale);
  const height = Math.round(style.height * style.scale);
  const known = [...values.filter(finite), ...(finite(target) ? [target] : [])];
  let lo = known.length ? Math.min(...known) : 0;
  let hi = known.length ? Math.max(...known) : 1;
  if (hi - lo < style.minSpan) {
    const mid = (lo + hi) / 2;
    lo = mid - style.minSpan / 2;
    hi = mid + style.minSpan / 2;
  }
  // Room for the dot at the edges.
  const pad = (DOT_RADIUS + 1) * style.scale;
  const y = (v: number) => pad + ((hi - v) / (hi - lo)) * (height - 2 * pad);
  const n = values.length;
  const x = (i: number) => (n === 1 ? width - pad : pad + (i * (width - 2 * pad)) / (n - 1));
  return {
    width,
    height,
    points: values.map((v, i) => (finite(v) ? { x: x(i), y: y(v) } : null)),
    targetY: finite(target) ? y(target) : null,
    range: [lo, hi],
  };
}

function distanceToSegment(px: number, py: number, a: { x: number; y: number }, b: { x: number; y: number }) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - a.x) * dx + (py - a.y) * dy) / len2));
  return Math.hypot(px - (a.x + t * dx), py - (a.y + t * dy));
}

/** The sparkline as pixels. An empty series draws the target alone (or nothing); a gap breaks the line. */
export function drawSparkline(
  values: readonly (number | null)[],
  target: number | null,
  style: SparklineStyle = SPARKLINE,
): RgbRaster {
  const layout = sparklineLayout(values, target, style);
  const { width, height, points, targetY } = layout;
  const s = style.scale;
  const segments: [{ x: number; y: number }, { x: number; y: number }][] = [];
  points.forEach((p, i) => {
    if (!p) return;
    const next = points[i + 1];
    if (next) segments.push([p, next]);
    // A point with no neighbour still shows, as a segment of no length.
    else if (!points[i - 1]) segments.push([p, p]);
  });
  const last = points.findLast((p) => p !== null) ?? null;
  const lastValue = values.findLast(finite);
  const dotColour =
    finite(target) && lastValue !== undefined && lastValue < target ? style.below : style.line;
  const data = new Uint8Array(width * height * 3);
  const coverage = (halfWidth: number, d: number) => Math.max(0, Math.min(1, halfWidth + 0.5 - d));
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const cx = px + 0.5;
      const cy = py + 0.5;
      let [r, g, b] = style.background;
      const paint = (c: Rgb, a: number) => {
        r += (c[0] - r) * a;
        g += (c[1] - g) * a;
        b += (c[2] - b) * a;
      };
      if (targetY !== null && (cx / s) % (DASH + GAP) < DASH)
        paint(style.target, coverage((TARGET_WIDTH * s) / 2, Math.abs(cy - targetY)));
      let d = Number.POSITIVE_INFINITY;
      for (const [a, z] of segments) d = Math.min(d, distanceToSegment(cx, cy, a, z));
      paint(style.line, coverage((LINE_WIDTH * s) / 2, d));
      if (last) paint(dotColour, coverage(DOT_RADIUS * s, Math.hypot(cx - last.x, cy - last.y)));
      const at = (py * width + px) * 3;
      data[at] = Math.round(r);
      data[at + 1] = Math.round(g);
      data[at + 2] = Math.round(b);
    }
  }
  return { width, height, data };
}

export function sparklinePng(
  values: readonly (number | null)[],
  target: number | null,
  style: SparklineStyle = SPARKLINE,
): Buffer {
  return encodePng(drawSparkline(values, target, style));
}
