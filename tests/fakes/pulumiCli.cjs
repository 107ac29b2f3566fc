// What the Pulumi CLI answers to the commands the operations commands use, computed from a
// state object: { stacks: { "<name>": { outputs: {...}, secrets: ["clientSecret"], tags: {...}, preview?: "<json>" } },
// current?: "<name>" }. Shared by the fake `pulumi` executable and the in-process fake runner,
// so both behave alike. Each behaviour follows pulumi/pulumi's source (named below).
"use strict";

/** `error: <message>` on stderr: cmdutil.DisplayErrorMessage (sdk/go/common/util/cmdutil/exit.go). */
function fail(message, exitCode) {
    return { exitCode, stdout: "", stderr: `error: ${message}\n` };
}

/** ExitStackNotFound = 6 (pkg/cmd/pulumi/cmd/exit_codes.go); message of backenderr.StackNotFoundError. */
function noStack(name) {
    return fail(`no stack named '${name}' found`, 6);
}

function option(args, name) {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
}

/** `--stack ""` (or none) means the current stack: RequireStack (pkg/cmd/pulumi/stack/stack.go). */
function stackName(args, state) {
    const named = option(args, "--stack");
    return named ? named : state.current;
}

/** `ui.FprintJSON`: indented by two spaces, newline at the end (pkg/cmd/pulumi/ui/json.go). */
function json(value) {
    return JSON.stringify(value, null, 2) + "\n";
}

/** Without --show-secrets every secret output reads "[secret]": display.MassageSecrets (pkg/backend/display/json.go). */
function outputs(stack, showSecrets) {
    const result = { ...stack.outputs };
    if (!showSecrets) {
        for (const key of stack.secrets || []) {
            if (key in result) {
                result[key] = "[secret]";
            }
        }
    }
    return result;
}

/**
 * @param {string[]} args the command line after `pulumi`
 * @param {object} state changed in place by `stack tag set`
 * @returns {{ exitCode: number, stdout: string, stderr: string }}
 */
function emulate(args, state) {
    const [noun, verb, sub] = args;
    const has = flag => args.includes(flag);
    if (noun === "preview" && has("--json")) {
        // The digest the stack's preview would print (pkg/backend/display/json.go, ShowPreviewDigest), given by the test.
        const name = stackName(args, state);
        const stack = name === undefined ? undefined : state.stacks[name];
        if (!stack) {
            return name === undefined ? fail("no stack selected; please use `pulumi stack select` or `pulumi stack init` to choose one", 1) : noStack(name);
        }
        return stack.preview === undefined ? fail(`fake pulumi: no preview given for stack ${name}`, 2)
            : { exitCode: 0, stdout: stack.preview, stderr: "" };
    }
    if (noun === "up") {
        return up(args, state);
    }
    if (noun !== "stack") {
        return fail(`fake pulumi: unsupported command: ${args.join(" ")}`, 2);
    }
    if (verb === "ls" && has("--json")) {
        // stackSummaryJSON (pkg/cmd/pulumi/stack/stack_list.go): name, current, ...
        return { exitCode: 0, stdout: json(Object.keys(state.stacks).map(name => ({ name, current: name === state.current }))), stderr: "" };
    }
    const name = stackName(args, state);
    if (name === undefined) {
        return fail("no stack selected; please use `pulumi stack select` or `pulumi stack init` to choose one", 1);
    }
    const stack = state.stacks[name];
    if (!stack) {
        return noStack(name);
    }
    if (verb === "output" && has("--json")) {
        // stack output --json writes all outputs as one JSON object (pkg/cmd/pulumi/stack/stack_output.go).
        return { exitCode: 0, stdout: json(outputs(stack, has("--show-secrets"))), stderr: "" };
    }
    if (verb === "tag") {
        // pkg/cmd/pulumi/stack/stack_tag.go
        const tags = stack.tags || {};
        const tagName = args[3];
        if (sub === "get" && tagName !== undefined && !tagName.startsWith("-")) {
            return tagName in tags
                ? { exitCode: 0, stdout: `${tags[tagName]}\n`, stderr: "" }
                : fail(`stack tag '${tagName}' not found for stack '${name}'`, 1);
        }
        if ((sub === "ls" || sub === "list") && has("--json")) {
            return { exitCode: 0, stdout: json(tags), stderr: "" };
        }
        if (sub === "set" && tagName !== undefined && args[4] !== undefined) {
            stack.tags = { ...tags, [tagName]: args[4] };
            return { exitCode: 0, stdout: "", stderr: "" };
        }
    }
    return fail(`fake pulumi: unsupported command: ${args.join(" ")}`, 2);
}

/**
 * `pulumi up --replace <urn> --target <urn>` of one password slot (`...::creatio-secret-a` or `-b`):
 * Entra ID creates a new password (a new key id and value) and deletes the old one; a targeted up
 * still updates the stack's outputs (FACTS: pulumi/pulumi), so the slot's outputs, and the
 * newest-secret outputs when the slot is the newest, change. Anything else is not emulated.
 */
function up(args, state) {
    const name = stackName(args, state);
    const stack = name === undefined ? undefined : state.stacks[name];
    if (!stack) {
        return name === undefined ? fail("no stack selected; please use `pulumi stack select` or `pulumi stack init` to choose one", 1) : noStack(name);
    }
    const replace = option(args, "--replace");
    const slot = /^urn:pulumi:[^:]+::creatio-m365-oauth::creatio:m365:CreatioOAuthApp\$azuread:index\/applicationPassword:ApplicationPassword::creatio-secret-([ab])$/
        .exec(replace || "");
    if (!slot || option(args, "--target") !== replace || !args.includes("--yes")) {
        return fail(`fake pulumi: unsupported command: ${args.join(" ")}`, 2);
    }
    if ((stack.failUp || []).includes(slot[1])) {
        return { exitCode: 255, stdout: "", stderr: `error: update failed replacing creatio-secret-${slot[1]}\n` };
    }
    const letter = slot[1].toUpperCase();
    const n = (stack.replacements || 0) + 1;
    stack.replacements = n;
    const out = stack.outputs;
    const oldKeyId = out[`clientSecret${letter}KeyId`];
    const keyId = `${slot[1].repeat(8)}-0000-4000-8000-${String(n).padStart(12, "0")}`;
    const secret = `Zx8Q~${slot[1]}-replaced-${n}`;
    out[`clientSecret${letter}`] = secret;
    out[`clientSecret${letter}KeyId`] = keyId;
    if (out.clientSecretKeyId === oldKeyId) {
        out.clientSecret = secret;
        out.clientSecretKeyId = keyId;
    } else if (out.previousClientSecretKeyId === oldKeyId) {
        out.previousClientSecretKeyId = keyId;
    }
    return { exitCode: 0, stdout: `Updating (${name}):\n    +-  azuread:index/applicationPassword:ApplicationPassword creatio-secret-${slot[1]} replaced\n`, stderr: "" };
}

module.exports = { emulate };
