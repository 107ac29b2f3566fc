// Preloaded into the program's process by Pulumi.yaml's `nodeargs` (`--require`, relative to the
// project folder: the language host starts node there). Turns on Node's compile cache (module
// enableCompileCache, Node 22.1+) before Pulumi's runtime loads anything: V8 then reuses the code
// it compiled for the SDKs and the program (their type-stripped TypeScript included) instead of
// compiling about 12 MB of JavaScript again on every preview and update. The cache is a quiet
// optimization: Node keeps it in os.tmpdir()/node-compile-cache, or where NODE_COMPILE_CACHE says;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off; a cache it cannot use costs one ordinary compile.
"use strict";
require("node:module").enableCompileCache?.();
