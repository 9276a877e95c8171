import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LEASE_BATCH, sendDigests } from "../../lib/app/digests";
import type { DigestQueue, Mailer } from "../../lib/app/ports";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { PendingAlert } from "../../lib/domain/records";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory, type Unit, UnitDirectory } from "../../lib/domain/units";
import { ROOT } from "../helpers/fixtures";

// The digest sender at a province's size (issue 23): one read of the pending alerts per batch of
// groups, not one per group, with the lease and "still pending" rules kept. An in-memory store.
const NOW = instant("2025-12-16T17:00:00+07:00");
const seed = parseUnitDirectory(JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")));
const template = seed.units[0] as Unit;
const units = Array.from({ length: 2 * LEASE_BATCH + 20 }, (_, i) => ({
  ...template,
  id: `don-vi-${i}`,
  nameVi: `Đơn vị ${i}`,
  head: { name: `Trưởng đơn vị ${i}`, email: `truong-${i}@example.org` },
  deputies: [],
  oneStopDesk: undefined,
}));
const directory = new UnitDirectory(units, seed.leadership);
const alertOf = (unitId: string, n: number): PendingAlert => ({
  unitId,
  kind: "near_due",
  key: NOW + n,
  raisedAt: NOW,
  dossier: {
    dossierId: `HS-${unitId}-${n}`,
    apologyIssued: false,
    extensions: 0,
    kpiDueAt: NOW + 86_400_000,
  },
});
const id = (a: PendingAlert) => `${a.unitId}#${a.dossier.dossierId}`;

function memoryStore(alerts: PendingAlert[], heldByOthers: string[] = []) {
  const state = { pending: [...alerts], reads: 0, leases: new Map(heldByOthers.map((g) => [g, "other"])) };
  const store = {
    pending: async () => {
      state.reads++;
      return [...state.pending];
    },
    acquireLease: async (group: string, owner: string) => {
      const holder = state.leases.get(group);
      if (holder && holder !== owner) return false;
      state.leases.set(group, owner);
      return true;
    },
    releaseLease: async (group: string, owner: string) => {
      if (state.leases.get(group) === owner) state.leases.delete(group);
    },
    markDigestSent: async (args: { alerts: PendingAlert[] }) => {
      const sent = new Set(args.alerts.map(id));
      state.pending = state.pending.filter((a) => !sent.has(id(a)));
    },
  };
  return { state, store: store as unknown as DigestQueue };
}

function run(store: DigestQueue, sent: string[][]) {
  const mailer: Mailer = {
    send: async (m) => {
      sent.push(m.to);
      return `m-${sent.length}`;
    },
  };
  const calendar = WorkingCalendar.official();
  return sendDigests({
    alerts: store,
    suppression: { addresses: async () => new Set<string>() },
    mailer,
    calendar,
    units: directory,
    from: "x@example.org",
    now: () => NOW,
    owner: "me",
  });
}

describe("sendDigests in batches of groups", () => {
  it("sends one digest per unit, reading the pending alerts once per batch of groups", async () => {
    const alerts = units.flatMap((u) => [alertOf(u.id, 1), alertOf(u.id, 2)]);
    const { state, store } = memoryStore(alerts);
    const sent: string[][] = [];
    const result = await run(store, sent);
    expect(result.sent).toHaveLength(units.length);
    expect(result.failed).toEqual([]);
    expect(sent.map((to) => to[0]).sort()).toEqual(units.map((u) => u.head.email).sort());
    expect(state.pending).toEqual([]);
    // The first read, then one per batch: 1 + 3 for 120 groups (one per group was 121).
    expect(state.reads).toBe(1 + Math.ceil(units.length / LEASE_BATCH));
    expect(state.leases.size).toBe(0);
  });

  it("leaves a group another sender holds, and sends only what is still pending once the leases are held", async () => {
    const alerts = units.map((u) => alertOf(u.id, 1));
    const { state, store } = memoryStore(alerts, ["digest:unit:don-vi-3"]);
    // Another sender sends don-vi-5's alert between the first read and the leases.
    const list = store.pending.bind(store);
    let reads = 0;
    store.pending = async () => {
      const out = await list();
      if (++reads === 1) state.pending = state.pending.filter((a) => a.unitId !== "don-vi-5");
      return out;
    };
    const sent: string[][] = [];
    const result = await run(store, sent);
    const to = sent.map((t) => t[0]);
    expect(to).not.toContain("truong-3@example.org");
    expect(to).not.toContain("truong-5@example.org");
    expect(result.sent).toHaveLength(units.length - 2);
    expect(state.pending.map((a) => a.unitId)).toEqual(["don-vi-3"]);
    expect([...state.leases.keys()]).toEqual(["digest:unit:don-vi-3"]);
  });
});

describe("a digest that cannot be sent", () => {
  it("is named in the result (and so in the logs) without a staff address", async () => {
    // A unit's near-due alert, and an escalation (leadership's digest, keyed by their addresses).
    const alerts: PendingAlert[] = [
      alertOf("don-vi-1", 1),
      { ...alertOf("don-vi-2", 1), kind: "escalation" },
    ];
    const { state, store } = memoryStore(alerts);
    const mailer: Mailer = {
      send: async (m) => {
        // As SES words a refusal: it names the addresses.
        throw new Error(
          `Email address is not verified. The following identities failed the check: ${m.to.join(", ")}`,
        );
      },
    };
    const result = await sendDigests({
      alerts: store,
      suppression: { addresses: async () => new Set<string>() },
      mailer,
      calendar: WorkingCalendar.official(),
      units: directory,
      from: "x@example.org",
      now: () => NOW,
      owner: "me",
    });
    expect(result.sent).toEqual([]);
    expect(result.failed.map((f) => f.group).sort()).toEqual(["escalation:don-vi-2", "unit:don-vi-1"]);
    for (const f of result.failed) {
      expect(f.reason).toMatch(/^Email address is not verified\. .*: \[address\]/);
      expect(JSON.stringify(f)).not.toContain("@");
    }
    // Nothing is lost: both stay pending for the next sweep.
    expect(state.pending).toHaveLength(2);
  });
});

describe("a unit whose every address is suppressed", () => {
  it("has its digest sent to leadership, saying why, and fails only when no one is left", async () => {
    const alerts = [alertOf("don-vi-1", 1), alertOf("don-vi-2", 1)];
    const leadership = seed.leadership.map((c) => c.email);
    const send = async (suppressed: string[]) => {
      const { state, store } = memoryStore(alerts);
      const mail: { to: string[]; text: string; html: string }[] = [];
      const mailer: Mailer = {
        send: async (m) => {
          mail.push(m);
          return `m-${mail.length}`;
        },
      };
      const result = await sendDigests({
        alerts: store,
        suppression: { addresses: async () => new Set(suppressed) },
        mailer,
        calendar: WorkingCalendar.official(),
        units: directory,
        from: "x@example.org",
        now: () => NOW,
        owner: "me",
      });
      return { result, mail, state };
    };
    // don-vi-1's head (its only address) bounced: its digest goes to leadership, saying why.
    const redirected = await send(["truong-1@example.org"]);
    expect(redirected.result.failed).toEqual([]);
    expect(redirected.result.inPlaceOfUnit).toEqual(["unit:don-vi-1"]);
    const [toLeaders, toUnit] = [
      redirected.mail.find((m) => m.text.includes("Đơn vị 1")),
      redirected.mail.find((m) => m.text.includes("Đơn vị 2")),
    ];
    expect(toLeaders?.to).toEqual(leadership);
    expect(toLeaders?.text).toContain(
      "Thư này gửi thay cho Đơn vị 1: mọi địa chỉ thư của đơn vị đang bị chặn gửi",
    );
    expect(toLeaders?.html).toContain("Thư này gửi thay cho Đơn vị 1");
    // Another unit's digest is its own, without the note.
    expect(toUnit?.to).toEqual(["truong-2@example.org"]);
    expect(toUnit?.text).not.toContain("gửi thay cho");
    expect(redirected.state.pending).toEqual([]);
    // Leadership's addresses suppressed too: nothing is sent for it, and it stays pending.
    const nobody = await send(["truong-1@example.org", ...leadership]);
    expect(nobody.result.failed).toEqual([
      { group: "unit:don-vi-1", reason: "no deliverable recipient (all suppressed or none configured)" },
    ]);
    expect(nobody.state.pending.map((a) => a.unitId)).toEqual(["don-vi-1"]);
  });
});
