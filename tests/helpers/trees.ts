import fc from "fast-check";
import { type Agency, buildAgencyTree } from "../../lib/domain/agencies";
import { AgencyUnitDirectory } from "../../lib/domain/agency-directory";
import { type AgencyDirectoryFile, parseAgencyDirectory } from "../../lib/domain/agency-file";
import type { DossierEvent } from "../../lib/domain/events/schema";

/**
 * Agency trees for tests: random provinces whose districts' communes merge on
 * 2025-07-01 into new communes, and one fixed province with a commune merged that day.
 */

export const MERGER = "2025-07-01";
export const ENDED = "2025-06-30";

export const contact = (who: string) => ({ name: who, email: `${who}@example.org` });
export const unit = (
  id: string,
  parentId: string | undefined,
  validity: { validFrom?: string; validTo?: string },
) => ({
  id,
  nameVi: `Đơn vị ${id}`,
  nameEn: `Unit ${id}`,
  level: "commune" as const,
  ...(parentId ? { parentId } : {}),
  ...validity,
  head: contact(`head-${id}`),
  deputies: [],
  escalation: [],
  locale: "vi" as const,
});
export const agency = (id: string, parentId: string | undefined, extra: Partial<Agency> = {}): Agency => ({
  id,
  nameVi: `Cơ quan ${id}`,
  nameEn: `Agency ${id}`,
  level: parentId ? "commune" : "province",
  ...(parentId ? { parentId } : {}),
  ...extra,
});

/** A directory file checked as the import checks it. */
export function directoryOf(file: unknown): AgencyDirectoryFile {
  const parsed = parseAgencyDirectory(file);
  if (!parsed.ok) throw new Error(`a test tree does not load: ${JSON.stringify(parsed.error)}`);
  return parsed.value;
}

/** The directory as the store gives it back, with its tree (what the consumer and the APIs hold). */
export const storedDirectory = (file: AgencyDirectoryFile) =>
  new AgencyUnitDirectory(file.units, file.leadership, file.integrations ?? [], file.agencies ?? []);

/** Random provinces: departments, districts whose communes merge on 2025-07-01 into new communes, units under each. */
export const treeArb = fc
  .record({
    departments: fc.integer({ min: 0, max: 2 }),
    districts: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }),
    newCommunes: fc.integer({ min: 1, max: 3 }),
    picks: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
    unitsPer: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 20, maxLength: 20 }),
    rootUnits: fc.integer({ min: 0, max: 1 }),
  })
  .map((r) => {
    const agencies: Agency[] = [agency("p", undefined)];
    for (let i = 0; i < r.departments; i++)
      agencies.push(agency(`so${i}`, "p", { level: "provincial-department" }));
    for (let j = 0; j < r.newCommunes; j++) agencies.push(agency(`moi${j}`, "p", { validFrom: MERGER }));
    let n = 0;
    r.districts.forEach((communes, i) => {
      agencies.push(agency(`h${i}`, "p", { level: "district", validTo: ENDED }));
      for (let k = 0; k < communes; k++) {
        const successor = `moi${(r.picks[n++ % r.picks.length] ?? 0) % r.newCommunes}`;
        agencies.push(agency(`h${i}x${k}`, `h${i}`, { validTo: ENDED, successorIds: [successor] }));
      }
    });
    const units = [];
    agencies.forEach((a, i) => {
      for (let u = 0; u < (r.unitsPer[i % r.unitsPer.length] ?? 0); u++)
        units.push(
          unit(`${a.id}.u${u}`, a.id === "p" ? undefined : a.id, {
            validFrom: a.validFrom,
            validTo: a.validTo,
          }),
        );
    });
    for (let u = 0; u < r.rootUnits || units.length === 0; u++) units.push(unit(`p.root${u}`, undefined, {}));
    const file = directoryOf({ leadership: [contact("lanh-dao")], agencies, units });
    return { file, tree: buildAgencyTree(file), unitIds: units.map((u) => u.id) };
  });

/**
 * A province with a department, and a district whose communes xa-a and xa-b merge on 2025-07-01
 * into xa-moi, each with one unit.
 */
export const mergedCommuneFile = () =>
  directoryOf({
    leadership: [contact("chu-tich-tinh")],
    agencies: [
      agency("p", undefined),
      agency("so-tp", "p", { level: "provincial-department" }),
      agency("huyen", "p", { level: "district", validTo: ENDED }),
      agency("xa-a", "huyen", { validTo: ENDED, successorIds: ["xa-moi"] }),
      agency("xa-b", "huyen", { validTo: ENDED, successorIds: ["xa-moi"] }),
      agency("xa-moi", "p", { validFrom: MERGER }),
    ],
    units: [
      unit("so-tp.u", "so-tp", {}),
      unit("xa-a.u", "xa-a", { validTo: ENDED }),
      unit("xa-b.u", "xa-b", { validTo: ENDED }),
      unit("xa-moi.u", "xa-moi", { validFrom: MERGER }),
    ],
  });

/**
 * Events of a province's dossiers, each with its own id: received at 09:00 on a day (`2025-07-07`)
 * at a unit (one procedure, 60 days to process, at `level`), resolved at 10:00.
 */
export function treeEvents(level: "commune" | "province") {
  let n = 0;
  const received = (dossierId: string, unitId: string, day: string): DossierEvent => ({
    eventId: `e${n++}`,
    type: "dossier.received",
    occurredAt: `${day}T09:00:00+07:00`,
    dossierId,
    data: {
      unitId,
      procedureCode: "1.000001",
      channel: "direct",
      domain: "ho-tich",
      level,
      processingDays: 60,
    },
  });
  const resolved = (dossierId: string, day: string): DossierEvent => ({
    eventId: `e${n++}`,
    type: "dossier.resolved",
    occurredAt: `${day}T10:00:00+07:00`,
    dossierId,
    data: { outcome: "approved" },
  });
  return { received, resolved };
}
