import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { localSesClient, readSesStore } from "../../dev/local/ses-local";
import { sesMailer } from "../../lib/adapters/ses";
import { type ApplyDeps, applyEvent } from "../../lib/app/apply";
import { type DigestDeps, sendDigests } from "../../lib/app/digests";
import { runSweep, type SweepDeps } from "../../lib/app/sweep";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { CountingSettings } from "../../lib/domain/counting";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory, type Unit, UnitDirectory } from "../../lib/domain/units";
import { parseDigestText } from "../../lib/render/email/digest";
import { testTable } from "../helpers/dynamo";
import { ROOT } from "../helpers/fixtures";

/**
 * The one-stop desk (Bộ phận Một cửa) hears of the apology stages (docs/rules.md R4) and of a second
 * supplement request (R3) in a digest of its own: one per desk whatever the units it serves, once
 * under overlapping sweeps and senders, with the units' names, escaped, and a Subject built only
 * from trusted names. A unit whose entry names no desk gets no desk copy.
 */

const file = parseUnitDirectory(JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")));
const DESK = "mot-cua@ubnd.example.org";
const DESK_EN = "desk-en@ubnd.example.org";
// The seed's directory, with a name to escape, an English-reading desk clerk, and one unit without a desk.
const units: Unit[] = file.units.map((u) =>
  u.id === "phong-tu-phap"
    ? {
        ...u,
        nameVi: "Phòng Tư pháp <b>&</b>",
        oneStopDesk: [
          ...(u.oneStopDesk ?? []),
          { name: "Desk clerk", email: DESK_EN, locale: "en" as const },
        ],
      }
    : u.id === "phong-vhtt"
      ? { ...u, oneStopDesk: undefined }
      : u,
);
// phong-tu-phap's desk lists two contacts; the others' one: give them all the same two, so one desk.
const shared = units.find((u) => u.id === "phong-tu-phap")?.oneStopDesk;
for (const u of units) if (u.oneStopDesk && u.id !== "phong-tu-phap") u.oneStopDesk = shared;
const directory = new UnitDirectory(units, file.leadership);
const settings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  scheme: { kind: "calendar-quarter" },
};

// Received Mon 2022-07-04 08:00, due Thu 07-07 17:00: apology deadline Wed 17:00, reminder Wed 13:00.
const received = (dossierId: string, unitId: string): DossierEvent => ({
  eventId: `r-${dossierId}`,
  type: "dossier.received",
  occurredAt: "2022-07-04T08:00:00+07:00",
  dossierId,
  data: { unitId, procedureCode: "1.001193", channel: "direct", dueAt: "2022-07-07T17:00:00+07:00" },
});

describe("the one-stop desk's digest (docs/rules.md R4)", () => {
  it("gets the apology stages of every unit it serves, once, by name, escaped; a unit without a desk gets none", async () => {
    const table = await testTable("desk");
    await table.store.directory.put(units, file.leadership);
    let clock = instant("2022-07-04T09:00:00+07:00");
    const deps: ApplyDeps & SweepDeps = { ...table.store, settings, units: directory, now: () => clock };
    const evil = "D-<script>x</script>";
    for (const e of [
      received(evil, "phong-tu-phap"),
      received("D-2", "phong-tnmt"),
      received("D-3", "phong-vhtt"),
    ])
      await applyEvent(deps, e);
    const from = `desk+${randomUUID().slice(0, 8)}@ubnd.example.org`;
    const digestDeps = (): DigestDeps => ({
      ...table.store,
      mailer: sesMailer(localSesClient(inject("sesEndpoint"))),
      calendar: settings.calendar,
      units: directory,
      from,
      now: () => clock,
      owner: randomUUID(),
    });
    // Wed 14:00 (apology_due), then Wed 17:15 (apology_missed): two sweeps and two senders at once each time.
    for (const at of ["2022-07-06T14:00:00+07:00", "2022-07-06T17:15:00+07:00"]) {
      clock = instant(at);
      await Promise.all([runSweep(deps), runSweep(deps)]);
      await Promise.all([sendDigests(digestDeps()), sendDigests(digestDeps())]);
    }
    const again = await sendDigests(digestDeps());
    expect(again.sent).toEqual([]);

    const mail = (await readSesStore(inject("sesEndpoint"))).filter((m) => m.from === from);
    const desk = mail.filter((m) => m.destination.to.includes(DESK));
    const deskEn = mail.filter((m) => m.destination.to.includes(DESK_EN));
    // One email per sweep to the desk (Vietnamese) and one to its English-reading clerk.
    expect(desk).toHaveLength(2);
    expect(deskEn).toHaveLength(2);
    expect(desk.every((m) => m.destination.to.length === 1)).toBe(true);
    const sections = desk.map((m) => [...parseDigestText(m.body.text ?? "")].map(([k, v]) => [k, v.sort()]));
    expect(sections).toEqual([[["apology_due", ["D-2", evil]]], [["apology_missed", ["D-2", evil]]]]);
    expect(
      parseDigestText(deskEn[1]?.body.text ?? "", "en")
        .get("apology_missed")
        ?.sort(),
    ).toEqual(["D-2", evil]);
    // Names, not ids; the Subject from trusted names only; the HTML escaped.
    const text = desk.map((m) => m.body.text ?? "").join("\n");
    expect(text).toContain(`- ${evil} [Phòng Tư pháp <b>&</b>]`);
    expect(text).toContain("[Phòng Tài nguyên và Môi trường]");
    expect(text).not.toMatch(/phong-tu-phap|phong-tnmt|D-3/);
    expect(desk[0]?.subject).toContain("Bộ phận Một cửa");
    expect(deskEn[0]?.subject).toContain("One-stop desk");
    expect(mail.map((m) => m.subject).join("\n")).not.toContain("<script>");
    const html = desk[0]?.body.html ?? "";
    expect(html).toContain("Phòng Tư pháp &lt;b&gt;&amp;&lt;/b&gt;");
    expect(html).toContain("D-&lt;script&gt;x&lt;/script&gt;");
    expect(html).not.toMatch(/<script|<b>&/);
    // The unit without a desk still gets its own digest; no desk hears of its dossier.
    const vhtt = mail.filter((m) => m.destination.to.includes("truong@vhtt.example.org"));
    expect(vhtt.length).toBeGreaterThan(0);
    expect(parseDigestText(vhtt[0]?.body.text ?? "").get("apology_due")).toEqual(["D-3"]);
    expect(mail.filter((m) => m.body.text?.includes("D-3") && m.destination.to.includes(DESK))).toEqual([]);
    await table.drop();
  }, 120_000);
});
