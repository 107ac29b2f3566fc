// Preloaded (node --require) into Pulumi's policy-pack runner, @pulumi/pulumi/cmd/run-policy-pack:
// the runner prints the port of the pack's gRPC server once the pack is loaded and serving
// (@pulumi/policy server.js), then waits for the engine; this ends the process there, so that
// the measured run is the pack's start-up, which the engine waits for in every preview.
"use strict";
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
    const result = write(chunk, ...rest);
    if (/^\d+\n$/.test(String(chunk))) {
        process.exit(0);
    }
    return result;
};
