// The pack's entry, in JavaScript on purpose. Pulumi's policy-pack runner (@pulumi/pulumi
// cmd/run-policy-pack) registers ts-node with type checking and require()s this folder; a .ts entry
// would be type-checked on every preview. This ES module imports the pack instead, which Node loads
// with its own type stripping: ts-node is registered but compiles nothing. npm test type-checks pack.ts.
import "./pack.ts";
