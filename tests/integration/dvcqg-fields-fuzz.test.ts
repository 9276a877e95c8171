import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DossierEventSchema } from "../../lib/domain/events/schema";
import { parseDvcqgDate } from "../../lib/http/dvcqg-fields";
import { handleIngest } from "../../lib/http/ingest-api";
import { ROOT } from "../helpers/fixtures";
import { ingestHarness } from "../helpers/ingest-harness";

/**
 * The portal fields the national index reads (HoSoCoThanhPhanSoHoa, TaiLieuNop[].DuocSoHoa,
 * DanhSachGiayToKetQua[].DuongDanTepTinKetQua, HinhThuc), fuzzed through POST /integrations/dvcqg:
 * never a 5xx, and what reaches the bus is the contract's yes/no and hand-over values, or nothing.
 */

let h: Awaited<ReturnType<typeof ingestHarness>>;
/** The details the bus took in the current run (the harness keeps whole entries). */
const published = () => (h.published as { detail: unknown }[]).map((e) => e.detail);

beforeAll(async () => {
  h = await ingestHarness("fuzzidx", "fuzz-index");
});
afterAll(async () => h.table.drop());

const fixture = JSON.parse(readFileSync(join(ROOT, "events/dvcqg/index-fields.json"), "utf8"));
const dossier = fixture.data[0];

/** Anything in one of the index's fields, or in a field of one of their list items. */
const anyValue = fc.oneof(fc.anything(), fc.constantFrom("1", "0", 1, 0, true, false, "", null, "2"));
const mutated = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("HoSoCoThanhPhanSoHoa", "HinhThuc", "TaiLieuNop", "DanhSachGiayToKetQua"),
      anyValue,
    )
    .map(([field, value]) => ({ ...dossier, [field]: value })),
  fc
    .array(fc.record({ DuocSoHoa: anyValue }), { maxLength: 5 })
    .map((TaiLieuNop) => ({ ...dossier, TaiLieuNop })),
  fc
    .array(fc.record({ DuongDanTepTinKetQua: anyValue }), { maxLength: 5 })
    .map((DanhSachGiayToKetQua) => ({ ...dossier, DanhSachGiayToKetQua })),
);

describe("the index's portal fields, by property", () => {
  it("never answer 5xx, and publish only valid events whose index fields are the contract's values", async () => {
    let run = 0;
    let resolvedSeen = 0;
    await fc.assert(
      fc.asyncProperty(mutated, async (item) => {
        h.published.length = 0;
        // A new dossier code each run: every run's events are new, so each one is published.
        const MaHoSo = `000.30.32.H48-220711-${String(++run).padStart(4, "0")}`;
        const res = await handleIngest(
          h.deps(),
          h.post("/integrations/dvcqg", JSON.stringify({ ...fixture, data: [{ ...item, MaHoSo }] })),
        );
        expect(res.statusCode).toBeLessThan(500);
        resolvedSeen += published().filter(
          (d) => (d as { type?: string }).type === "dossier.resolved",
        ).length;
        for (const detail of published()) {
          const event = DossierEventSchema.parse(detail);
          if (event.type === "dossier.received")
            expect([true, false, undefined]).toContain(event.data.digitised);
          if (event.type === "dossier.resolved") {
            expect([true, false, undefined]).toContain(event.data.resultElectronic);
            expect(["direct", "postal", undefined]).toContain(event.data.resultChannel);
          }
        }
        // Nothing from the portal's files, links or the applicant reaches the bus.
        expect(JSON.stringify(published())).not.toMatch(/https:|Nguyễn Văn A|nguyen-van-a/);
      }),
      { numRuns: 120 },
    );
    // The property looked at published events, not only at status codes.
    expect(resolvedSeen).toBeGreaterThan(60);
  }, 120_000);

  it("statuses and end fields: a finished dossier is resolved, its outcome the payload's, or a problem names why not", async () => {
    let run = 0;
    const seen = { approved: 0, denied: 0, missing: 0, requested: 0 };
    const date = fc.constantFrom("20220722093000", "2022-07-22T09:30:00", "", "   ", null, "x", 7, undefined);
    const item = fc.record({
      TrangThaiHoSo: fc.constantFrom("7", "8", "9", 9, "10", 10),
      NgayKetThucXuLy: date,
      NgayTuChoi: date,
    });
    await fc.assert(
      fc.asyncProperty(item, async (fields) => {
        h.published.length = 0;
        const MaHoSo = `000.30.32.H48-220712-${String(++run).padStart(4, "0")}`;
        const res = await handleIngest(
          h.deps(),
          h.post(
            "/integrations/dvcqg",
            JSON.stringify({ ...fixture, data: [{ ...dossier, ...fields, MaHoSo }] }),
          ),
        );
        expect(res.statusCode).toBeLessThan(500);
        const answer = JSON.parse(res.body ?? "{}") as {
          problems?: { path: string }[];
          notes?: { path: string }[];
        };
        const problemPaths = (answer.problems ?? []).map((p) => p.path);
        const types = published().map((d) => (d as { type: string }).type);
        const resolved = published().find((d) => (d as { type: string }).type === "dossier.resolved");
        const status = Number(fields.TrangThaiHoSo);
        const valid = (v: unknown) => typeof v === "string" && parseDvcqgDate(v.trim()).ok;
        if (status === 7) {
          // A request: nothing ends the dossier, and the answer says why.
          expect(types).toEqual(["dossier.received"]);
          expect((answer.notes ?? []).map((n) => n.path)).toContain("data[0].TrangThaiHoSo");
          seen.requested++;
        } else if (status >= 9) {
          if (resolved) {
            const outcome = (resolved as { data: { outcome: string } }).data.outcome;
            expect(outcome).toBe(valid(fields.NgayTuChoi) ? "denied" : "approved");
            seen[outcome as "approved" | "denied"]++;
          } else {
            // No resolution: a problem names the end date (blank, or not a date) or the refusal date.
            expect(valid(fields.NgayKetThucXuLy) || valid(fields.NgayTuChoi)).toBe(false);
            expect(problemPaths.some((p) => /NgayKetThucXuLy|NgayTuChoi/.test(p))).toBe(true);
            seen.missing++;
          }
        }
      }),
      { numRuns: 150 },
    );
    // Every branch was taken, so each assertion above was reached.
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(3);
  }, 120_000);
});
