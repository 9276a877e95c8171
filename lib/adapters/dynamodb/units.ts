import { randomUUID } from "node:crypto";
import type { DirectoryBusy, DirectoryPutOptions, DirectoryReader, DirectoryWriter } from "../../app/ports";
import type { Agency, FormerPath, FormerPaths } from "../../domain/agencies";
import { AgencyUnitDirectory } from "../../domain/agency-directory";
import { inheritedUnits } from "../../domain/agency-file";
import { formerPathsAfter } from "../../domain/former-paths";
import { err, ok, type Result } from "../../domain/result";
import { type LocalDate, localDate } from "../../domain/time";
import type { Contact, IntegrationGrant, Unit } from "../../domain/units";
import { TableAccess } from "./cursors";
import {
  AGENCY_SK_PREFIX,
  DIRECTORY_IMPORT_LEASE,
  INTEGRATIONS_SK,
  type Item,
  LEADERSHIP_SK,
  UNIT_PK,
} from "./keys";

/**
 * Who the office is: the unit directory, with leadership contacts and integration grants, one item
 * per unit under one partition, and the agency tree's agencies, one item each beside them.
 */

/** Agencies ordered so that each comes after its parent (those it names in the list). */
function parentsFirst(agencies: readonly Agency[]): Agency[] {
  const byId = new Map(agencies.map((a) => [a.id, a]));
  const depth = (a: Agency, seen = 0): number => {
    const parent = a.parentId === undefined ? undefined : byId.get(a.parentId);
    return parent && seen < agencies.length ? 1 + depth(parent, seen + 1) : 0;
  };
  return [...agencies].sort((a, b) => depth(a) - depth(b));
}

/** Items of the directory's partition by id, the later list's winning (an import overwrites, never deletes). */
const byId = <T extends { id: string }>(stored: readonly T[], imported: readonly T[]) => [
  ...new Map([...stored, ...imported].map((x) => [x.id, x])).values(),
];

/**
 * How long an import's lease lasts from its last renewal, so an import that stopped holds it no
 * longer than this. It is renewed before every {@link LEASE_SLICE} items an import writes: 20 batch
 * writes, each at most 4.5 s of pauses for what DynamoDB leaves unprocessed (./backoff.ts), well
 * inside it (a province's directory is about 2,500 items).
 */
const IMPORT_LEASE_MS = 10 * 60_000;
const LEASE_SLICE = 500;

const busy = (message: string): DirectoryBusy => ({ kind: "directory_busy", message });

export class Directory extends TableAccess implements DirectoryReader, DirectoryWriter {
  /**
   * Stores the unit directory (one item per unit and per agency, the leadership contacts and the
   * grants), each unit's item with where the trees stored before kept its counters that this one
   * places elsewhere (`former`, former-paths.ts), so that an agency's figures still find them.
   * `importedOn` (default today) bounds the former paths. One import at a time: while another
   * holds the lease, `directory_busy`, having written nothing.
   */
  async put(
    units: readonly Unit[],
    leadership: readonly Contact[],
    integrations: readonly IntegrationGrant[] = [],
    agencies: readonly Agency[] = [],
    options: DirectoryPutOptions = {},
  ): Promise<Result<void, DirectoryBusy>> {
    const owner = randomUUID();
    const now = Date.now();
    const taken = options.takeOver
      ? await this.renewLease(DIRECTORY_IMPORT_LEASE, owner, now + IMPORT_LEASE_MS, true)
      : await this.takeLease(DIRECTORY_IMPORT_LEASE, owner, now, now + IMPORT_LEASE_MS);
    if (!taken)
      return err(
        busy(
          "another import is writing the unit directory: run this one again once it has finished (an import that stopped holds it for up to 10 minutes)",
        ),
      );
    // Renewed before each slice it writes; lost (it ran out, and another took it), the import stops.
    const renew = () => this.renewLease(DIRECTORY_IMPORT_LEASE, owner, Date.now() + IMPORT_LEASE_MS);
    try {
      return await this.write(
        units,
        leadership,
        integrations,
        agencies,
        options.importedOn ?? localDate(now),
        renew,
      );
    } finally {
      // What the import did is what the caller needs to hear, not a failure giving the lease back:
      // a lease not given back runs out by itself.
      await this.giveLeaseBack(DIRECTORY_IMPORT_LEASE, owner).catch(() => undefined);
    }
  }

