// Preloaded (node --require) into Pulumi's own entry point, @pulumi/pulumi/cmd/run, in place of
// the engine: resources and lookups go to the tests' TenantMocks instead of a gRPC resource
// monitor. Everything else is the runtime's own code path: the program's module loading as
// cmd/run does it for the project's runtime options, the Stack resource.
const fs = require("fs");
const path = require("path");
const { MockMonitor, setMocks } = require("@pulumi/pulumi/runtime/mocks");

const flag = name => {
    const at = process.argv.indexOf(`--${name}`);
    return at < 0 ? undefined : process.argv[at + 1];
};
const root = flag("pwd");

let tenant;
/** TenantMocks is TypeScript (an ES module, loaded with Node's type stripping): loaded with the first resource. */
function tenantMocks() {
    if (!tenant) {
        const { TenantMocks } = require(path.join(root, "tests", "mocks.ts"));
        tenant = new TenantMocks(37);
    }
    return tenant;
}

// The engine answers the shutdown signal cmd/run sends when the program is done.
MockMonitor.prototype.signalAndWaitForShutdown = (_request, callback) => callback(null, {});

setMocks({
    // The root resource cmd/run registers around the program: the engine takes it as it is.
    newResource: args => args.type === "pulumi:pulumi:Stack" ? { id: undefined, state: {} } : tenantMocks().newResource(args),
    call: args => tenantMocks().call(args),
}, flag("project"), flag("stack"), process.argv.includes("--dry-run"));

process.on("exit", () => {
    if (process.env.BENCH_DECLARED_FILE) {
        const declared = tenant ? tenant.declared.map(d => `${d.type} ${d.name}`) : [];
        fs.writeFileSync(process.env.BENCH_DECLARED_FILE, JSON.stringify(declared));
    }
});
