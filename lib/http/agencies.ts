import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { agencyTreeOf } from "../app/directory";
import { readNodeCounts } from "../app/kpis";
import type { KpiDeps } from "../app/period-report";
import { type AgencyTree, validOn } from "../domain/agencies";
import { rollUpCounts, rollUpDate } from "../domain/agency-rollup";
import type { Period } from "../domain/periods";
import { addCounts, blockOf, type PeriodCounts, zeroCounts } from "../domain/report";
import { err, isErr, ok, type Result } from "../domain/result";
import type { Credential } from "./auth";
import { AgenciesQuery } from "./queries";
import { parseQuery, resolvePeriod } from "./query-params";
import { type HttpResult, json, problem } from "./responses";

/**
 * The agency tree as a reader sees it: `GET /agencies?period=`
 * answers the part of the tree the key reads — the whole tree for an office-wide key, the
 * subtrees of its agencies for a key scoped to agencies — as it stands on the period's roll-up
 * date (lib/domain/agency-rollup.ts `rollUpDate`), each node with its name and its figures for the
 * period. The figures come from the counters: one read per top node (its counters only, by
 * prefix), rolled up to every node below it in memory, so a node's figures are those
 * `GET /kpis?agency=` answers for it. A key scoped to units reads no agency: 403.
 */

/** A node's figures: the report block's counts a dashboard shows (lib/domain/report.ts `blockOf`). */
function figuresOf(counts: PeriodCounts | undefined) {
  const total = zeroCounts();
  for (const c of counts?.byUnit.values() ?? []) addCounts(total, c);
  const { received, resolved, withdrawn, pending, rates } = blockOf(total);
  return { received, resolved, withdrawn, pending, rates };
}

/**
 * The nodes a key reads from, on `at`: the root for an office-wide key; a key's own agencies that
 * the tree holds then, without those under another of them; `undefined` for a key scoped to units.
 */
export function topNodes(tree: AgencyTree, credential: Credential, at: string): string[] | undefined {
  const scope = credential.agencies;
  if (!scope) return credential.units ? undefined : [tree.rootId];
  const known = scope.filter((a) => {
    const node = tree.get(a);
    return node?.kind === "agency" && (a === tree.rootId || validOn(node, at));
  });
  return known.filter((a) => !tree.ancestors(a, at).some((up) => known.includes(up) && up !== a));
}

/** One node of the tree as `/me` and `/agencies` show it: names, never a contact. */
export function nodeOf(tree: AgencyTree, id: string, parentId: string | null) {
  const node = tree.get(id);
  return {
    id,
    kind: node?.kind ?? "unit",
    name: { vi: node?.nameVi ?? id, en: node?.nameEn ?? id },
    level: node?.level ?? null,
    parentId,
  };
}

/**
 * The nodes under each of `tops` on `at` (themselves included, their parents not shown), each with
 * its reporting parent: agencies, then the units whose dossiers count under them. Units ended
 * before `at` are kept only when `keep` says so (they have counts in the period).
 */
export function visibleNodes(
  tree: AgencyTree,
  tops: readonly string[],
  at: string,
  keep: (unit: string) => boolean = () => false,
) {
  const out: ReturnType<typeof nodeOf>[] = [];
  for (const top of tops) {
    const { agencies, units } = tree.subtree(top, at);
    for (const id of agencies)
      out.push(nodeOf(tree, id, id === top ? null : (tree.ancestors(id, at)[0] ?? null)));
    for (const id of units) {
      const node = tree.get(id);
      if ((node && validOn(node, at)) || keep(id)) out.push(nodeOf(tree, id, tree.reportingNode(id, at)));
    }
  }
  return out;
}

/** Every top node's per-unit counts for the period, from its own counters. */
async function countsUnder(deps: KpiDeps, tree: AgencyTree, tops: readonly string[], period: Period) {
  const perUnit = new Map<string, PeriodCounts>();
  let itemsRead = 0;
  for (const top of tops) {
    const read = await readNodeCounts(deps.counters, tree, top, period, { consistent: !deps.eventualReads });
    if (!read) continue;
    itemsRead += read.itemsRead;
    for (const [unit, c] of read.perUnit) perUnit.set(unit, c);
  }
  return { perUnit, itemsRead };
}

/** The refusal of a key that reads no agency (one scoped to units). */
function readsAgencies(tops: string[] | undefined): Result<string[], HttpResult> {
  if (tops) return ok(tops);
  return err(
    problem(403, "the agency tree is read with an office-wide key or a key scoped to agencies", [
      { path: "(key)", message: "this key is scoped to units" },
    ]),
  );
}

/** `GET /agencies?period=`: the visible tree on the period's roll-up date, each node's figures. */
export async function agencyFigures(
  deps: KpiDeps,
  credential: Credential,
  event: APIGatewayProxyEventV2,
): Promise<HttpResult> {
  const qResult = parseQuery(AgenciesQuery, event);
  if (isErr(qResult)) return qResult.error;
  const periodResult = resolvePeriod(deps, qResult.value.period);
  if (isErr(periodResult)) return periodResult.error;
  const period = periodResult.value;
  const tree = agencyTreeOf(deps.units);
  const at = rollUpDate(period);
  const tops = readsAgencies(topNodes(tree, credential, at));
  if (isErr(tops)) return tops.error;
  const { perUnit, itemsRead } = await countsUnder(deps, tree, tops.value, period);
  const rolled = rollUpCounts(tree, perUnit, at);
  const nodes = visibleNodes(tree, tops.value, at, (u) => perUnit.has(u)).map((n) => ({
    ...n,
    figures: figuresOf(n.kind === "agency" ? rolled.get(n.id) : perUnit.get(n.id)),
  }));
  // How many counter items were read is the office's business (reads may reach outside a scoped key's agencies).
  const basis = credential.units ? {} : { itemsRead };
  return json(200, { period: period.name, flat: tree.flat, roots: tops.value, nodes, basis });
}
