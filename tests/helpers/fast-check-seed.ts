import fc from "fast-check";

/**
 * Every property test draws from one seed, so that `npm test` draws the same inputs on every run
 * (what still varies is timing, which the tests wait on events to rule out). `FC_SEED=<integer>
 * npm test` explores other inputs; a property that fails prints the seed and path that reproduce
 * it. A seed that is not an integer is refused, rather than the default run in its place.
 */
const DEFAULT_SEED = 20_261_207;
const asked = process.env.FC_SEED?.trim();
if (asked && !/^-?\d+$/.test(asked))
  throw new Error(`FC_SEED: expected an integer seed for the property tests, got "${asked}"`);
fc.configureGlobal({ seed: asked ? Number(asked) : DEFAULT_SEED });
