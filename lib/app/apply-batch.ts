import { type CounterDelta, counterItemId, mergeDeltas } from "../domain/counting";
import type { DossierEvent } from "../domain/events/schema";
import { identityOf } from "../domain/identity";
import { type ApplyDeps, type ApplyOutcome, applyEvent, backoff, decideApply, withUnitsFor } from "./apply";
import type { CommitArgs, DossierBatches, DossierLog, DossierWithLog } from "./ports";
import { refusedRecord } from "./quarantine-records";

/**
 * Applying a batch of events exactly once, for less (README "Architecture"): the batch's dossiers
 * read in one request, each dossier's events decided in order on what the previous ones left (as
 * {@link applyEvent} would, one after another), and the changes written together: the dossiers
 * that move no counter one conditional put each, the others in as few transactions as DynamoDB's
 * bounds allow, their counter deltas summed per counter item. A counter item the batch moves many
 * times is then written once, and each write stays conditional on the dossier's version read, so
 * a transaction either applies every change of it exactly once or none. A transaction refused (a
 * dossier changed meanwhile, a counter item in another transaction) leaves nothing written; its
 * dossiers are read again and decided again, and after {@link BATCH_ROUNDS} reads applied one
 * event at a time by {@link applyEvent}, as before batches. What is quarantined is written once
 * the dossier's change is.
 *
 * What a refusal costs decides the sizes (README "Measured"): DynamoDB bills a cancelled transaction
 * for every item in it, and concurrent batches often hold events of the same dossier (a dossier's
 * events come close together, and a copy of one up to hundreds of messages away). So a group is
 * small ({@link GROUP_ITEMS}), its dossiers' versions are read again just before it is written (a
 * read costs a fifth of a write), and a dossier read again is written in a transaction of its own.
 */

export type BatchApplyDeps = ApplyDeps & { dossiers: DossierLog & DossierBatches };

/** One event of the batch, under the key its outcome is answered by (the SQS message id). */
export interface BatchItem {
  key: string;
  event: DossierEvent;
}

/** Each item's outcome, or the error that failed it (storage failing: the message is retried). */
export type BatchOutcomes = Map<string, Promise<ApplyOutcome>>;

/** Most items one transaction carries (DynamoDB's bound). */
export const MAX_GROUP_ITEMS = 100;
/**
 * Items a group's transaction carries on a batch's first read (dossiers' puts and the counter
 * items they move). Chosen by the bench (`npm run bench -- seedUnits`, 4 workers, batches of 100):
 * billed write units per event (one run each) 3.45 at 6 items, 3.48 at 8, 3.51 at 10, 3.58 at 12, 3.69 at 16;
 * larger groups sum more counter writes, but lose more to a refusal. 8 leaves room for a dossier
 * whose events move several counter items.
 */
export const GROUP_ITEMS = 8;
/** Transactions of a group tried again before its dossiers are applied one event at a time. */
const GROUP_ATTEMPTS = 3;

/** One dossier's events decided on what was read: its change, if any, and each event's outcome. */
export interface DossierPlan {
  dossierId: string;
  items: BatchItem[];
  change?: CommitArgs;
  outcomes: Map<string, ApplyOutcome>;
  quarantines: { event: DossierEvent; reason: string; applied?: DossierEvent }[];
}

