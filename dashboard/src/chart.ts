import { s } from "./dom";

/**
 * A line chart as SVG: each series a line over the weekly points, the target a dashed line, the
 * last point marked (in the warning colour when below the target). Generated here rather than by
 * a charting library: a few lines on a 0–100% axis need no more, and it costs no bytes to fetch.
 * The same drawing rules as the email's PNG sparklines (lib/render/sparkline.ts), on a y axis
 * that keeps every value and target in view.
 */
export interface Series {
  name: string;
  values: (number | null)[];
  target: number | null;
  colour: string;
}

const W = 640;
const H = 220;
const PAD = { left: 44, right: 16, top: 12, bottom: 28 };

export function lineChart(
  labels: string[],
  series: Series[],
  label: string,
  percent: (v: number) => string,
): SVGElement {
  const known = series.flatMap((x) => [...x.values, x.target]).filter((v): v is number => v !== null);
  let lo = Math.min(...known, 1);
  let hi = Math.max(...known, 0);
  lo = Math.max(0, Math.floor(lo * 10) / 10 - 0.05);
  hi = Math.min(1, Math.ceil(hi * 10) / 10);
  // At least ten points of height: a trend all at 0 % (or none known) is drawn, never divided by 0.
  if (hi - lo < 0.1) {
    lo = Math.max(0, hi - 0.1);
    hi = Math.max(hi, lo + 0.1);
  }
  const n = labels.length;
  const x = (i: number) =>
    n === 1 ? W - PAD.right - 8 : PAD.left + 8 + (i * (W - PAD.left - PAD.right - 16)) / (n - 1);
  const y = (v: number) => PAD.top + ((hi - v) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const svg = s("svg", {
    viewBox: `0 0 ${W} ${H}`,
    role: "img",
    "aria-label": label,
    class: "chart",
    preserveAspectRatio: "xMidYMid meet",
  });
  // Horizontal grid lines and their values.
  const steps = 4;
  for (let k = 0; k <= steps; k++) {
    const v = lo + ((hi - lo) * k) / steps;
    svg.appendChild(s("line", { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: "grid" }));
    const t = s("text", { x: PAD.left - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" });
    t.textContent = percent(v);
    svg.appendChild(t);
  }
  labels.forEach((l, i) => {
    const t = s("text", { x: x(i), y: H - 8, class: "axis", "text-anchor": "middle" });
    t.textContent = l;
    svg.appendChild(t);
  });
  for (const ser of series) {
    if (ser.target !== null)
      svg.appendChild(
        s("line", {
          x1: PAD.left,
          x2: W - PAD.right,
          y1: y(ser.target),
          y2: y(ser.target),
          stroke: ser.colour,
          class: "target",
        }),
      );
    const pts = ser.values.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`));
    // A gap breaks the line.
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1)
        svg.appendChild(s("polyline", { points: run.join(" "), stroke: ser.colour, class: "line" }));
      run = [];
    };
    for (const p of pts) {
      if (p === null) flush();
      else run.push(p);
    }
    flush();
    ser.values.forEach((v, i) => {
      if (v === null) return;
      const last = i === ser.values.length - 1;
      const below = last && ser.target !== null && v < ser.target;
      svg.appendChild(
        s("circle", {
          cx: x(i),
          cy: y(v),
          r: last ? 4.5 : 3,
          fill: below ? "#b3261e" : ser.colour,
          class: "dot",
        }),
      );
    });
  }
  return svg;
}
