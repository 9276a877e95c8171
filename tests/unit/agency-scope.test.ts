import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDirectoryFile } from "../../lib/domain/agency-directory";
import { CALENDAR_QUARTER, periodByName } from "../../lib/domain/periods";
import type { Credential } from "../../lib/http/auth";
import { scopedAgency } from "../../lib/http/query-params";
import { ROOT } from "../helpers/fixtures";
import { storedDirectory } from "../helpers/trees";

// The synthetic province: its department of natural resources (so-tn-mt) ended on 2025-02-28,
// and its dossiers count under the merged department (so-nn-mt) from 2025-03-01.
const file = parseDirectoryFile(
  JSON.parse(readFileSync(join(ROOT, "events/units/province-sample.json"), "utf8")),
  "2025-12-16",
);
const deps = { units: storedDirectory(file) };
const period = periodByName(CALENDAR_QUARTER, "2025-Q3");
const key = (agencies?: string[]): Credential => ({
  name: "k",
  role: "reader",
  source: "k",
  ratePerSecond: 20,
  ...(agencies && { agencies }),
});
const messageFor = (credential: Credential) => {
  if (!period) throw new Error("no 2025-Q3");
  const answer = scopedAgency(deps, credential, "so-tn-mt", period);
  if (answer.ok) throw new Error("so-tn-mt reports in 2025-Q3");
  expect(answer.error.statusCode).toBe(404);
  return JSON.parse(answer.error.body ?? "{}").problems[0].message as string;
};

describe("an agency that does not report in the period, asked by its own key", () => {
  it("names where its dossiers count only to a key that reads that agency", () => {
    expect(messageFor(key())).toBe(
      "not in the directory's tree on 2025-09-30: its dossiers count under so-nn-mt",
    );
    expect(messageFor(key(["so-tn-mt", "so-nn-mt"]))).toContain("count under so-nn-mt");
    // A key of the ended department alone learns nothing of the agency that took its dossiers.
    expect(messageFor(key(["so-tn-mt"]))).toBe("not in the directory's tree on 2025-09-30");
  });
});