/** The decisions for one dossier's events in order, each on the dossier the previous ones left. */
async function planDossierEvents(
  deps: ApplyDeps,
  dossierId: string,
  read: DossierWithLog,
  items: BatchItem[],
): Promise<DossierPlan> {
  const plan: DossierPlan = { dossierId, items, outcomes: new Map(), quarantines: [] };
  let { dossier } = read;
  let log: readonly DossierEvent[] = read.log;
  const deltas: CounterDelta[] = [];
  for (const { key, event } of items) {
    const id = identityOf(event);
    const prior = log.find((e) => identityOf(e) === id);
    const decision = decideApply(await withUnitsFor(deps, event), { dossier, log, prior }, event, deps.now());
    if (decision.kind === "duplicate") plan.outcomes.set(key, { status: "duplicate", attempts: 1 });
    else if (decision.kind === "quarantine") {
      plan.quarantines.push({ event, reason: decision.reason, applied: decision.applied });
      plan.outcomes.set(key, { status: "quarantined", reason: decision.reason });
    } else {
      ({ record: dossier, log } = decision);
      deltas.push(...decision.deltas);
      plan.outcomes.set(key, { status: "applied", attempts: 1 });
    }
  }
  if (dossier && dossier.version !== (read.dossier?.version ?? 0))
    plan.change = {
      log,
      record: dossier,
      previousVersion: read.dossier?.version ?? 0,
      deltas: mergeDeltas(deltas),
    };
  return plan;
}

/** The counter items a plan's change writes, by an id of item and period. */
const counterIdsOf = (plan: DossierPlan) =>
  (plan.change?.deltas ?? []).map((d) => `${d.period}\u0000${counterItemId(d.item)}`);

/**
 * The dossiers that move counters, in groups: those that write a counter item in common share a
 * component (one unit's dossiers, in an office or a province), cut into groups of at most
 * {@link MAX_GROUP_ITEMS} items (a dossier's put, and each counter item the group does not yet
 * write). A component's groups are written one after another; different components at once, since
 * no two write the same item, so a transaction meets another Lambda's only on its own unit's item.
 */
export function componentsOf(plans: readonly DossierPlan[], maxItems = MAX_GROUP_ITEMS): DossierPlan[][][] {
  // Union-find over the counter items: each plan joins the items it writes.
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    const p = parent.get(x) ?? x;
    if (p === x) return x;
    const root = find(p);
    parent.set(x, root);
    return root;
  };
  for (const plan of plans) {
    const [first, ...rest] = counterIdsOf(plan);
    if (first === undefined) continue;
    if (!parent.has(first)) parent.set(first, first);
    for (const id of rest) parent.set(find(id), find(first));
  }
  const byRoot = new Map<string, DossierPlan[]>();
  for (const plan of plans) {
    const [first] = counterIdsOf(plan);
    const root = first === undefined ? "" : find(first);
    const component = byRoot.get(root);
    if (component) component.push(plan);
    else byRoot.set(root, [plan]);
  }
  return [...byRoot.values()].map((component) => {
    const groups: DossierPlan[][] = [];
    let group: DossierPlan[] = [];
    let counters = new Set<string>();
    for (const plan of component) {
      const ids = counterIdsOf(plan);
      const added = ids.filter((id) => !counters.has(id)).length;
      if (group.length && group.length + 1 + counters.size + added > maxItems) {
        groups.push(group);
        group = [];
        counters = new Set();
      }
      group.push(plan);
      for (const id of ids) counters.add(id);
    }
    if (group.length) groups.push(group);
    return groups;
  });
}

/** Writes what the plans decided to quarantine (once their dossiers' changes are written). */
async function writeQuarantines(deps: ApplyDeps, plan: DossierPlan): Promise<void> {
  for (const q of plan.quarantines) {
    const { record, arrived } = refusedRecord(deps.now(), q.event, q.reason, q.applied);
    await deps.quarantine.put(record, arrived);
  }
}

/**
 * Each item's outcome, set as soon as it is known (written, or needing no write): should the
 * batch's path fail later, the fall-back applies only the items without one, so what the batch
 * applied is reported applied, not a duplicate of itself.
 */
type Outcomes = Map<string, ApplyOutcome>;

/** A dossier's events applied one at a time, as without batches (a refused group's fallback). */
async function applyOneByOne(deps: ApplyDeps, plan: Pick<DossierPlan, "items">, sink: Outcomes) {
  for (const { key, event } of plan.items) sink.set(key, await applyEvent(deps, event));
}

/** What committing plans left to do: the plans to read again. */
interface Committed {
  /** Plans whose dossier changed since it was read (or whose transaction kept meeting others). */
  again: DossierPlan[];
}

