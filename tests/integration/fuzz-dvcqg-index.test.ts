import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DossierEventSchema } from "../../lib/domain/events/schema";
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
});
