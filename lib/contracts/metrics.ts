/**
 * Metric names, defined once: the functions emit them and the CDK stack's alarms and dashboard
 * read them. All in the `DossierMonitor` namespace.
 */
export const METRIC_NAMESPACE = "DossierMonitor";

export const METRICS = {
  eventsApplied: "EventsApplied",
  eventsDuplicate: "EventsDuplicate",
  eventsQuarantined: "EventsQuarantined",
  /** An event whose message failed (storage refusing, throttling): logged with its ids, and SQS delivers it again. */
  eventsFailed: "EventsFailed",
  dossiersChecked: "DossiersChecked",
  alertsRaised: "AlertsRaised",
  calendarDaysLeft: "CalendarDaysLeft",
  /** A dossier the sweep could not check (logged with its id; the sweep goes on with the others). */
  sweepDossierFailed: "SweepDossierFailed",
  /** Digests send-alerts sent, and those that failed (they stay pending for the next sweep). */
  digestsSent: "DigestsSent",
  digestsFailed: "DigestsFailed",
  /** Units whose every address is suppressed, whose digest went to their escalation list or leadership. */
  digestsInPlaceOfUnit: "DigestsInPlaceOfUnit",
} as const;

/** A metric of the project's namespace. */
export type MetricName = (typeof METRICS)[keyof typeof METRICS];
