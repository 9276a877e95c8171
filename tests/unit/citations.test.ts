import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Every citation of a document resolves inside the repository (docs/style.md 14): a person who
 * clones it can follow each one. Scanned: the tracked TypeScript, `.mjs` and Markdown files, and
 * the JSON under `events/` and `docs/`. A citation is a name ending in `.md`, or a path through a
 * `shared` folder above the file. It resolves from the repository's root, or, in a Markdown file,
 * from the file's own folder (its links). A cited rule of docs/rules.md (`R4`) must be one of its
 * headings, and a quoted section (`docs/calendar.md "Pauses"`, `README "Trust boundaries"`) a
 * heading of the document it names.
 */

const ROOT = join(import.meta.dirname, "..", "..");

interface Finding {
  file: string;
  line: number;
  citation: string;
  problem: string;
}

const SCANNED = (path: string) =>
  /\.(ts|mjs|md)$/.test(path) || (/^(events|docs)\//.test(path) && path.endsWith(".json"));

/** A name ending in `.md`; a web address ending so is not a citation of this repository. */
const DOCUMENT = /[\w./:@-]*\w\.md\b/g;
/** A path through a folder named `shared` above the file (an import, or a folder outside the repository). */
const SHARED = /(?:\.\.\/)+shared\b[\w./-]*/g;
/** What may follow a citation to name a section: a quoted heading, after a rule number or not. */
const SECTION = /^(?:\s+R\d+)?(?:,\s*|\s+)(?:"([^"\n]{2,80})"|'([^'\n]{2,80})'|“([^”\n]{2,80})”)/;
/** Rule numbers right after a citation of the rules, e.g. ` R3, R5` or ` (R1 receipt, R2 …)`. */
const RULES_AFTER = /^[^\n)]{0,60}/;

type Files = { exists: (path: string) => boolean; read: (path: string) => string | undefined };

const diskFiles: Files = {
  exists: (path) => existsSync(join(ROOT, path)),
  read: (path) => {
    const full = join(ROOT, path);
    return existsSync(full) && statSync(full).isFile() ? readFileSync(full, "utf8") : undefined;
  },
};

