/** A few DOM helpers: elements from data, never from HTML strings (nothing the API says is parsed as markup). */

export type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
  }
}

const SVG = "http://www.w3.org/2000/svg";
export function s(tag: string, attrs: Record<string, string | number> = {}, ...children: Node[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.appendChild(c);
  return el;
}

/** A body row: its first cell the row's header, numeric cells aligned as numbers. */
function bodyRow(cells: Child[], numeric: boolean[]): HTMLElement {
  return h(
    "tr",
    {},
    ...cells.map((c, i) =>
      i === 0 ? h("th", { scope: "row" }, c) : h("td", { class: numeric[i] ? "num" : undefined }, c),
    ),
  );
}

/** A table with a caption, header cells with scope, and the first cell of each row as its header. */
export function table(
  caption: string,
  head: string[],
  rows: Child[][],
  numeric: boolean[] = [],
): HTMLElement {
  return h(
    "div",
    { class: "table-wrap", tabindex: 0, role: "region", "aria-label": caption },
    h(
      "table",
      {},
      h("caption", {}, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...head.map((t, i) => h("th", { scope: "col", class: numeric[i] ? "num" : undefined }, t)),
        ),
      ),
      h("tbody", {}, ...rows.map((r) => bodyRow(r, numeric))),
    ),
  );
}

/** A row of a {@link rankingTable}: its cells, and per column the value it sorts by (null last). */
export interface RankedRow {
  cells: Child[];
  keys: (string | number | null)[];
}

/** The words a {@link rankingTable} needs, in the page's language. */
export interface RankingWords {
  /** The filter's label (it filters by the first column's text). */
  filter: string;
  /** How many rows the filter leaves, of how many. */
  shown: (shown: number, total: number) => string;
  lang: string;
  /** The ranking's title while a column orders it: the section's heading and the caption say so. */
  sortedBy: (column: string, descending: boolean) => string;
}

/** Rows from which a ranking shows a filter box: a province's communes, not an office's departments. */
const FILTER_FROM = 12;

/**
 * A name as the filter compares it: lower case, without its diacritics, đ as d, so that "an binh"
 * finds "An Bình" and "da" finds "Đà" (a province's names, typed on any keyboard).
 */
export const folded = (text: string) =>
  text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .toLowerCase();

/**
 * A ranking as {@link table}, in the order given (worst first), whose column headers sort it (a
 * button each, `aria-sort` on the header: once ascending, again descending, a third time the order
 * given), and, with many rows, a box that filters by the first column's text. Nothing is fetched:
 * sorting and filtering work on the rows drawn. The title (the caption, and the section's `heading`
 * if given) names the order shown: the given one's, or the column's that sorts it.
 */
export function rankingTable(
  caption: string,
  head: string[],
  rows: RankedRow[],
  numeric: boolean[],
  words: RankingWords,
  heading?: HTMLElement,
): HTMLElement {
  const wrap = table(caption, head, [], numeric);
  const captionElement = wrap.querySelector("caption") as HTMLElement;
  const retitle = (title: string) => {
    captionElement.textContent = title;
    wrap.setAttribute("aria-label", title);
    if (heading) heading.textContent = title;
  };
  const tbody = wrap.querySelector("tbody") as HTMLElement;
  const ths = [...wrap.querySelectorAll("thead th")] as HTMLElement[];
  const drawn = rows.map((r) => {
    const tr = bodyRow(r.cells, numeric);
    return {
      tr,
      keys: r.keys,
      text: folded(tr.firstElementChild?.textContent ?? ""),
    };
  });
  let order = [...drawn];
  let query = "";
  const status = h("p", { class: "note", role: "status", "aria-live": "polite" });
  const draw = () => {
    const shown = order.filter((r) => !query || r.text.includes(query));
    tbody.replaceChildren(...shown.map((r) => r.tr));
    status.textContent = query ? words.shown(shown.length, drawn.length) : "";
  };
  ths.forEach((th, i) => {
    const label = th.textContent ?? "";
    const button = h("button", { type: "button", class: "sort" }, label);
    th.replaceChildren(button);
    button.addEventListener("click", () => {
      const now = th.getAttribute("aria-sort");
      const next = now === "ascending" ? "descending" : now === "descending" ? null : "ascending";
      for (const other of ths) other.removeAttribute("aria-sort");
      if (next) th.setAttribute("aria-sort", next);
      retitle(next ? words.sortedBy(label, next === "descending") : caption);
      const sign = next === "descending" ? -1 : 1;
      const compare = (a: (typeof drawn)[number], b: (typeof drawn)[number]) => {
        const [x, y] = [a.keys[i] ?? null, b.keys[i] ?? null];
        if (x === y) return 0;
        if (x === null) return 1;
        if (y === null) return -1;
        return (
          sign *
          (typeof x === "number" && typeof y === "number"
            ? x - y
            : String(x).localeCompare(String(y), words.lang))
        );
      };
      order = next ? [...drawn].sort(compare) : [...drawn];
      draw();
    });
  });
  draw();
  if (rows.length < FILTER_FROM) return wrap;
  const input = h("input", {
    type: "search",
    class: "filter",
    "aria-label": words.filter,
  }) as HTMLInputElement;
  input.addEventListener("input", () => {
    query = folded(input.value.trim());
    draw();
  });
  return h(
    "div",
    { class: "ranking" },
    h("label", { class: "filter-label" }, `${words.filter} `, input),
    status,
    wrap,
  );
}
