import type { CounterDelta } from "../domain/counting";
import { keptValue, refusedField } from "../domain/events/redact";
import type { DossierEvent } from "../domain/events/schema";
import { describeProblems, validateEvent } from "../domain/events/validate";
import { identityOf, sameBody } from "../domain/identity";
import { stateAt } from "../domain/plan";
import { type DossierRecord, type QuarantineRecord, storableEvent } from "../domain/records";
import { instant } from "../domain/time";
import { UnitDirectory } from "../domain/units";
import { type ApplyDeps, applyEvent, checkApply, planApply } from "./apply";
import type { BulkStore, NewDossier } from "./ports";
import { refusedRecord } from "./quarantine-records";
import { withSource } from "./source";

/**
 * The bulk import (`dossier-monitor import`): history that would take the consumer one
 * transaction per event enters in batches, and leaves the table the consumer would have left.
 *
 * - **Same code.** Each new dossier's events are checked, in file order, by {@link checkApply},
 *   the consumer's own checks (duplicates, conflicts, the log bound, ownership and units), and the
 *   dossier is planned once by {@link planApply}, the consumer's projection and counting at the
 *   instant its last commit would have used (see {@link foldDossier}): the dossier item (its event
 *   log inside), its counter contributions and the refused events' quarantine items are what the
 *   consumer would write. No event record is written: the log is in the dossier item.
 * - **Exactly once, resumable.** A chunk of dossiers writes each dossier item, only if it does not
 *   exist, in one transaction with the sum of those dossiers' counter contributions: a dossier's
 *   events and its counters are written together or not at all. Then the refused events'
 *   quarantine items, with batch writes that are the same item however often they are repeated. A
 *   run stopped anywhere, run again, finds the dossiers it created and takes them through the
 *   apply path, where their events are duplicates (and the refused ones refused again).
 * - **Beside a live consumer.** A dossier that already has a dossier item goes through the apply
 *   path (`applyEvent`, the consumer's commit, conditional on the dossier's version). One the
 *   consumer creates while the import is writing it fails the import's condition, and its events
 *   go through the apply path too: each is checked against the consumer's log (duplicates,
 *   conflicting bodies, ownership, the log bound) as the consumer would check it.
 */

/**
 * The apply path's dependencies, and the bulk writer (lib/adapters/dynamodb/bulk.ts), given apart
 * from the store so that only the import's code carries it (the Lambda bundles do not).
 */
export type ImportDeps = ApplyDeps & { bulk: BulkStore };

/**
 * An event of the import as it arrived (validated again here, as the consumer validates what it
 * receives), with where it came from (`file:line`), for the rejects file.
 */
export interface ImportInput {
  input: unknown;
  where: string;
}

/** A valid event of the import, under the source it is applied under. */
export interface ImportEvent {
  event: DossierEvent;
  where: string;
}

/** An event not applied, with the reason the consumer would have quarantined it for. */
export interface Rejected {
  where: string;
  eventId: string;
  dossierId: string;
  reason: string;
}

export interface ImportSummary {
  events: number;
  applied: number;
  duplicates: number;
  quarantined: number;
  /**
   * Not events (the contract's validation refused them): in the rejects, not in the quarantine,
   * since the file they came from is at hand to correct and import again.
   */
  invalid: number;
  /** Dossiers created by batch; dossiers that existed (or could not be) went through the apply path. */
  dossiers: { created: number; applyPath: number };
  rejected: Rejected[];
}

export interface ImportOptions {
  /** Dossiers per chunk (one existence read, its batches, its transactions). */
  chunkDossiers?: number;
  /** Chunks in flight: one folds while another waits on DynamoDB. */
  chunksInFlight?: number;
  /** How quarantine items are written (lib/adapters/dynamodb/bulk.ts `recordWrites`). */
  recordWrites?: "batch" | "transaction";
  /** Called with the number of events handled so far. */
  onProgress?: (eventsDone: number) => void;
}

/** What folding one new dossier's events through the consumer's decision leaves. */
export interface FoldedDossier {
  dossierId: string;
  /** The dossier as the consumer would store it after these events (none if none was applied). */
  record?: DossierRecord;
  /** The counter deltas of those events, summed: the record's contributions. */
  deltas: CounterDelta[];
  /** The events applied, in order. */
  applied: ImportEvent[];
  /** Their stored form, in the same order: the log the dossier item keeps. */
  log: DossierEvent[];
  duplicates: number;
  refused: { input: ImportEvent; reason: string; applied?: DossierEvent }[];
}

const NO_UNITS = UnitDirectory.empty();

/**
 * Folds one dossier that is not in the table yet: each event, in file order, checked as
 * {@link applyEvent} checks it on the dossier the previous ones left; then the dossier planned
 * once, with every event applied, at the instant the consumer's last commit would have used. That
 * record is the consumer's last one (a plan depends on the log and that instant, not on the plans
 * before it), and its counter deltas from nothing are the sum of the consumer's deltas.
 */
