// Preloaded into the program's process by Pulumi.yaml's `nodeargs` (`--require`, relative to the
// project folder: the language host starts node there). Turns on Node's compile cache (module
// enableCompileCache, Node 22.1+) before Pulumi's runtime loads anything: V8 then reuses the code
// it compiled for the SDKs and the program (their type-stripped TypeScript included) instead of
// compiling about 12 MB of JavaScript again on every preview and update. In the project's own
// node_modules/.cache, not Node's default os.tmpdir(): Node checks no owner there, and a local user
// who made that shared folder first could swap the cached code this process, holding the deploying
// identity's credentials, runs. NODE_COMPILE_CACHE still chooses another folder (Node enabled it at
// start-up), NODE_DISABLE_COMPILE_CACHE=1 turns it off; a folder it cannot write costs one ordinary compile.
"use strict";
const path = require("node:path");
require("node:module").enableCompileCache?.(path.join(__dirname, "..", "node_modules", ".cache", "pulumi-compile-cache"));
