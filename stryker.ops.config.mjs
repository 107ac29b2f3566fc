// Mutation testing of ops/ alone: `npm run mutate:ops` (or `-- --mutate 'ops/deliver.ts'` for one file).
// Only the test files that load ops/ run: no other test can kill a mutant there, and a mutant of
// module-level code (a "static" mutant) reruns every selected test, so the full suite would triple the time.
import base from "./stryker.config.mjs";

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
    ...base,
    mutate: ["ops/**/*.ts"],
    mochaOptions: {
        ...base.mochaOptions,
        spec: ["credentials", "deliver", "opsBites", "plan", "printable", "pulumiRunner", "status", "verify",
            "deliverBites", "runnerBites", "planConfigBites", "planRenderBites", "planProgramBites", "redact", "answerLimit",
            "tlsTrust", "creatioRuntime", "environmentPins", "planComment", "rotateNow", "routineCheck"]
            .map(name => `tests/${name}.test.ts`),
    },
};
