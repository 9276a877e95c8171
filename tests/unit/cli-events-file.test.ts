import fs, { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { readEventsFile } from "../../cli/shared";
import { parseEventsText } from "../../lib/domain/events/file";

/**
 * The CLI's events files read a line at a time (`readEventsFile`): what the whole-text parser gives
 * for the same bytes, across the read stream's 64 KB chunks, multi-byte characters split by them
 * included; JSON arrays read whole; a file that is not UTF-8 refused.
 */

const dir = mkdtempSync(join(tmpdir(), "dm-events-file-"));
const NOW = { now: Date.parse("2030-01-01T00:00:00Z") };

const line = (i: number) =>
  JSON.stringify({
    eventId: `ev-${i}`,
    type: "dossier.rated",
    occurredAt: "2022-07-05T09:00:00+07:00",
    // Vietnamese in the id: three-byte characters, some of which a 64 KB chunk cuts in two.
    dossierId: `Hồ-sơ-Đất-đai-${"ư".repeat(i % 7)}-${i}`,
    data: { score: (i % 5) + 1, channel: "kiosk" },
  });

describe("events files read a line at a time", () => {
  it("give what the whole text gives: BOM, CRLF, blank and malformed lines, chunk edges", async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => line(i));
    lines.splice(10, 0, "", "   ", '{"eventId": "broken"', '{"eventId":"x","type":"dossier.rated"}');
    const text = `\uFEFF${lines.join("\r\n")}\r\n`;
    const file = join(dir, "many.ndjson");
    writeFileSync(file, text);
    expect(Buffer.byteLength(text)).toBeGreaterThan(3 * 65_536);
    const streamed = await readEventsFile(file, NOW);
    expect(streamed).toEqual(parseEventsText(readFileSync(file, "utf8"), NOW));
    expect(streamed.events).toHaveLength(3000);
    expect(streamed.events[2999]?.dossierId).toBe(`Hồ-sơ-Đất-đai-${"ư".repeat(2999 % 7)}-2999`);
    expect([...new Set(streamed.problems.map((p) => p.line))]).toEqual([13, 14]);
  });

  it("reads a JSON array whole, and a file without a final newline to its last line", async () => {
    const array = join(dir, "array.json");
    writeFileSync(array, ` \n[${[line(1), line(2)].join(",\n")}]\n`);
    expect((await readEventsFile(array, NOW)).events.map((e) => e.eventId)).toEqual(["ev-1", "ev-2"]);
    const open = join(dir, "open.ndjson");
    writeFileSync(open, `${line(1)}\n${line(2)}`);
    expect((await readEventsFile(open, NOW)).events.map((e) => e.eventId)).toEqual(["ev-1", "ev-2"]);
  });

  it("refuses a file that is not UTF-8, and one that cannot be read, naming it", async () => {
    const latin1 = join(dir, "latin1.ndjson");
    writeFileSync(latin1, Buffer.from(`${line(1)}\n{"dossierId":"H\xF4-s\xF8"}\n`, "latin1"));
    await expect(readEventsFile(latin1)).rejects.toThrow(`${latin1}: not UTF-8 text`);
    // Cut off inside a character: its last byte begins a three-byte one.
    const cut = join(dir, "cut.ndjson");
    writeFileSync(cut, Buffer.concat([Buffer.from(`${line(1)}\n`), Buffer.from([0xe1])]));
    await expect(readEventsFile(cut)).rejects.toThrow(`${cut}: not UTF-8 text`);
    await expect(readEventsFile(dir)).rejects.toThrow(`${dir}: cannot read: a folder, not an events file`);
  });

  it("reads one event written over several lines as that event (a sample), in both readers", async () => {
    const pretty = `${JSON.stringify(JSON.parse(line(1)), null, 2)}\n`;
    const file = join(dir, "one.json");
    writeFileSync(file, pretty);
    const streamed = await readEventsFile(file, NOW);
    expect(streamed.problems).toEqual([]);
    expect(streamed.events.map((e) => e.eventId)).toEqual(["ev-1"]);
    expect(parseEventsText(pretty, NOW)).toEqual(streamed);
    // Two such objects are not one: each line is judged as NDJSON's are.
    const two = join(dir, "two.json");
    writeFileSync(two, pretty + pretty);
    expect((await readEventsFile(two, NOW)).problems.length).toBeGreaterThan(0);
  });

  it("refuses a line too long to be an event, naming the file and line, before holding it whole", async () => {
    const file = join(dir, "long.ndjson");
    writeFileSync(file, `${line(1)}\n${"y".repeat(1_100_000)}\n${line(2)}\n`);
    await expect(readEventsFile(file, NOW)).rejects.toThrow(
      /long\.ndjson:2: a line longer than 1,048,576 characters is not an event/,
    );
    const unbroken = join(dir, "unbroken.ndjson");
    writeFileSync(unbroken, "z".repeat(3_000_000));
    await expect(readEventsFile(unbroken, NOW)).rejects.toThrow(/unbroken\.ndjson:1: a line longer than/);
  });

  it("streams NDJSON, never reading it whole to look for one event over several lines", async () => {
    const file = join(dir, "stream.ndjson");
    writeFileSync(file, `${line(1)}\n${line(2)}\n`);
    const whole = vi.spyOn(fs, "readFileSync");
    syncBuiltinESMExports();
    try {
      expect((await readEventsFile(file, NOW)).events).toHaveLength(2);
      expect(whole.mock.calls.filter(([path]) => path === file)).toEqual([]);
      // The one-event file is read whole: the spy sees it, so it would see the NDJSON's too.
      const one = join(dir, "one-spied.json");
      writeFileSync(one, `${JSON.stringify(JSON.parse(line(3)), null, 2)}\n`);
      expect((await readEventsFile(one, NOW)).events).toHaveLength(1);
      expect(whole.mock.calls.filter(([path]) => path === one)).toHaveLength(1);
      // NDJSON past one event's size whose first line is broken: streamed, its bad line named.
      const broken = join(dir, "broken-first.ndjson");
      writeFileSync(
        broken,
        `{"eventId": "cut\n${Array.from({ length: 10_000 }, (_, i) => line(i)).join("\n")}\n`,
      );
      const read = await readEventsFile(broken, NOW);
      expect(whole.mock.calls.filter(([path]) => path === broken)).toEqual([]);
      expect(read.events).toHaveLength(10_000);
      expect(read.problems.map((p) => p.line)).toEqual([1]);
    } finally {
      whole.mockRestore();
      syncBuiltinESMExports();
    }
  });
});
