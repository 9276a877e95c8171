import { type PageResult, QUALITY_COUNT_BOUND, type SlaLists } from "../../app/ports";
import type { BoundedCount, DossierRecord } from "../../domain/records";
import { ok } from "../../domain/result";
import type { SlaState } from "../../domain/sla";
import { TableAccess } from "./cursors";
import { recordOfItem, slaKeyOf } from "./keys";
import { TABLE } from "./table";

/**
 * The sparse `bySla` index of the dossier items (./table.ts): each unit's open dossiers by SLA
 * state, and the orphans, a page at a time or counted. What ./dossiers.ts answers as `SlaLists`.
 */
export class SlaIndex extends TableAccess implements SlaLists {
  /**
   * One page of a unit's open dossiers in an SLA state (or the orphans), oldest due first, from
   * the sparse `bySla` index: items read grow with the page, not with the table.
   */
  async listBySla(
    unitId: string | null,
    sla: SlaState | "orphan",
    options: { limit?: number; cursor?: string } = {},
  ): Promise<PageResult<DossierRecord>> {
    const page = await this.page(
      {
        IndexName: TABLE.slaIndex.name,
        KeyConditionExpression: "slaKey = :k",
        ExpressionAttributeValues: { ":k": slaKeyOf(unitId, sla) },
      },
      options,
    );
    if (!page.ok) return page;
    return ok({ items: page.value.items.map(recordOfItem), cursor: page.value.cursor });
  }

  /**
   * How many dossiers a unit has in an SLA state (or how many orphans), from the `bySla` index:
   * a count query, so no item is sent back (the KPI email, `GET /kpis` and `GET /quality` count the
   * orphans this way on every read), of at most `atMost` entries read.
   */
  async countBySla(
    unitId: string | null,
    sla: SlaState | "orphan",
    atMost = QUALITY_COUNT_BOUND,
  ): Promise<BoundedCount> {
    const { count, more } = await this.queryUpTo(
      {
        IndexName: TABLE.slaIndex.name,
        KeyConditionExpression: "slaKey = :k",
        ExpressionAttributeValues: { ":k": slaKeyOf(unitId, sla) },
        Select: "COUNT",
      },
      atMost,
    );
    return { count, atLeast: more };
  }
}
