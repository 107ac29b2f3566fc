// Preloaded (node --require) into Pulumi's own entry point, @pulumi/pulumi/cmd/run, in place of
// the engine: resources and lookups go to the tests' TenantMocks instead of a gRPC resource
// monitor. Everything else is the runtime's own code path: the program's module loading as
// cmd/run does it for the project's runtime options, the Stack resource.
const fs = require("fs");
const path = require("path");
const { pathToFileURL } = require("url");
const { MockMonitor, setMocks } = require("@pulumi/pulumi/runtime/mocks");

const flag = name => {
    const at = process.argv.indexOf(`--${name}`);
    return at < 0 ? undefined : process.argv[at + 1];
};
const root = flag("pwd");

let tenant;
let loading;
/**
 * TenantMocks is TypeScript, an ES module Node loads with its type stripping: import()ed with the
 * first resource (require() would meet ts-node's hook where the runtime registers it).
 */
function tenantMocks() {
    loading ??= import(pathToFileURL(path.join(root, "tests", "mocks.ts")).href).then(({ TenantMocks }) => {
        tenant = new TenantMocks(37);
        return tenant;
    });
    return loading;
}

// The engine answers the shutdown signal cmd/run sends when the program is done.
MockMonitor.prototype.signalAndWaitForShutdown = (_request, callback) => callback(null, {});

setMocks({
    // The root resource cmd/run registers around the program: the engine takes it as it is.
    newResource: async args => args.type === "pulumi:pulumi:Stack" ? { id: undefined, state: {} } : (await tenantMocks()).newResource(args),
    call: async args => (await tenantMocks()).call(args),
}, flag("project"), flag("stack"), process.argv.includes("--dry-run"));

process.on("exit", () => {
    if (process.env.BENCH_DECLARED_FILE) {
        const declared = tenant ? tenant.declared.map(d => `${d.type} ${d.name}`) : [];
        fs.writeFileSync(process.env.BENCH_DECLARED_FILE, JSON.stringify(declared));
    }
});
