import * as z from "zod";

/**
 * The wire contract of ../shared/spec/events.md: one discriminated union over `type`.
 * These schemas are the single source of truth; `events/schemas/*.json` are generated from them
 * (`npm run schemas`) and a test fails when the committed files are stale.
 */

/** RFC 3339 with an offset (`Z` or `±hh:mm`), e.g. `2022-06-06T08:15:00+07:00`. */
export const InstantSchema = z.iso.datetime({ offset: true, local: false });

export const EventIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, "only letters, digits and . _ : - are allowed");

/** The source's dossier code: 1..64 printable characters (no control characters). */
export const DossierIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]+$/u, "only printable characters are allowed");

const UnitIdSchema = z.string().min(1).max(64);
const ChannelSchema = z.enum(["direct", "online", "postal"]);
export type Channel = z.infer<typeof ChannelSchema>;

export const DossierReceivedDataSchema = z.strictObject({
  unitId: UnitIdSchema,
  procedureCode: z.string().min(1).max(64),
  channel: ChannelSchema,
  dueAt: InstantSchema.optional(),
  processingDays: z.number().positive().max(3650).optional(),
  processingHours: z.number().positive().max(87600).optional(),
  domain: z.string().min(1).max(64).optional(),
  level: z.enum(["province", "district", "commune"]).optional(),
});

export const DossierTransferredDataSchema = z.strictObject({
  toUnitId: UnitIdSchema,
  interAgency: z.boolean().optional(),
});

export const SupplementRequestedDataSchema = z.strictObject({
  reason: z.string().max(500).optional(),
});

export const SupplementReceivedDataSchema = z.strictObject({
  dueAt: InstantSchema.optional(),
});

export const DeadlineExtendedDataSchema = z.strictObject({
  newDueAt: InstantSchema,
  apologyIssued: z.boolean(),
});

export const DossierResolvedDataSchema = z.strictObject({
  outcome: z.enum(["approved", "denied"]),
});

export const DossierReturnedDataSchema = z.strictObject({});

export const DossierWithdrawnDataSchema = z.strictObject({
  reason: z.string().max(500).optional(),
});

export const DossierRatedDataSchema = z.strictObject({
  score: z.int().min(1).max(5),
  channel: z.enum(["kiosk", "online", "paper"]).optional(),
});

const envelope = {
  eventId: EventIdSchema,
  occurredAt: InstantSchema,
  dossierId: DossierIdSchema,
  source: z.string().min(1).max(64).optional(),
};

function eventOf<T extends string, D extends z.ZodType>(type: T, data: D) {
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
]);

export type DossierEvent = z.infer<typeof DossierEventSchema>;
export type DossierEventType = DossierEvent["type"];
export type EventOfType<T extends DossierEventType> = Extract<DossierEvent, { type: T }>;
export type DossierReceived = EventOfType<"dossier.received">;

export const EVENT_TYPES = DossierEventSchema.options.map((o) => o.shape.type.value) as DossierEventType[];

/** `{"events": [...]}`, 1..100 events: the batch body of `POST /events`. */
export const EventBatchSchema = z.strictObject({
  events: z.array(z.unknown()).min(1).max(100),
});

/** How far ahead of the receiver's clock `occurredAt` may be (events.md). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
