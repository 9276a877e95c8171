import type { RunningDynamo } from "../../dev/local/dynamodb-local";
import { instant } from "../../lib/domain/time";
import { meter } from "../capacity";
import { freshTable, results, row, settings } from "../common";

/**
 * The sweep's reads with many open dossiers and few due: `open` dossier items whose next check is
 * far ahead (written directly, as the consumer would leave them) and 10 real dossiers crossing a
 * threshold now.
 */
export async function benchSweep(dynamo: RunningDynamo) {
  const { applyEvent } = await import("../../lib/app/apply");
  const { runSweep } = await import("../../lib/app/sweep");
  const out: Record<string, unknown> = {};
  for (const open of [1_000, 10_000, 100_000]) {
    const table = await freshTable(dynamo);
    const far = instant("2030-01-01T00:00:00+07:00");
    await table.store.dossiers.seed(
      Array.from({ length: open }, (_, i) => ({
        dossierId: `OPEN-${i}`,
        version: 1,
        received: true,
        nextCheckAt: far + i,
      })),
    );
    let clock = instant("2022-07-04T09:00:00+07:00");
    const deps = { ...table.store, settings, now: () => clock };
    for (let i = 0; i < 10; i++) {
      await applyEvent(deps, {
        eventId: `due-${i}`,
        type: "dossier.received",
        occurredAt: "2022-07-04T08:00:00+07:00",
        dossierId: `DUE-${i}`,
        data: { unitId: "phong-tnmt", procedureCode: "1.001990", channel: "direct", processingDays: 2 },
      });
    }
    clock = instant("2022-07-06T16:00:00+07:00");
    const reads = meter(table.client);
    const result = await runSweep(deps);
    const read = reads.itemsRead;
    out[`open${open}`] = { itemsRead: read, transitions: result.raised, indexItems: result.indexItemsRead };
    row(
      `Sweep reads, ${open.toLocaleString("en")} open dossiers`,
      `${read} items read for ${result.raised} transitions of ${result.checked} dossiers`,
      `${open.toLocaleString("en")} open dossiers with a next check in 2030 plus 10 crossing their near-due threshold now; items returned by the sparse-index queries and the dossier reads of one sweep run`,
    );
  }
  results.sweep = out;
}
