/** The scenarios `simulate` writes, by name (their generators: dev/scenarios/seed-2022-q3.ts). */
export const SCENARIO_NAMES = ["seed-2022-q3"] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];