  private async write(
    units: readonly Unit[],
    leadership: readonly Contact[],
    integrations: readonly IntegrationGrant[],
    agencies: readonly Agency[],
    importedOn: LocalDate,
    renew: () => Promise<boolean>,
  ): Promise<Result<void, DirectoryBusy>> {
    const before = await this.stored();
    // What a read will find once this is written: the items stored before that it does not overwrite.
    const after = { units: byId(before.units, units), leadership, agencies: byId(before.agencies, agencies) };
    const former = formerPathsAfter(
      before.agencies.length ? before : undefined,
      after,
      before.formerPaths,
      importedOn,
    );
    const withFormer = (u: Unit) => ({
      pk: UNIT_PK,
      sk: u.id,
      body: JSON.stringify(u),
      ...(former[u.id] && { former: JSON.stringify(former[u.id]) }),
    });
    const changed = (u: Unit) =>
      JSON.stringify(former[u.id] ?? null) !== JSON.stringify(before.formerPaths[u.id] ?? null);
    const put = (items: Item[]) => this.writeBatches(items.map((Item) => ({ PutRequest: { Item } })));
    // In three steps, so that an import cut short and run again still knows what it moved: the
    // units stored before whose records changed get them first, as they stand (a reader meanwhile
    // still finds them where they were counted; those the file leaves out are done with); then the
    // agencies, each after its parent; then the units as the file has them.
    const steps: Item[][] = [
      before.units.filter(changed).map(withFormer),
      [
        ...parentsFirst(agencies).map((a) => ({
          pk: UNIT_PK,
          sk: `${AGENCY_SK_PREFIX}${a.id}`,
          body: JSON.stringify(a),
        })),
        { pk: UNIT_PK, sk: LEADERSHIP_SK, body: JSON.stringify(leadership) },
        { pk: UNIT_PK, sk: INTEGRATIONS_SK, body: JSON.stringify(integrations) },
      ],
      units.map(withFormer),
    ];
    // The lease renewed before each step's every slice: no slice can outlast it.
    for (const step of steps)
      for (let i = 0; i === 0 || i < step.length; i += LEASE_SLICE) {
        if (!(await renew()))
          return err(
            busy(
              "the import's lease ran out and another import took it: this one stopped part way; run it again once that one has finished",
            ),
          );
        await put(step.slice(i, i + LEASE_SLICE));
      }
    return ok(undefined);
  }

  /**
   * The directory on `at` (default today): with agencies, each unit inherits from them as the tree
   * stands that day (`inheritedUnits`). Units stored as the file names them are inherited afresh at
   * each read. Units stored already inherited (by an import before this was so) keep what the
   * import wrote into them, since a unit's own value comes before an agency's, and inherit on the
   * day only what they lacked; importing the file again makes them inherit in full.
   */
  async get(at: LocalDate = localDate(Date.now())): Promise<AgencyUnitDirectory> {
    const stored = await this.stored();
    const on = inheritedUnits(stored, at);
    return new AgencyUnitDirectory(
      on.units,
      on.leadership,
      stored.integrations,
      stored.agencies,
      stored.formerPaths,
    );
  }

  /** The directory's items as stored. */
  private async stored() {
    const items = await this.queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": UNIT_PK },
    });
    const body = (sk: string) => {
      const item = items.find((i) => i.sk === sk);
      return item ? (JSON.parse(item.body as string) as unknown) : undefined;
    };
    const isAgency = (i: Record<string, unknown>) => (i.sk as string).startsWith(AGENCY_SK_PREFIX);
    const unitItems = items.filter((i) => i.sk !== LEADERSHIP_SK && i.sk !== INTEGRATIONS_SK && !isAgency(i));
    const formerPaths: Record<string, FormerPath[]> = {};
    for (const i of unitItems)
      if (typeof i.former === "string") formerPaths[i.sk as string] = JSON.parse(i.former) as FormerPath[];
    return {
      units: unitItems.map((i) => JSON.parse(i.body as string) as Unit),
      leadership: (body(LEADERSHIP_SK) ?? []) as Contact[],
      integrations: (body(INTEGRATIONS_SK) ?? []) as IntegrationGrant[],
      agencies: items.filter(isAgency).map((i) => JSON.parse(i.body as string) as Agency),
      formerPaths: formerPaths as FormerPaths,
    };
  }
}
