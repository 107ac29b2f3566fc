/**
 * Preloaded into Stryker and every process it starts: `npm run mutate` puts it in NODE_OPTIONS
 * (relative, so each sandbox copy of this file is found from the sandbox).
 *
 * @stryker-mutator/mocha-runner 10.0.0 requires Mocha's CLI internals without an extension
 * (`mocha/lib/cli/run-helpers`, `.../options`, `.../collect-files`); Mocha 12 ships them as `.cjs`,
 * which Node's extensionless lookup never tries, so the plugin throws on import (stryker-js PR
 * #6205, "load Mocha cli internals regardless of file extension", still open). This retries only
 * those requests with `.cjs`; everything else resolves as before. Delete it once the runner
 * release containing that fix is installed.
 */
"use strict";
const Module = require("module");

const MOCHA_CLI_INTERNAL = /[\\/]mocha[\\/]lib[\\/]cli[\\/][\w-]+$/;
const resolveFilename = Module._resolveFilename;

Module._resolveFilename = function (request, ...rest) {
    try {
        return resolveFilename.call(this, request, ...rest);
    } catch (err) {
        if (err && err.code === "MODULE_NOT_FOUND" && MOCHA_CLI_INTERNAL.test(request)) {
            return resolveFilename.call(this, `${request}.cjs`, ...rest);
        }
        throw err;
    }
};