/** Every promise settled (nothing of the batch still writing), then the first failure thrown. */
async function allSettled<T>(work: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/**
 * A group's changes in one transaction, once its dossiers' versions are read again (a dossier that
 * changed since the batch read it goes back to be read again, rather than cancel the group; one
 * dossier alone is written without this read, where a refusal costs little more). On a conflict the dossiers whose own write was refused are
 * read again (by the caller, with the rest of the batch's), and the others tried again at once;
 * a transaction that met another on a counter item is tried again after a pause, and after
 * {@link GROUP_ATTEMPTS} its dossiers are read again too. A change DynamoDB cannot take in a group
 * (too large) is applied one event at a time.
 */
async function commitGroup(deps: BatchApplyDeps, group: DossierPlan[], sink: Outcomes): Promise<Committed> {
  const done: Committed = { again: [] };
  let pending = group;
  if (pending.length > 1) {
    const now = await deps.dossiers.versionsOf(pending.map((p) => p.dossierId));
    const stale = (p: DossierPlan) => now.get(p.dossierId) !== p.change?.previousVersion;
    done.again.push(...pending.filter(stale));
    pending = pending.filter((p) => !stale(p));
  }
  for (let attempt = 1; pending.length; attempt++) {
    const changes = pending.map((p) => p.change as CommitArgs);
    const committed =
      pending.length === 1
        ? await deps.dossiers.commit(changes[0] as CommitArgs)
        : await deps.dossiers.commitGroup(changes);
    if (committed.ok) {
      // At once: each plan's applied outcomes are set before any quarantine is written.
      await allSettled(pending.map((plan) => settle(deps, plan, sink)));
      break;
    }
    const refused = committed.error;
    if (refused.kind !== "version_conflict") {
      for (const plan of pending) await applyOneByOne(deps, plan, sink);
      break;
    }
    const named = new Set(refused.dossierIds ?? []);
    if (named.size === 0 && attempt >= GROUP_ATTEMPTS) {
      done.again.push(...pending);
      break;
    }
    done.again.push(...pending.filter((p) => named.has(p.dossierId)));
    pending = pending.filter((p) => !named.has(p.dossierId));
    if (named.size === 0) await backoff(attempt);
  }
  return done;
}

/** What the batch's plans write, each item's outcome into `sink` once written. */
async function commitPlans(
  deps: BatchApplyDeps,
  plans: DossierPlan[],
  maxItems: number,
  sink: Outcomes,
): Promise<Committed> {
  const all: Committed = { again: [] };
  const take = ({ again }: Committed) => {
    all.again.push(...again);
  };
  const counted = plans.filter((p) => p.change?.deltas.length);
  const plain = plans.filter((p) => !p.change?.deltas.length);
  // A component's groups one after another (they write the same counter items); the components,
  // and the plain puts, at once.
  // A failure waits for the rest to settle, so that the fall-back starts on what was written.
  await allSettled([
    ...componentsOf(counted, maxItems).map(async (groups) => {
      for (const group of groups) take(await commitGroup(deps, group, sink));
    }),
    // A dossier the batch does not change: its duplicates and quarantines only.
    ...plain.map(async (plan) =>
      plan.change ? take(await commitGroup(deps, [plan], sink)) : settle(deps, plan, sink),
    ),
  ]);
  return all;
}

/**
 * A plan whose change is written (or that has none): its outcomes known, then its quarantines
 * written and theirs known. A failure writing a quarantine leaves that item (only) to the fall-back.
 */
async function settle(deps: ApplyDeps, plan: DossierPlan, sink: Outcomes) {
  for (const [k, o] of plan.outcomes) if (o.status !== "quarantined") sink.set(k, o);
  await writeQuarantines(deps, plan);
  for (const [k, o] of plan.outcomes) sink.set(k, o);
}

/**
 * Each item applied on its own, a dossier's one after another (each waits for the previous one of
 * its dossier to settle; its failure is that item's alone), different dossiers at once.
 */
export function applyEach(deps: ApplyDeps, items: readonly BatchItem[]): BatchOutcomes {
  const last = new Map<string, Promise<unknown>>();
  return new Map(
    items.map(({ key, event }) => {
      const run = () => applyEvent(deps, event);
      const previous = last.get(event.dossierId);
      const mine = previous ? previous.then(run, run) : run();
      last.set(event.dossierId, mine);
      return [key, mine];
    }),
  );
}

/** Times a batch reads again the dossiers that changed meanwhile, before applying them alone. */
const BATCH_ROUNDS = 4;

/**
 * The batch's dossiers read, decided and written in groups; those that changed since they were
 * read (another batch held events of theirs) read again with one another and written one dossier a
 * transaction, up to {@link BATCH_ROUNDS} reads, and after that applied one event at a time.
 */
async function applyRounds(deps: BatchApplyDeps, byDossier: Map<string, BatchItem[]>, outcomes: Outcomes) {
  let pending = byDossier;
  for (let round = 1; pending.size && round <= BATCH_ROUNDS; round++) {
    if (round > 1) await backoff(round);
    const reads = await deps.dossiers.getMany([...pending.keys()]);
    const plans: DossierPlan[] = [];
    const legacy: BatchItem[] = [];
    for (const [dossierId, list] of pending) {
      const read = reads.get(dossierId);
      const plan = read && (await planDossierEvents(deps, dossierId, read, list).catch(() => undefined));
      if (plan) plans.push(plan);
      else legacy.push(...list);
    }
    // A dossier stored before its log moved inside, or one the batch could not read or decide (its
    // log unreadable, a rule that throws for it): read and applied one event at a time, so that
    // what fails is that dossier's events only.
    const [committed] = await allSettled<Committed | undefined>([
      commitPlans(deps, plans, round === 1 ? GROUP_ITEMS : 1, outcomes),
      allSettled(
        [...applyEach(deps, legacy)].map(async ([key, p]) => {
          outcomes.set(key, await p);
        }),
      ).then(() => undefined),
    ]);
    pending = new Map((committed?.again ?? []).map((plan) => [plan.dossierId, plan.items]));
  }
  // Different dossiers at once, as in a round; a dossier's events one after another.
  await allSettled([...pending.values()].map((items) => applyOneByOne(deps, { items }, outcomes)));
}

/**
 * Applies the batch's events (see above). Should the batch's path fail (storage failing, or one
 * dossier's item unreadable), once all it had in flight has settled, every item it left without an
 * outcome is applied on its own ({@link applyEach}): what the batch wrote keeps its outcome
 * (applied, not a duplicate of itself), and one dossier's failure is its items' alone.
 */
export function applyBatch(
  deps: BatchApplyDeps,
  items: readonly BatchItem[],
  onFallback?: (error: unknown) => void,
): BatchOutcomes {
  const byDossier = new Map<string, BatchItem[]>();
  for (const item of items) {
    const list = byDossier.get(item.event.dossierId) ?? [];
    list.push(item);
    byDossier.set(item.event.dossierId, list);
  }
  const outcomes: Outcomes = new Map();
  const settled: Promise<Map<string, ApplyOutcome | Promise<ApplyOutcome>>> = applyRounds(
    deps,
    byDossier,
    outcomes,
  ).then(
    () => outcomes,
    (e) => {
      onFallback?.(e);
      // Only what the batch's path left without an outcome: what it applied stays reported so.
      const rest = applyEach(
        deps,
        items.filter(({ key }) => !outcomes.has(key)),
      );
      return new Map<string, ApplyOutcome | Promise<ApplyOutcome>>([...outcomes, ...rest]);
    },
  );
  return new Map(
    items.map(({ key }) => [
      key,
      settled.then((outcomes) => {
        const outcome = outcomes.get(key);
        if (!outcome) throw new Error(`apply batch: no outcome for ${key}`);
        return outcome;
      }),
    ]),
  );
}
