import * as z from "../zod";

/**
 * The wire contract of docs/events.md: one discriminated union over `type`.
 * These schemas are the single source of truth; `events/schemas/*.json` are generated from them
 * (`npm run schemas`) and a test fails when the committed files are stale.
 */

/**
 * RFC 3339 with an offset (`Z` or `±hh:mm`), e.g. `2022-06-06T08:15:00+07:00`: at most 35
 * characters and 9 fraction digits (nanoseconds, the finest any source clock gives). Without the
 * bounds a 200,000-digit fraction was valid, stored, and read again with every later event.
 */
export const MAX_INSTANT_LENGTH = 35;
/**
 * The earliest year an instant may name. No one-stop dossier is older (the mechanism dates from
 * the 2000s), and earlier years broke what reads them: JavaScript's `Date.UTC` reads years 0–99
 * as 1900–1999, and a dossier received in year 1000 and still open moved a counter in each of
 * four thousand periods since.
 */
export const EARLIEST_YEAR = 2000;
export const InstantSchema = z.iso
  .datetime({
    offset: true,
    local: false,
    error: "not an RFC 3339 instant with an offset (Z or ±hh:mm), e.g. 2022-06-06T08:15:00+07:00",
  })
  .check(
    z.maxLength(MAX_INSTANT_LENGTH),
    // Each check says only its own fault: an instant without its offset is not also told it has
    // too many fraction digits, nor a date written 24/06/2022 that its year is too early.
    z.regex(/^(?![^.]*\.\d{10})/, "at most 9 fraction digits"),
    z.regex(/^(?![01]\d{3}-)/, `a year from ${EARLIEST_YEAR} on`),
  );

export const EventIdSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(128),
    z.regex(/^[A-Za-z0-9._:-]+$/, "only letters, digits and . _ : - are allowed"),
  );

/**
 * A code that names something (a dossier, a unit): 1..`max` printable characters, one spelling
 * per code, so that look-alikes are never two dossiers (or two units):
 * - white space around it is trimmed (normalised): a copy from a spreadsheet or a fixed-width
 *   column adds it, and nobody means ` HS-1` to differ from `HS-1`;
 * - it is put in Unicode NFC (normalised): `Hà` typed on a system that writes NFD is the same
 *   text, and both spellings are valid UTF-8 that no sender can be asked to change;
 * - compatibility forms are refused, not mapped: full-width digits and letters, a no-break space
 *   inside, ligatures (anything NFKC would change). A one-stop system's codes are plain text, so
 *   such a form is a typing accident the source must fix; mapping it silently (NFKC) would also
 *   rewrite characters a source may legitimately use;
 * - control, format (zero-width), surrogate, private-use and unassigned characters are refused.
 * docs/events.md: "1–64 printable characters".
 */
const codeSchema = (max: number) =>
  z.pipe(
    z.pipe(
      z.string().check(
        z.minLength(1),
        z.maxLength(2 * max),
        z.meta({
          description: `1..${max} printable characters once white space around it is trimmed; NFC; no full-width or other compatibility forms`,
        }),
      ),
      z.transform((text: string) => text.trim().normalize("NFC")),
    ),
    z.string().check(
      z.minLength(1),
      z.maxLength(max),
      z.regex(/^[^\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]+$/u, "only printable characters are allowed"),
      z.refine(
        (text: string) => text.normalize("NFKC") === text,
        "full-width or compatibility characters (e.g. full-width digits, a no-break space): use the plain form",
      ),
    ),
  );

/** The source's dossier code, e.g. `000.30.32.H48-220606-0001` (see {@link codeSchema}). */
export const DossierIdSchema = codeSchema(64);

/** The same normalisation, for a dossier id read from a URL (`GET /dossiers/{id}`). */
export const normaliseCode = (text: string): string => text.trim().normalize("NFC");

const UnitIdSchema = codeSchema(64);
const ChannelSchema = z.enum(["direct", "online", "postal"]);
export type Channel = z.infer<typeof ChannelSchema>;

export const DossierReceivedDataSchema = z.strictObject({
  unitId: UnitIdSchema,
  procedureCode: z.string().check(z.minLength(1), z.maxLength(64)),
  channel: ChannelSchema,
  dueAt: z.optional(InstantSchema),
  // Lower bounds: one working hour as days (0.125 of an 8-hour day), a quarter hour as hours. No
  // promised service time is shorter; below them the number is a unit mistake (minutes or seconds
  // sent as days or hours), and 1e-300 was accepted. Upper bounds: ten years of working days (and
  // as many hours), far beyond any lawful period; they keep the calendar walk bounded, while a
  // period that reaches a year with no calendar data is applied with the `no_calendar` anomaly
  // (docs/rules.md R6) rather than rejected at the door.
  processingDays: z.optional(z.number().check(z.minimum(0.125), z.maximum(3650))),
  processingHours: z.optional(z.number().check(z.minimum(0.25), z.maximum(29_200))),
  domain: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  level: z.optional(z.enum(["province", "district", "commune"])),
  /**
   * Whether the dossier's components were digitised (a file attached to a component: the portal's
   * `TaiLieuNop[].DuocSoHoa`), for the national index's indicator 4.2 (Decision 766/QĐ-TTg).
   */
  digitised: z.optional(z.boolean()),
});

export const DossierTransferredDataSchema = z.strictObject({
  toUnitId: UnitIdSchema,
  interAgency: z.optional(z.boolean()),
});

/**
 * Why the clock pauses (docs/rules.md R3, R5). `supplement` (the default): the applicant must
 * supplement documents. `financial_obligation`: waiting on the applicant to pay the fees, taxes
 * and charges a land result depends on (Decree 43/2014/NĐ-CP Art. 61(4), Decree 101/2024/NĐ-CP
 * Art. 22, Decree 151/2025/NĐ-CP Appendix I; all to verify). `other_agency`: another authority
 * determines something (e.g. the tax authority the amount). Every kind pauses the clock.
 */
