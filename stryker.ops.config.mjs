// Mutation testing of ops/ alone: `npm run mutate:ops` (or `-- --mutate 'ops/deliver.ts'` for one file).
// Only the tests of ops/ (tests/ops/, which mirrors it) run: no other test can kill a mutant there, and a mutant of
// module-level code (a "static" mutant) reruns every selected test, so the full suite would triple the time.
import base from "./stryker.config.mjs";

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
    ...base,
    mutate: ["ops/**/*.ts"],
    mochaOptions: {
        ...base.mochaOptions,
        spec: ["tests/ops/**/*.test.ts"],
    },
};
