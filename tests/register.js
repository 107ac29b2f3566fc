// Loaded by mocha before the tests (.mocharc.json "require"): TypeScript runs through ts-node
// without type checks (npm test runs tsc first), and Node's own source-map support maps stack
// traces to the .ts lines instead of ts-node's. The Pulumi SDK formats a stack trace for every
// promise and resource it creates; ts-node's JavaScript mapper cost a third of the suite's CPU.
process.setSourceMapsEnabled(true);
require("ts-node/register/transpile-only");
Error.prepareStackTrace = undefined;
