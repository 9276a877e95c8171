import type { AfterHoursReceipt, WorkingCalendar } from "./calendar/calendar";
import type { Channel, DossierEvent, PauseKind } from "./events/schema";

/**
 * What the projection (./projection.ts) makes of a dossier: its state at an instant, its pauses
 * and the anomalies found in its events, and the settings it is projected under.
 */

/** A procedure's lawful processing period, when a `received` event gives neither dueAt nor a period. */
export interface ProcedurePeriod {
  days?: number;
  hours?: number;
  /** Due at the close of the receipt's working day (catalog.ts: a deadline kind). */
  sameDay?: boolean;
  /** The procedure's receipt cut-off, `HH:MM` local (docs/rules.md R1; catalog.ts). */
  cutoff?: string;
}
export type ProcedureCatalog = ReadonlyMap<string, ProcedurePeriod>;

export interface ProjectionSettings {
  calendar: WorkingCalendar;
  catalog?: ProcedureCatalog;
  /**
   * How a receipt outside office hours counts (docs/rules.md R1). Unset: the dossier's rule set
   * decides (`next-session` in every set so far).
   */
  afterHoursReceipt?: AfterHoursReceipt;
  /**
   * The monitor's stricter reading (docs/calendar.md "Pauses"): a second supplement request makes
   * the dossier count as late, finished or not. Off by default.
   */
  strictSupplementRule?: boolean;
  /**
   * Whether a source other than the dossier's owner may change it (the directory's grants). Without
   * it only the owner's events count: the in-process fold has no directory.
   */
  admits?: (source: string | undefined, dossierId: string, unitId: string | undefined) => boolean;
}

export type AnomalyKind =
  | "orphan"
  | "before_received"
  | "duplicate_received"
  | "after_close"
  | "second_extension"
  /**
   * A second or later supplement request on one dossier: the office gives its guidance once, in full
   * (docs/rules.md R3). Counted whatever the strict setting, which decides only whether it is late.
   */
  | "second_supplement_request"
  /**
   * The apology letter came on the due day or later (the decree's words, lib/domain/rules.ts
   * `apologyBreachFrom`; docs/rules.md R4), judged as the `late_apology` alert judges it: the first
   * new appointment given with an apology, against the KPI due instant the dossier had then.
   */
  | "late_apology"
  | "already_paused"
  | "resume_without_pause"
  | "no_due_instant"
  /** An event of a source that neither owns the dossier nor is granted it: kept, never applied. */
  | "other_source"
  /** A second, different body under an event identity already seen (the first is kept). */
  | "conflict"
  /**
   * A due instant or a pause reached a year the calendar has no data for (docs/rules.md R6): the
   * dossier is kept and counted, its SLA is unknown until the year's data is deployed.
   */
  | "no_calendar"
  /**
   * A pause (any kind: supplement, financial obligation, other agency) that began after the KPI due
   * instant: the dossier was already overdue, and the pause does not make it less so (./paused-time.ts).
   */
  | "late_supplement_request"
  /**
   * The `received` names a level its rule set no longer has: a `district` dossier received from
   * 2025-07-01, when local government has two levels (rules.ts, `judgeLevel`). Kept and counted.
   */
  | "abolished_level";

export interface Anomaly {
  kind: AnomalyKind;
  eventId?: string;
  type?: DossierEvent["type"];
  at?: number;
  /** For `no_calendar`: the year without data. */
  year?: number;
}

export interface Pause {
  from: number;
  to?: number;
  /** Why the clock stopped (docs/rules.md R3, R5); `supplement` when the event does not say. */
  kind: PauseKind;
  /**
   * The pause began after the KPI due instant: it stops no clock, since the time allowed had
   * already run out. The dossier stays overdue while it lasts and its KPI due instant does not
   * move when it ends (see `late_supplement_request` in ./pauses.ts `startPause`).
   */
  late?: true;
  /**
   * The id of the resumption inferred from the status (`ifPaused`) that ended it, while no dated
   * answer has come since (the first that comes is this pause's, ./pauses.ts `resume`).
   */
  inferredEnd?: string;
}

/** Working time (ms) of the pauses that ended, by kind (docs/rules.md R5: a report counts them apart). */
export type PausedByKind = Record<PauseKind, number>;

export interface DossierState {
  dossierId: string;
  /** The source of the `received` in effect: the dossier's owner. */
  owner?: string;
  /** Whether a `dossier.received` is known; until then the dossier is an orphan and not counted. */
  received: boolean;
  receivedAt?: number;
  channel?: Channel;
  procedureCode?: string;
  domain?: string;
  level?: "province" | "district" | "commune";
  /** The unit responsible at the projection instant (after transfers). */
  unitId?: string;
  /** The unit that received it. */
  originUnitId?: string;
  transfers: number;
  /** The due instant of `received` (or computed from its period), before pauses. */
  baseDueAt?: number;
  /** The KPI due instant: `baseDueAt` moved only by pauses that ended by the projection instant. */
  kpiDueAt?: number;
  /** What alerts track: the KPI due instant, or the new appointment of an extension, moved by pauses. */
  appointmentAt?: number;
  pauses: Pause[];
  paused: boolean;
  /**
   * A dated answer that found no wait open (`resume_without_pause`), while the fold is at its
   * instant: a request of that instant whose id sorts before the answer's is the round it answers,
   * asked and answered at once (./pauses.ts `startPause`).
   */
  answerWithoutPause?: {
    at: number;
    eventId: string;
    source?: string;
    type: DossierEvent["type"];
    newDueAt?: number;
  };
  /**
   * Whether the KPI clock is stopped: paused by a pause that began by the KPI due instant. A pause
   * begun after it leaves the clock running (the dossier stays overdue), so this is what the
   * counts, the SLA state and the alerts read, never `paused` alone.
   */
  clockStopped: boolean;
  /** Working time of ended pauses, by kind (unknown for a pause in a year without calendar data). */
  pausedByKind: PausedByKind;
  /** Supplement requests: pauses of kind `supplement` (not financial obligations nor other agencies). */
  supplementRequests: number;
  /**
   * The apology letter came when no due instant was known (none yet, or a year without calendar
   * data): not judged at its instant, so the alert judges it against the due instant known later.
   */
  apologyUnjudged?: true;
  /** The new appointments given, each with its event (absent in states stored before it was kept). */
  extensions: { at: number; newDueAt: number; apologyIssued: boolean; eventId?: string }[];
  resolvedAt?: number;
  outcome?: "approved" | "denied";
  returnedAt?: number;
  withdrawnAt?: number;
  /** `resolvedAt` or `withdrawnAt`. */
  closedAt?: number;
  ratings: { at: number; score: number; eventId: string }[];
  /** Complaints about the dossier (they may come after it closed). */
  complaints?: { at: number; about: string }[];
  /** From `received.data.digitised` and `resolved.data.resultElectronic`, when given. */
  digitised?: boolean;
  resultElectronic?: boolean;
  firstEventAt?: number;
  lastEventAt?: number;
  /** Under the strict supplement rule, the dossier counts as late. */
  strictLate: boolean;
  anomalies: Anomaly[];
  /** Event ids in timeline order (duplicates removed). */
  timeline: { eventId: string; type: DossierEvent["type"]; at: number; anomaly?: AnomalyKind }[];
}