/** `path` as a repository path, or undefined when it leaves the repository. */
function inRepo(path: string): string | undefined {
  const p = normalize(path).replace(/\\/g, "/");
  return p.startsWith("../") || p === ".." ? undefined : p.replace(/^\.\//, "");
}

/** The repository path a citation in `file` names, or undefined when it names nothing there. */
function resolveDocument(file: string, citation: string, files: Files): string | undefined {
  const candidates = [inRepo(citation)];
  if (file.endsWith(".md")) candidates.push(inRepo(join(dirname(file), citation)));
  return candidates.find((c) => c !== undefined && files.exists(c));
}

function resolveShared(file: string, citation: string, files: Files): string | undefined {
  const base = inRepo(join(dirname(file), citation));
  if (base === undefined) return undefined;
  return [base, `${base}.ts`, `${base}/index.ts`].find((c) => files.exists(c));
}

const headings = (text: string) =>
  text
    .split("\n")
    .filter((l) => /^#{1,6} /.test(l))
    .map((l) => l.replace(/^#+ /, "").toLowerCase());

/** The citations in one file's text that do not resolve, in the order they appear. */
function unresolved(file: string, text: string, files: Files = diskFiles): Finding[] {
  const findings: (Finding & { index: number })[] = [];
  const lineOf = (index: number) => text.slice(0, index).split("\n").length;
  const report = (index: number, citation: string, problem: string) =>
    findings.push({ file, line: lineOf(index), citation, problem, index });

  const sectionsOf = (target: string, index: number, after: string, citation: string) => {
    const body = files.read(target);
    if (body === undefined) return;
    const heads = headings(body);
    // A quoted section may run on into the next comment line (its `//` or ` * ` left out).
    const quoted = SECTION.exec(after.slice(0, 200).replace(/\n\s*(?:\/\/|\*(?!\/))?\s*/g, " "));
    const section = quoted?.[1] ?? quoted?.[2] ?? quoted?.[3];
    if (section && !heads.some((h) => h.includes(section.toLowerCase())))
      report(index, `${citation} "${section}"`, `no heading "${section}" in ${target}`);
    if (target === "docs/rules.md") {
      for (const [, n] of (RULES_AFTER.exec(after)?.[0] ?? "").matchAll(/\bR(\d+)\b/g))
        if (!heads.some((h) => h.startsWith(`r${n} `)))
          report(index, `${citation} R${n}`, `no rule R${n} in docs/rules.md`);
    }
  };

  for (const m of text.matchAll(DOCUMENT)) {
    const citation = m[0];
    if (citation.includes("://") || citation.includes("@")) continue;
    const target = resolveDocument(file, citation, files);
    if (!target) report(m.index, citation, "names no file in the repository");
    else sectionsOf(target, m.index, text.slice(m.index + m[0].length), citation);
  }
  for (const m of text.matchAll(SHARED)) {
    if (m[0].endsWith(".md")) continue; // reported above
    if (!resolveShared(file, m[0], files)) report(m.index, m[0], "names no file in the repository");
  }
  // A section of the README: `README "Architecture"`.
  for (const m of text.matchAll(/\bREADME(?!\.md)\b(?:'s)?/g)) {
    sectionsOf("README.md", m.index, text.slice(m.index + m[0].length), "README");
  }
  return findings.sort((a, b) => a.index - b.index).map(({ index: _, ...f }) => f);
}

function trackedFiles(): string[] {
  return execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    .filter((f) => f !== "" && SCANNED(f) && existsSync(join(ROOT, f)));
}

describe("citations of documents", () => {
  it("all resolve to a file in the repository, and to its rule or section", () => {
    const files = trackedFiles();
    expect(files.length).toBeGreaterThan(100);
    const findings = files.flatMap((f) => unresolved(f, readFileSync(join(ROOT, f), "utf8")));
    const lines = findings.map((x) => `${x.file}:${x.line}: ${x.citation}: ${x.problem}`);
    expect(lines).toEqual([]);
  });

  it("finds what does not resolve (so the check above can fail)", () => {
    // Built from parts, so this file itself cites nothing that is missing.
    const [md, shared, readme] = [".md", `${".."}/shared`, "READ" + "ME"];
    const text = [
      `// the wire contract of ${shared}/spec/events${md}`,
      `// the alert timeline (rules${md} R4)`,
      `// see docs/rules${md} R9, and docs/calendar${md} "No such section"`,
      `// ${readme} "No such section" either`,
      `import { x } from "${shared}";`,
      `// fine: docs/rules${md} R4, docs/calendar${md} "Pauses", ${readme} "Trust boundaries"`,
      `// ${readme}'s "Nor this", and docs/rules${md} R4, "Nor that"`,
      `// fine too: ${readme}'s "Architecture", docs/rules${md} R4, "When digests go"`,
    ].join("\n");
    const found = unresolved("lib/domain/example.ts", text).map((f) => `${f.line}: ${f.citation}`);
    expect(found).toEqual([
      `1: ${shared}/spec/events${md}`,
      `2: rules${md}`,
      `3: docs/rules${md} R9`,
      `3: docs/calendar${md} "No such section"`,
      `4: ${readme} "No such section"`,
      `5: ${shared}`,
      `7: ${readme} "Nor this"`,
      `7: docs/rules${md} "Nor that"`,
    ]);
  });

  it("cites no numbered issue: a list of issues is not in the repository", () => {
    // Built from parts, so that this file does not match itself. White space between the words
    // may break a line, within a comment too (" * " or "// " at the next line's start).
    const NUMBERED = new RegExp(`\\b${"iss"}ues?(?:[ \\t]*|\\s*\\n\\s*(?:\\*|//|#)?\\s*)#?\\d{1,3}\\b`, "gi");
    const found = (file: string, text: string) =>
      [...text.matchAll(NUMBERED)].map(
        (m) => `${file}:${text.slice(0, m.index).split("\n").length}: ${m[0]}`,
      );
    const lines = trackedFiles().flatMap((f) => found(f, readFileSync(join(ROOT, f), "utf8")));
    expect(lines).toEqual([]);
    const iss = "iss";
    const text = `the agency tree (${iss}ue 23)\n * grants, ${iss}ue\n * 12). ${iss}ued 12, ${iss}ue#14, ${iss}ue\n   15`;
    expect(found("x.ts", text)).toEqual([
      `x.ts:1: ${iss}ue 23`,
      `x.ts:2: ${iss}ue\n * 12`,
      `x.ts:3: ${iss}ue#14`,
      `x.ts:3: ${iss}ue\n   15`,
    ]);
  });

  it("reads a Markdown file's links from its own folder", () => {
    const md = ".md";
    expect(unresolved("docs/kpis.md", `[rules](rules${md}) and [x](missing${md})`)).toMatchObject([
      { citation: `missing${md}` },
    ]);
    expect(unresolved("README.md", `[rules](rules${md})`)).toMatchObject([{ citation: `rules${md}` }]);
  });
});
