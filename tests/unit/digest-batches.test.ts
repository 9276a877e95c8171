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

// The digest sender at a province's size: one read of the pending alerts per batch of
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
    // No language marks kept: every email goes whole (tests/integration/alerts.test.ts checks them).
    sentInLanguage: async () => new Set<string>(),
    markSentInLanguage: async () => {},
    clearSentInLanguage: async () => {},
  };
  return { state, store: store as unknown as DigestQueue };
}

/** The sender over `store`, with `mailer`, the addresses suppressed and the directory given. */
function digestsWith(
  store: DigestQueue,
  mailer: Mailer,
  options: { suppressed?: string[]; units?: UnitDirectory } = {},
) {
  return sendDigests({
    alerts: store,
    suppression: { addresses: async () => new Set(options.suppressed ?? []) },
    mailer,
    calendar: WorkingCalendar.official(),
    units: options.units ?? directory,
    from: "x@example.org",
    now: () => NOW,
    owner: "me",
  });
}

/** The sender with a mailer that records each email's recipients in `sent`. */
function run(store: DigestQueue, sent: string[][]) {
  return digestsWith(store, {
    send: async (m) => {
      sent.push(m.to);
      return `m-${sent.length}`;
    },
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
    const result = await digestsWith(store, mailer);
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

describe("a digest whose sending throws something other than an Error", () => {
  it("is a failure like any other, and the run goes on to the other groups", async () => {
    const { state, store } = memoryStore([alertOf("don-vi-1", 1), alertOf("don-vi-2", 1)]);
    const sent: string[][] = [];
    const mailer: Mailer = {
      send: async (m) => {
        if (m.to.includes("truong-1@example.org")) throw "refused";
        sent.push(m.to);
        return "m-1";
      },
    };
    const result = await digestsWith(store, mailer);
    expect(result.failed).toEqual([{ group: "unit:don-vi-1", reason: "refused" }]);
    expect(sent).toEqual([["truong-2@example.org"]]);
    expect(state.pending.map((a) => a.unitId)).toEqual(["don-vi-1"]);
  });
});

describe("a unit whose every address is suppressed", () => {
  // don-vi-1 has an escalation list of its own; don-vi-2 has none.
  const escalation = [{ name: "Chủ tịch", email: "chu-tich@example.org" }];
  const tree = new UnitDirectory(
    units.map((u) => (u.id === "don-vi-1" ? { ...u, escalation } : u)),
    seed.leadership,
  );
  const leadership = seed.leadership.map((c) => c.email);
  const alerts = [alertOf("don-vi-1", 1), alertOf("don-vi-2", 1)];
  const send = async (suppressed: string[], options: { sesFails?: boolean; held?: string[] } = {}) => {
    const { state, store } = memoryStore(alerts, options.held);
    const mail: { to: string[]; text: string; html: string }[] = [];
    const mailer: Mailer = {
      send: async (m) => {
        if (options.sesFails) throw new Error("injected: SES throttling");
        mail.push(m);
        return `m-${mail.length}`;
      },
    };
    const result = await digestsWith(store, mailer, { suppressed, units: tree });
    const about = (unit: string) => mail.find((m) => m.text.includes(`hồ sơ của Đơn vị ${unit},`));
    return { result, mail, state, about };
  };

  it("goes to its escalation list, saying why first, and the other units' digests are their own", async () => {
    const { result, state, about } = await send(["truong-1@example.org", "truong-2@example.org"]);
    expect(result.failed).toEqual([]);
    expect(result.inPlaceOfUnit.sort()).toEqual(["unit:don-vi-1", "unit:don-vi-2"]);
    expect(about("1")?.to).toEqual(["chu-tich@example.org"]);
    // A unit without an escalation list: leadership.
    expect(about("2")?.to).toEqual(leadership);
    const note = "Thư này gửi thay cho Đơn vị 1: mọi địa chỉ thư của đơn vị đang bị chặn gửi";
    expect(about("1")?.text.startsWith(note)).toBe(true);
    expect(about("1")?.html.indexOf(note)).toBeLessThan(about("1")?.html.indexOf("Tổng hợp cảnh báo") ?? -1);
    expect(state.pending).toEqual([]);
  });

  it("goes to leadership when its escalation list is suppressed too", async () => {
    const { result, about } = await send(["truong-1@example.org", "chu-tich@example.org"]);
    expect(result.failed).toEqual([]);
    expect(result.inPlaceOfUnit).toEqual(["unit:don-vi-1"]);
    expect(about("1")?.to).toEqual(leadership);
    // don-vi-2's head is not suppressed: its own digest, without the note.
    expect(about("2")?.to).toEqual(["truong-2@example.org"]);
    expect(about("2")?.text).not.toContain("gửi thay cho");
  });

  it("is counted in place only once sent: not when SES refuses it, nor when another sender holds it", async () => {
    const refused = await send(["truong-1@example.org"], { sesFails: true });
    expect(refused.result.inPlaceOfUnit).toEqual([]);
    expect(refused.result.failed.map((f) => f.group).sort()).toEqual(["unit:don-vi-1", "unit:don-vi-2"]);
    const held = await send(["truong-1@example.org"], { held: ["digest:unit:don-vi-1"] });
    expect(held.result.inPlaceOfUnit).toEqual([]);
    expect(held.state.pending.map((a) => a.unitId)).toEqual(["don-vi-1"]);
  });

  it("fails, and stays pending, only when no one is left", async () => {
    const { result, state } = await send(["truong-1@example.org", "chu-tich@example.org", ...leadership]);
    expect(result.failed).toEqual([
      { group: "unit:don-vi-1", reason: "no deliverable recipient (all suppressed or none configured)" },
    ]);
    expect(result.inPlaceOfUnit).toEqual([]);
    expect(state.pending.map((a) => a.unitId)).toEqual(["don-vi-1"]);
  });
});