export function foldDossier(
  deps: Pick<ApplyDeps, "settings" | "units" | "unknownUnits">,
  dossierId: string,
  events: readonly ImportEvent[],
  clock: number,
): FoldedDossier {
  const log: DossierEvent[] = [];
  const out: FoldedDossier = { dossierId, deltas: [], applied: [], log, duplicates: 0, refused: [] };
  const byIdentity = new Map<string, DossierEvent>();
  const sources = new Set<string | undefined>();
  let last: DossierEvent | undefined;
  for (const input of events) {
    const { event } = input;
    // Ownership only tells sources apart: while every applied event is of this event's source,
    // the owner is that source (or none) whatever the dossier's state, and nothing is projected.
    const mixed = log.length > 0 && (sources.size > 1 || !sources.has(event.source));
    const state =
      mixed && last
        ? stateAt(
            dossierId,
            log,
            Math.max(clock, instant(last.occurredAt)),
            deps.settings,
            deps.units ?? NO_UNITS,
          )
        : undefined;
    const check = checkApply(deps, { dossier: state, log, prior: byIdentity.get(identityOf(event)) }, event);
    if (check?.kind === "duplicate") out.duplicates++;
    else if (check) out.refused.push({ input, reason: check.reason, applied: check.applied });
    else {
      const stored = storableEvent(event);
      log.push(stored);
      byIdentity.set(identityOf(event), stored);
      sources.add(event.source);
      out.applied.push(input);
      last = event;
    }
  }
  if (last) {
    const planned = planApply(deps, undefined, log, last, clock);
    out.record = { ...planned.record, version: out.applied.length };
    out.deltas = planned.deltas;
  }
  return out;
}

/**
 * A dossier through the apply path, its events in file order. Its log is read once: events it
 * already holds with the same body (a run being resumed) are duplicates without a transaction each.
 */
async function applyThrough(deps: ImportDeps, dossierId: string, events: readonly ImportEvent[], s: Tally) {
  const { log } = await deps.dossiers.getWithLog(dossierId);
  const stored = new Map(log.map((e) => [identityOf(e), e]));
  for (const { event, where } of events) {
    const prior = stored.get(identityOf(event));
    if (prior && sameBody(prior, storableEvent(event))) {
      s.duplicates++;
      continue;
    }
    const outcome = await applyEvent(deps, event);
    if (outcome.status === "applied") s.applied++;
    else if (outcome.status === "duplicate") s.duplicates++;
    else s.reject({ where, eventId: event.eventId, dossierId, reason: outcome.reason });
  }
}

interface Tally {
  applied: number;
  duplicates: number;
  reject: (r: Rejected) => void;
}

/** Whether DynamoDB would take the dossier's items (the apply path quarantines what it would not). */
function fits(deps: ImportDeps, folded: FoldedDossier & { record: DossierRecord }): boolean {
  return deps.bulk.fits(folded.log, folded.record, folded.deltas);
}

/**
 * Imports events (valid ones, in file order) into the table: new dossiers by batch, the others
 * through the apply path. Running it again with the same events changes nothing.
 */
export async function importEvents(
  deps: ImportDeps,
  inputs: readonly ImportInput[],
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const clock = deps.now();
  if (options.recordWrites) deps.bulk.recordWrites = options.recordWrites;
  const { events, invalid } = validateInputs(inputs, clock);
  const byDossier = new Map<string, ImportEvent[]>();
  for (const e of events) {
    const list = byDossier.get(e.event.dossierId);
    if (list) list.push(e);
    else byDossier.set(e.event.dossierId, [e]);
  }
  const summary: ImportSummary = {
    events: inputs.length,
    applied: 0,
    duplicates: 0,
    quarantined: 0,
    invalid: invalid.length,
    dossiers: { created: 0, applyPath: 0 },
    rejected: [...invalid],
  };
  const tally: Tally = {
    applied: 0,
    duplicates: 0,
    reject: (r) => {
      summary.rejected.push(r);
      summary.quarantined++;
    },
  };
  let done = 0;
  const progress = (n: number) => {
    done += n;
    options.onProgress?.(done);
  };
  const run: ImportRun = { deps, clock, byDossier, summary, tally, progress };
  await inChunks([...byDossier.keys()], options, (chunkIds) => importChunk(run, chunkIds));
  summary.applied = tally.applied;
  summary.duplicates = tally.duplicates;
  return summary;
}

