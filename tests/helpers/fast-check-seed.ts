import fc from "fast-check";

/**
 * Every property test draws from one seed, so that `npm test` is repeatable (a run fails or passes
 * the same way on any machine, under any load). `FC_SEED=<integer> npm test` explores other inputs;
 * a property that fails prints the seed and path that reproduce it.
 */
const DEFAULT_SEED = 20_261_207;
const asked = Number(process.env.FC_SEED);
fc.configureGlobal({ seed: Number.isInteger(asked) && process.env.FC_SEED ? asked : DEFAULT_SEED });
