/**
 * The stage kinds of the alert timeline (alerts.ts), and the marks a dossier's record keeps of the
 * stages raised for it: which threshold of each was raised, and for which unit (docs/rules.md R4).
 */

/**
 * The stages that are about the dossier's running clock, not about what a unit did: a unit the
 * dossier is transferred to is told of them once more, since the unit that was told no longer
 * handles it (its desk and leadership only when they are other people).
 */
const CLOCK_STAGE_KINDS = [
  "near_due",
  "apology_due",
  "apology_missed",
  "overdue",
  "escalation",
  "past_appointment",
  "possibly_closed",
] as const;
/**
 * Breaches already committed (a late apology, a second request or appointment, a late pause): they
 * stay the unit's that committed them and are not raised again after a transfer.
 */
const BREACH_KINDS = [
  "late_apology",
  "supplement_twice",
  "extended_twice",
  "late_supplement_request",
] as const;

export const STAGE_KINDS = [...CLOCK_STAGE_KINDS, ...BREACH_KINDS] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

const CLOCK_KINDS: ReadonlySet<StageKind> = new Set(CLOCK_STAGE_KINDS);

/**
 * The name a stage's mark is kept under in the dossier's record (the threshold key last raised):
 * a breach's kind alone, a clock stage's kind at the unit it was raised for (`overdue@unit`), so a
 * dossier transferred on raises the stage once for its new unit, and never twice for one unit
 * (a transfer back, or one to the unit it is with).
 */
export function markKey(kind: StageKind, unitId: string | undefined): string {
  return CLOCK_KINDS.has(kind) ? `${kind}@${unitId ?? ""}` : kind;
}

/** The units a clock stage's threshold `key` was raised for (its marks `kind@unit`). */
export function unitsTold(marks: Readonly<Record<string, number>>, kind: StageKind, key: number): string[] {
  const prefix = `${kind}@`;
  return Object.entries(marks)
    .filter(([name, k]) => k === key && name.startsWith(prefix))
    .map(([name]) => name.slice(prefix.length));
}

/**
 * Whether a stage was raised already for the unit now responsible. A mark kept before marks named
 * their unit (the kind alone) stands for whichever unit the dossier is with: the unit it was raised
 * for is not known, and raising it again could tell that unit twice.
 */
export function alreadyRaised(
  marks: Readonly<Record<string, number>>,
  stage: { kind: StageKind; key: number },
  unitId: string | undefined,
): boolean {
  if (!CLOCK_KINDS.has(stage.kind)) return marks[stage.kind] === stage.key;
  if (marks[markKey(stage.kind, unitId)] === stage.key) return true;
  return marks[stage.kind] === stage.key && unitsTold(marks, stage.kind, stage.key).length === 0;
}
