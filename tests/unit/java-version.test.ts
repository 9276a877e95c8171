import { describe, expect, it } from "vitest";
import { JAVA_MAJOR_NEEDED, javaMajor } from "../../dev/local/dynamodb-local";

describe("the Java runtime DynamoDB Local needs", () => {
  it("reads the major release from java -version, old and new numbering alike", () => {
    expect(javaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajor('openjdk version "11.0.22" 2024-01-16')).toBe(11);
    expect(javaMajor('java version "1.8.0_392"')).toBe(8);
    expect(javaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(javaMajor("no version here")).toBeUndefined();
    // The jar DynamoDB Local ships is built for 17: 11, the default of older releases, is below it.
    expect(javaMajor('openjdk version "11.0.22"') ?? 0).toBeLessThan(JAVA_MAJOR_NEEDED);
    expect(javaMajor('openjdk version "17.0.15"') ?? 0).toBeGreaterThanOrEqual(JAVA_MAJOR_NEEDED);
  });
});
