// Preloaded into the program's process by Pulumi.yaml's `nodeargs` (`--require`, relative to the
// project folder: the language host starts node there), before Pulumi's runtime loads anything.
"use strict";
const path = require("node:path");

// Node's compile cache (module.enableCompileCache, Node 22.1+): V8 reuses the code it compiled for
// the SDKs and the program (their type-stripped TypeScript included) instead of compiling about
// 12 MB of JavaScript again on every preview and update. In the project's own node_modules/.cache,
// not Node's default os.tmpdir(): Node checks no owner there, and a local user who made that shared
// folder first could swap the cached code this process, holding the deploying identity's
// credentials, runs. NODE_COMPILE_CACHE still chooses another folder (Node enabled it at start-up),
// NODE_DISABLE_COMPILE_CACHE=1 turns it off; a folder it cannot write costs one ordinary compile.
require("node:module").enableCompileCache?.(path.join(__dirname, "..", "node_modules", ".cache", "pulumi-compile-cache"));

// The runtime (cmd/run) installs source-map-support, which maps every frame of the stack traces it
// records while it sets up (the Stack resource, each promise) through the SDK's source maps, parsing
// them: about a tenth of the CPU of a preview. The maps point at SDK sources the package does not
// ship, and this project's code has none (Node strips types in place, lines and columns unchanged),
// so no map is looked up. Installed here first, with uncaught exceptions left to the runtime's own
// install; index.ts then leaves stack traces to V8's own formatting altogether.
require("source-map-support").install({ retrieveSourceMap: () => null, overrideRetrieveSourceMap: true, handleUncaughtExceptions: false });
