/**
 * Run counts of the property tests (fast-check). FUZZ_RUNS scales them (npm run test:unit runs a
 * quarter); FUZZ_SEED replaces each file's fixed seed, so a failure is reproducible either way.
 */
export const SCALE = Number(process.env.FUZZ_RUNS ?? 1);

/** The seed of a file's property tests: its own fixed one unless FUZZ_SEED is set. */
export const seed = (fixed: number): number => Number(process.env.FUZZ_SEED ?? fixed);

/** n runs, scaled by FUZZ_RUNS, and never fewer than 10. */
export const runs = (n: number): number => Math.max(10, Math.round(n * SCALE));

/** A coverage minimum for runs(n) runs: it scales down with FUZZ_RUNS, never up. */
export const atLeast = (n: number): number => Math.floor(n * Math.min(SCALE, 1));