export const PAUSE_KINDS = ["supplement", "financial_obligation", "other_agency"] as const;
export type PauseKind = (typeof PAUSE_KINDS)[number];

export const SupplementRequestedDataSchema = z.strictObject({
  reason: z.optional(z.string().check(z.maxLength(500))),
  /** Absent: `supplement` (events sent before pause kinds existed keep their meaning). */
  pauseKind: z.optional(z.enum(PAUSE_KINDS)),
});

export const SupplementReceivedDataSchema = z.strictObject({
  dueAt: z.optional(InstantSchema),
  /**
   * A resumption the source infers from the dossier's status going back to processing (the
   * portal's progress item with status 2 or 4, docs/dvcqg.md): it ends a supplement or payment
   * pause open at its instant and is nothing otherwise (no anomaly).
   */
  ifPaused: z.optional(z.literal(true)),
  /**
   * With `ifPaused`: the source knows the wait is over but not when (the portal's snapshot back at
   * processing with a round it does not answer, docs/dvcqg.md "Supplement rounds"). It ends the
   * pause where it began, so the clock runs through it, unless a later return (dated, or inferred
   * and not undated) comes before the next pause or the close: that return ends the pause instead
   * (lib/domain/pauses.ts `supersededUndatedEnds`).
   */
  undated: z.optional(z.literal(true)),
});

export const DeadlineExtendedDataSchema = z.strictObject({
  newDueAt: InstantSchema,
  apologyIssued: z.boolean(),
});

export const DossierResolvedDataSchema = z.strictObject({
  outcome: z.enum(["approved", "denied"]),
  /** How the result is handed over: at the desk, by post, or online. */
  resultChannel: z.optional(z.enum(["direct", "postal", "online"])),
  /**
   * Whether an electronic result file was issued (the portal's `DanhSachGiayToKetQua[]` with a
   * result code and file link), for the national index's indicators 3.3, 4.1 and 4.2.
   */
  resultElectronic: z.optional(z.boolean()),
});

export const DossierReturnedDataSchema = z.strictObject({});

export const DossierWithdrawnDataSchema = z.strictObject({
  reason: z.optional(z.string().check(z.maxLength(500))),
});

export const DossierRatedDataSchema = z.strictObject({
  score: z.int().check(z.minimum(1), z.maximum(5)),
  channel: z.optional(z.enum(["kiosk", "online", "paper"])),
});

/** A complaint or petition (phản ánh, kiến nghị) about the dossier: the national index's indicator 5.4. */
export const ComplaintReceivedDataSchema = z.strictObject({
  about: z.enum(["receipt", "handling", "delay", "other"]),
});

/** The integration that sent an event (an API key's source, which the API writes into its events). */
export const SourceSchema = z.string().check(z.minLength(1), z.maxLength(64));

const envelope = {
  eventId: EventIdSchema,
  occurredAt: InstantSchema,
  dossierId: DossierIdSchema,
  source: z.optional(SourceSchema),
};

function eventOf<T extends string, D extends z.ZodMiniType>(type: T, data: D) {
  return z.strictObject({ ...envelope, type: z.literal(type), data });
}

export const DossierReceivedSchema = eventOf("dossier.received", DossierReceivedDataSchema);
export const DossierTransferredSchema = eventOf("dossier.transferred", DossierTransferredDataSchema);
export const SupplementRequestedSchema = eventOf(
  "dossier.supplement_requested",
  SupplementRequestedDataSchema,
);
export const SupplementReceivedSchema = eventOf("dossier.supplement_received", SupplementReceivedDataSchema);
export const DeadlineExtendedSchema = eventOf("dossier.deadline_extended", DeadlineExtendedDataSchema);
export const DossierResolvedSchema = eventOf("dossier.resolved", DossierResolvedDataSchema);
export const DossierReturnedSchema = eventOf("dossier.returned", DossierReturnedDataSchema);
export const DossierWithdrawnSchema = eventOf("dossier.withdrawn", DossierWithdrawnDataSchema);
export const DossierRatedSchema = eventOf("dossier.rated", DossierRatedDataSchema);
export const ComplaintReceivedSchema = eventOf("dossier.complaint_received", ComplaintReceivedDataSchema);

export const DossierEventSchema = z.discriminatedUnion("type", [
  DossierReceivedSchema,
  DossierTransferredSchema,
  SupplementRequestedSchema,
  SupplementReceivedSchema,
  DeadlineExtendedSchema,
  DossierResolvedSchema,
  DossierReturnedSchema,
  DossierWithdrawnSchema,
  DossierRatedSchema,
  ComplaintReceivedSchema,
]);

export type DossierEvent = z.infer<typeof DossierEventSchema>;
export type DossierEventType = DossierEvent["type"];
export type EventOfType<T extends DossierEventType> = Extract<DossierEvent, { type: T }>;
export type DossierReceived = EventOfType<"dossier.received">;

/** The type of an event schema (its `type` literal). */
export const typeOf = (schema: (typeof DossierEventSchema.def.options)[number]): DossierEventType =>
  schema.shape.type.def.values[0] as DossierEventType;

export const EVENT_TYPES = DossierEventSchema.def.options.map(typeOf);

/** `{"events": [...]}`, 1..100 events: the batch body of `POST /events`. */
export const EventBatchSchema = z.strictObject({
  events: z.array(z.unknown()).check(z.minLength(1), z.maxLength(100)),
});

/** How far ahead of the receiver's clock `occurredAt` may be (docs/events.md). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
