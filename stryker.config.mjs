// Mutation testing: `npm run mutate` (all of lib/, components/, policy/rules.ts and ops/), or
// `npm run mutate -- --mutate 'lib/**/*.ts'` for one part. Not part of `npm test` or CI.
// Reports land in reports/mutation/ (git-ignored).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
    testRunner: "mocha",
    // The mocha runner reads .mocharc.json (the spec glob); Node strips the types of the .ts files.
    mochaOptions: { config: ".mocharc.json" },
    mutate: ["lib/**/*.ts", "components/**/*.ts", "policy/rules.ts", "ops/**/*.ts"],
    coverageAnalysis: "perTest",
    concurrency: 2,
    // As npm test (tools/test.ts): WebAssembly on V8's baseline compiler only, or each runner spends
    // about 7 s of CPU recompiling the PowerShell grammar the EWS tests load.
    testRunnerNodeArgs: ["--liftoff-only"],
    timeoutMS: 20000,
    timeoutFactor: 2,
    // Type errors of a mutant do not matter: Node strips types without checking them.
    disableTypeChecks: "{lib,components,policy,ops}/**/*.ts",
    ignorePatterns: ["reports", ".ci/node", "bin"],
    reporters: ["clear-text", "progress", "html", "json"],
    clearTextReporter: { logTests: false, allowColor: false },
    htmlReporter: { fileName: "reports/mutation/mutation.html" },
    jsonReporter: { fileName: "reports/mutation/mutation.json" },
    thresholds: { high: 95, low: 90, break: null },
    tempDirName: ".stryker-tmp",
    cleanTempDir: true,
};