/** The valid events, under the source their body names, and the rejected inputs. */
function validateInputs(
  inputs: readonly ImportInput[],
  clock: number,
): { events: ImportEvent[]; invalid: Rejected[] } {
  const events: ImportEvent[] = [];
  const invalid: Rejected[] = [];
  for (const { input, where } of inputs) {
    // A file has no bus envelope: an event is applied under the source its body names.
    const result = validateEvent(input, { now: clock });
    if (result.ok) events.push({ event: withSource(result.value, result.value.source), where });
    else {
      // Text only (`String()` throws on an object without a usable toString), and a refused id
      // only when it reads as one (as the quarantine judges it): a name or a phone number sent
      // in the wrong field is not copied into the rejects file.
      const refused = refusedField(result.error.map((p) => p.path));
      const str = (k: string) => {
        const v = keptValue(k, (input as Record<string, unknown> | null)?.[k], refused(k));
        return typeof v === "string" ? v.slice(0, 128) : "";
      };
      invalid.push({
        where,
        eventId: str("eventId"),
        dossierId: str("dossierId"),
        reason: `invalid event: ${describeProblems(result.error)}`,
      });
    }
  }
  return { events, invalid };
}

/** Runs `importChunk` over the dossiers, `chunkDossiers` at a time, `chunksInFlight` chunks at once. */
async function inChunks(
  ids: string[],
  options: ImportOptions,
  importChunk: (chunkIds: string[]) => Promise<void>,
): Promise<void> {
  const size = options.chunkDossiers ?? 400;
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += size) chunks.push(ids.slice(i, i + size));
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(options.chunksInFlight ?? 2, chunks.length) }, async () => {
      while (next < chunks.length) await importChunk(chunks[next++] as string[]);
    }),
  );
}

/** One import run's state, shared by its chunks. */
interface ImportRun {
  deps: ImportDeps;
  clock: number;
  byDossier: Map<string, ImportEvent[]>;
  summary: ImportSummary;
  tally: Tally;
  progress: (n: number) => void;
}

/** One chunk of dossiers: the new ones written by batch, the existing or too large through the apply path. */
async function importChunk(run: ImportRun, chunkIds: string[]): Promise<void> {
  const { deps, byDossier, summary, tally, progress } = run;
  const existing = await deps.bulk.existing(chunkIds);
  const viaApply = chunkIds.filter((id) => existing.has(id));
  const folded = foldNewDossiers(
    run,
    chunkIds.filter((id) => !existing.has(id)),
    viaApply,
  );
  const created: NewDossier[] = [];
  for (const f of folded) if (f.record) created.push({ record: f.record, log: f.log, deltas: f.deltas });
  // Dossiers of one unit (and level and domain) share counter items: one transaction holds more.
  const unitOf = (d: NewDossier) => `${d.record.unitId}\u0000${d.record.level}\u0000${d.record.domain}`;
  created.sort((a, b) => (unitOf(a) < unitOf(b) ? -1 : unitOf(a) > unitOf(b) ? 1 : 0));
  const existed = new Set((await deps.bulk.create(created)).existed);
  summary.dossiers.created += created.length - existed.size;
  // Created meanwhile by a live consumer: this run's events are not in its log, so they go
  // through the apply path, checked against it as the consumer checks them.
  viaApply.push(...existed);
  const quarantined: { record: Omit<QuarantineRecord, "id">; arrived: string }[] = [];
  for (const f of folded) {
    if (existed.has(f.dossierId)) continue;
    tallyFolded(run, f, quarantined);
    progress(byDossier.get(f.dossierId)?.length ?? 0);
  }
  await deps.bulk.putQuarantined(quarantined);
  summary.dossiers.applyPath += viaApply.length;
  for (const id of viaApply) {
    const inputs = byDossier.get(id) as ImportEvent[];
    await applyThrough(deps, id, inputs, tally);
    progress(inputs.length);
  }
}

/** A folded dossier's outcomes in the summary, its refused events' quarantine items in `into`. */
function tallyFolded(
  run: ImportRun,
  f: FoldedDossier,
  into: { record: Omit<QuarantineRecord, "id">; arrived: string }[],
): void {
  const { clock, tally } = run;
  for (const r of f.refused) {
    into.push(refusedRecord(clock, r.input.event, r.reason, r.applied));
    tally.reject({
      where: r.input.where,
      eventId: r.input.event.eventId,
      dossierId: f.dossierId,
      reason: r.reason,
    });
  }
  tally.duplicates += f.duplicates;
  if (f.record) tally.applied += f.applied.length;
}

/**
 * Folds each new dossier of a chunk (its record, log, counter deltas and refused events); one
 * whose item DynamoDB would not take is added to `viaApply` instead.
 */
function foldNewDossiers(run: ImportRun, newIds: string[], viaApply: string[]): FoldedDossier[] {
  const { deps, clock, byDossier } = run;
  const out: FoldedDossier[] = [];
  for (const id of newIds) {
    const f = foldDossier(deps, id, byDossier.get(id) as ImportEvent[], clock);
    if (f.record && !fits(deps, f as FoldedDossier & { record: DossierRecord })) viaApply.push(id);
    else out.push(f);
  }
  return out;
}
