import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { CommitArgs, Store } from "../../app/ports";
import type { Agency } from "../../domain/agencies";
import type { DossierEvent } from "../../domain/events/schema";
import type { Period } from "../../domain/periods";
import type { DossierRecord, PendingAlert, QuarantineRecord } from "../../domain/records";
import type { SlaState } from "../../domain/sla";
import type { Contact, IntegrationGrant, Unit } from "../../domain/units";
import { AlertQueue } from "./alerts";
import { ApiKeys } from "./api-keys";
import { Counters } from "./counters";
import { Dossiers } from "./dossiers";
import { Quarantine } from "./quarantine";
import { Rates } from "./rates";
import { Reports } from "./reports";
import { Suppression } from "./suppression";
import { Directory } from "./units";

/**
 * The DynamoDB store: one facade over one file per access pattern, on one table (./table.ts).
 * Those files are the only code that knows keys and builds expressions (./keys.ts); clients are
 * injected (docs/style.md 5). The facade's methods delegate, so callers keep one object to pass; the
 * use cases know it only as the `Store` port (lib/app/ports.ts).
 */

export class DossierStore implements Store {
  readonly dossiers: Dossiers;
  readonly counters: Counters;
  readonly quarantineLog: Quarantine;
  readonly alerts: AlertQueue;
  readonly reports: Reports;
  readonly directory: Directory;
  readonly keys: ApiKeys;
  readonly rates: Rates;
  readonly suppression: Suppression;

  constructor(
    readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {
    this.dossiers = new Dossiers(client, tableName);
    this.counters = new Counters(client, tableName);
    this.quarantineLog = new Quarantine(client, tableName, this.dossiers);
    this.alerts = new AlertQueue(client, tableName);
    this.reports = new Reports(client, tableName);
    this.directory = new Directory(client, tableName);
    this.keys = new ApiKeys(client, tableName);
    this.rates = new Rates(client, tableName);
    this.suppression = new Suppression(client, tableName);
  }

  // Dossiers and their event log (./dossiers.ts).
  getDossier(dossierId: string): Promise<DossierRecord | undefined> {
    return this.dossiers.get(dossierId);
  }
  getDossierWithLog(dossierId: string, options: { stopAtLogSize?: number } = {}) {
    return this.dossiers.getWithLog(dossierId, options);
  }
  commit(args: CommitArgs) {
    return this.dossiers.commit(args);
  }
  storedEvents(
    events: readonly { dossierId: string; eventId: string; source?: string }[],
  ): Promise<Map<string, DossierEvent>> {
    return this.dossiers.storedEvents(events);
  }
  getEvent(e: { dossierId: string; eventId: string; source?: string }): Promise<DossierEvent | undefined> {
    return this.dossiers.getEvent(e);
  }
  postponeCheck(dossierId: string, from: number, until: number): Promise<boolean> {
    return this.dossiers.postponeCheck(dossierId, from, until);
  }
  dueForCheck(until: number, limit?: number): Promise<{ dossierId: string; nextCheckAt: number }[]> {
    return this.dossiers.dueForCheck(until, limit);
  }
  listBySla(
    unitId: string | null,
    sla: SlaState | "orphan",
    options: { limit?: number; cursor?: string } = {},
  ) {
    return this.dossiers.listBySla(unitId, sla, options);
  }

  // Counters (./counters.ts).
  readPeriodCounts(period: Pick<Period, "name">, options: { consistent?: boolean } = {}) {
    return this.counters.read(period, options);
  }
  readNodeCounts(
    period: Pick<Period, "name">,
    path: readonly string[],
    options: { consistent?: boolean } = {},
  ) {
    return this.counters.readNode(period, path, options);
  }

  // Quarantine (./quarantine.ts).
  quarantine(record: Omit<QuarantineRecord, "id">, arrived: string, retentionDays?: number) {
    return this.quarantineLog.put(record, arrived, retentionDays);
  }
  listQuarantine(): Promise<QuarantineRecord[]> {
    return this.quarantineLog.list();
  }
  listQuarantinePage(options: { limit?: number; cursor?: string } = {}) {
    return this.quarantineLog.listPage(options);
  }
  appliedSince(
    records: readonly Pick<QuarantineRecord, "id" | "eventId" | "dossierId" | "source" | "applied">[],
  ): Promise<Set<string>> {
    return this.quarantineLog.appliedSince(records);
  }
  quarantineWaiting(): Promise<number> {
    return this.quarantineLog.waiting();
  }

  // The alert queue, its leases and the digest log (./alerts.ts).
  listPendingAlerts(): Promise<PendingAlert[]> {
    return this.alerts.pending();
  }
  acquireLease(group: string, owner: string, now: number, until: number): Promise<boolean> {
    return this.alerts.acquireLease(group, owner, now, until);
  }
  releaseLease(group: string, owner: string): Promise<void> {
    return this.alerts.releaseLease(group, owner);
  }
  markDigestSent(args: Parameters<AlertQueue["markDigestSent"]>[0]): Promise<void> {
    return this.alerts.markDigestSent(args);
  }

  // Issued reports and snapshots (./reports.ts).
  putIssuedReport(periodName: string, report: unknown, issuedAt: number): Promise<boolean> {
    return this.reports.putIssued(periodName, report, issuedAt);
  }
  getIssuedReport<T>(periodName: string): Promise<{ issuedAt: number; report: T } | undefined> {
    return this.reports.getIssued<T>(periodName);
  }
  putSnapshot(periodName: string, offsetMs: number, report: unknown): Promise<void> {
    return this.reports.putSnapshot(periodName, offsetMs, report);
  }
  getSnapshotAt<T>(
    periodName: string,
    offsetMs: number,
  ): Promise<{ offsetMs: number; report: T } | undefined> {
    return this.reports.snapshotAt<T>(periodName, offsetMs);
  }

  // The suppression list (./suppression.ts) and the unit directory (./units.ts).
  suppress(email: string, reason: string, at: number): Promise<void> {
    return this.suppression.suppress(email, reason, at);
  }
  suppressedAddresses(): Promise<Set<string>> {
    return this.suppression.addresses();
  }
  putUnitDirectory(
    units: readonly Unit[],
    leadership: readonly Contact[],
    integrations: readonly IntegrationGrant[] = [],
    agencies: readonly Agency[] = [],
  ): Promise<void> {
    return this.directory.put(units, leadership, integrations, agencies);
  }
  getUnitDirectory() {
    return this.directory.get();
  }
}
