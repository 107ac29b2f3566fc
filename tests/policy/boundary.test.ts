import * as assert from "assert";
import { type PolicyResource } from "@pulumi/policy";
import { createRequire } from "module";
import { CreatioOAuthApp } from "../../components/creatioOAuthApp.ts";
import { validateConfig, type RawConfig } from "../../lib/settings.ts";
import { ALLOWED_TYPES, boundaryResourcePolicies, boundaryStackPolicies } from "../../policy/boundary.ts";
import { creatioPolicies } from "../../policy/rules.ts";
import { APP_OBJECT_ID, DEPLOYER_OBJECT_ID, type Declared, SP_OBJECT_ID, TenantMocks, promiseOf, withoutPromiseStacks } from "../mocks.ts";

// pulumi-policy's own unknown sentinel and the proxy that throws on reading it (proxy.js; not in its type declarations).
const { unknownCheckingProxy, unknownStringValue } = createRequire(import.meta.url)("@pulumi/policy/proxy") as {
    unknownCheckingProxy: <T>(props: T) => T; unknownStringValue: unknown };

const NOW = new Date("2026-11-28T10:00:00Z");
const OWNER_1 = "11111111-0000-4000-8000-000000000001";
const OWNER_2 = "22222222-0000-4000-8000-000000000002";
const FOREIGN = "f0f0f0f0-0000-4000-8000-00000000f0f0";
const SITE = { siteName: "acme", creatioVersion: "8.1" };
const REDIRECT_URI = "https://acme.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode";

interface Declaration {
    declared: Declared[];
    urns: Record<string, string>;
    /** What stack policies see: outputs, the component's registered outputs, parents linked. */
    stack: PolicyResource[];
}

async function declare(config: RawConfig): Promise<Declaration> {
    const mocks = new TenantMocks(37);
    const componentOutputs = await withoutPromiseStacks(async () => {
        await mocks.install("creatio-m365-oauth", "dev");
        const app = new CreatioOAuthApp("creatio", { ...validateConfig(config), now: NOW });
        await Promise.all([promiseOf(app.clientSecret), ...app.consentGrants.map(g => promiseOf(g.id))]);
        return mocks.outputsRegisteredBy("creatio");
    });
    const byUrn = new Map<string, PolicyResource>();
    const stack = mocks.declared.map(d => {
        const resource = { type: d.type, urn: mocks.urns[d.name], name: d.name,
            props: d.type === "creatio:m365:CreatioOAuthApp" ? componentOutputs : d.outputs,
            opts: { additionalSecretOutputs: [] } } as unknown as PolicyResource;
        byUrn.set(resource.urn, resource);
        return { resource, parent: mocks.parents[d.name] };
    }).map(({ resource, parent }) => Object.assign(resource, parent ? { parent: byUrn.get(parent) } : {}));
    return { declared: mocks.declared, urns: mocks.urns, stack };
}

/** A resource policy pack's run: each resource in order, as the engine registers them; what each policy reported. */
function runResources(resources: { type: string; name: string; urn: string; props: Record<string, any> }[]) {
    const policies = boundaryResourcePolicies();
    const reported: string[] = [];
    for (const r of resources) {
        for (const policy of policies) {
            const validate = policy.validateResource as (args: any, report: (m: string) => void) => void;
            validate({ ...r, opts: { additionalSecretOutputs: [] }, stackTags: new Map() },
                m => reported.push(`${policy.name}: ${r.name}: ${m}`));
        }
    }
    return reported;
}

const asRegistered = (d: Declaration) => d.declared.map(r => ({ type: r.type, name: r.name, urn: d.urns[r.name], props: r.inputs }));
const URN = (chain: string, name: string) => `urn:pulumi:dev::creatio-m365-oauth::${chain}::${name}`;
const COMPONENT = "creatio:m365:CreatioOAuthApp";

function runStack(resources: PolicyResource[]): string[] {
    const reported: string[] = [];
    for (const policy of boundaryStackPolicies()) {
        (policy.validateStack as (args: any, report: (m: string) => void) => void)(
            { resources, stackTags: new Map() }, m => reported.push(m));
    }
    return reported;
}
const propsOf = (d: Declaration, name: string) => d.stack.find(r => r.name === name)!.props;

describe("policy pack: the registration's reach", () => {
    it("is part of the pack, mandatory", () => {
        const names = creatioPolicies(() => NOW).filter(p => p.enforcementLevel === "mandatory").map(p => p.name);
        for (const name of ["declared-resource-types-only", "resources-inside-the-component", "redirect-uris-on-the-configured-site",
            "owners-as-configured", "registration-reach"]) {
            assert.ok(names.includes(name), name);
        }
    });

    for (const config of [SITE, { ...SITE, "owners": JSON.stringify([OWNER_1, DEPLOYER_OBJECT_ID]) },
        { siteUrl: "https://crm.example.com/creatio", creatioVersion: "7.16", netCore: "true" }]) {
        it(`passes what the program declares, before each step and after all (${JSON.stringify(config)})`, async () => {
            const declaration = await declare(config);
            assert.deepStrictEqual(runResources(asRegistered(declaration)), []);
            assert.deepStrictEqual(runStack(declaration.stack), []);
        });
    }

    it("records the owners configuration on the component", async () => {
        const configured = await declare({ ...SITE, owners: JSON.stringify([OWNER_1, OWNER_2]) });
        assert.deepStrictEqual(propsOf(configured, "creatio").owners, [OWNER_1, OWNER_2]);
        const unset = await declare(SITE);
        assert.deepStrictEqual(propsOf(unset, "creatio").owners, []);
    });

    describe("before each step (resource policies)", () => {
        let legit: ReturnType<typeof asRegistered>;
        before(async () => {
            legit = asRegistered(await declare({ ...SITE, owners: JSON.stringify([OWNER_1, DEPLOYER_OBJECT_ID]) }));
        });
        const inComponent = (type: string, name: string, props: Record<string, any> = {}) =>
            ({ type, name, urn: URN(`${COMPONENT}$${type}`, name), props });

        it("refuses every type the program does not declare: a federated credential, an owner, a password on the service principal, anything else", () => {
            for (const type of [
                "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential",
                "azuread:index/applicationOwner:ApplicationOwner",
                "azuread:index/servicePrincipalPassword:ServicePrincipalPassword",
                "azuread:index/applicationRedirectUris:ApplicationRedirectUris",
                "azuread:index/appRoleAssignment:AppRoleAssignment",
                "aws:s3/bucket:Bucket",
            ]) {
                const reported = runResources([...legit, inComponent(type, "creatio-extra")]);
                assert.deepStrictEqual(reported, [`declared-resource-types-only: creatio-extra: the resource type ${type} ` +
                    `(creatio-extra) is not one this program declares; allowed: ${ALLOWED_TYPES.join(", ")}.`], type);
            }
            assert.deepStrictEqual(ALLOWED_TYPES, [
                "pulumi:pulumi:Stack", "creatio:m365:CreatioOAuthApp", "azuread:index/application:Application",
                "azuread:index/servicePrincipal:ServicePrincipal",
                "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant",
                "azuread:index/applicationPassword:ApplicationPassword", "random:index/randomInteger:RandomInteger",
                "pulumi:providers:azuread", "pulumi:providers:random",
            ]);
        });

        it("refuses a password, application or grant outside the component or under another name", () => {
            const password = "azuread:index/applicationPassword:ApplicationPassword";
            assert.deepStrictEqual(runResources([...legit, { type: password, name: "side-secret", urn: URN(password, "side-secret"),
                props: { applicationId: `/applications/${FOREIGN}` } }]), [
                `resources-inside-the-component: side-secret: ${password} side-secret is not one CreatioOAuthApp declares: ` +
                `it must be its child named <component>-secret-a or <component>-secret-b (${URN(password, "side-secret")}).`,
            ]);
            assert.deepStrictEqual(runResources([...legit, inComponent(password, "creatio-secret-c")]).length, 1);
            const app = "azuread:index/application:Application";
            assert.deepStrictEqual(runResources([...legit, inComponent(app, "creatio2-app", { web: { redirectUris: [REDIRECT_URI] } })]), [
                `resources-inside-the-component: creatio2-app: ${app} creatio2-app is not the child of a CreatioOAuthApp ` +
                "declared before it: it cannot be checked against the stack's configuration.",
            ]);
        });

        it("refuses a CreatioOAuthApp nested in another component", () => {
            const nested = { type: COMPONENT, name: "creatio", urn: URN(`my:x:Wrapper$${COMPONENT}`, "creatio"),
                props: { siteBaseUrl: "https://acme.creatio.com", profile: "7.17+", owners: [] } };
            assert.deepStrictEqual(runResources([nested]), [
                `resources-inside-the-component: creatio: the CreatioOAuthApp creatio is not a child of the stack (${nested.urn}).`,
            ]);
        });

        it("refuses a redirect URI on another host, before the application's step", () => {
            const foreign = "https://evil.example.net/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode";
            const hostile = legit.map(r => r.name !== "creatio-app" ? r
                : { ...r, props: { ...r.props, web: { ...r.props.web, redirectUris: [REDIRECT_URI, foreign] } } });
            assert.deepStrictEqual(runResources(hostile), [
                `redirect-uris-on-the-configured-site: creatio-app: redirect URIs not of the configured site ` +
                `https://acme.creatio.com: ${foreign}; allowed: ${REDIRECT_URI}.`,
            ]);
        });

        it("refuses an extra owner on the application or the service principal, and a missing one", () => {
            for (const name of ["creatio-app", "creatio-sp"]) {
                const extra = legit.map(r => r.name !== name ? r : { ...r, props: { ...r.props, owners: [OWNER_1, DEPLOYER_OBJECT_ID, FOREIGN] } });
                assert.deepStrictEqual(runResources(extra), [
                    `owners-as-configured: ${name}: owners are [${OWNER_1}, ${DEPLOYER_OBJECT_ID}, ${FOREIGN}], not the configured ` +
                    `owners [${OWNER_1}, ${DEPLOYER_OBJECT_ID}].`,
                ]);
                const missing = legit.map(r => r.name !== name ? r : { ...r, props: { ...r.props, owners: [OWNER_1] } });
                assert.strictEqual(runResources(missing).length, 1);
            }
        });

        it("with owners unset, allows the deploying identity alone", async () => {
            const unset = asRegistered(await declare(SITE));
            assert.deepStrictEqual(unset.find(r => r.name === "creatio-app")!.props.owners, [DEPLOYER_OBJECT_ID]);
            const two = unset.map(r => r.name !== "creatio-sp" ? r : { ...r, props: { ...r.props, owners: [DEPLOYER_OBJECT_ID, FOREIGN] } });
            assert.deepStrictEqual(runResources(two), [`owners-as-configured: creatio-sp: owners are [${DEPLOYER_OBJECT_ID}, ` +
                `${FOREIGN}]; with owners unset only the identity running pulumi up owns it.`]);
        });
    });

    it("holds a component that records no owners to owners unset: one owner", async () => {
        // Policies see the component as the program declares it; only custom resources a targeted update
        // leaves out are shown with old inputs (pulumi/pulumi pkg/resource/deploy/step_generator.go).
        const declaration = await declare({ ...SITE, owners: JSON.stringify([OWNER_1, DEPLOYER_OBJECT_ID]) });
        const unrecorded = asRegistered(declaration).map(r => {
            if (r.type !== COMPONENT) {
                return r;
            }
            const { owners: _owners, ...rest } = r.props;
            return { ...r, props: rest };
        });
        const unsetMessage = `owners are [${OWNER_1}, ${DEPLOYER_OBJECT_ID}]; with owners unset only the identity running ` +
            "pulumi up owns it.";
        assert.deepStrictEqual(runResources(unrecorded), [`owners-as-configured: creatio-app: ${unsetMessage}`,
            `owners-as-configured: creatio-sp: ${unsetMessage}`]);
        delete propsOf(declaration, "creatio").owners;
        assert.deepStrictEqual(runStack(declaration.stack), [unsetMessage, unsetMessage]);
    });

    describe("after all steps, and in every preview (the stack policy)", () => {
        it("refuses a password on another application", async () => {
            const d = await declare(SITE);
            propsOf(d, "creatio-secret-b").applicationId = `/applications/${FOREIGN}`;
            assert.deepStrictEqual(runStack(d.stack), [`the password creatio-secret-b is on /applications/${FOREIGN}, not on ` +
                `this stack's application /applications/${APP_OBJECT_ID}.`]);
        });

        it("refuses consent for another client", async () => {
            const d = await declare(SITE);
            propsOf(d, "creatio-consent-exchange").servicePrincipalObjectId = FOREIGN;
            assert.deepStrictEqual(runStack(d.stack), [`the consent grant creatio-consent-exchange is for the client service ` +
                `principal ${FOREIGN}, not this stack's ${SP_OBJECT_ID}.`]);
        });

        it("refuses a service principal of another application", async () => {
            const d = await declare(SITE);
            propsOf(d, "creatio-sp").clientId = FOREIGN;
            assert.strictEqual(runStack(d.stack)[0], `the service principal creatio-sp is for the client ${FOREIGN}, not this ` +
                `stack's application ${propsOf(d, "creatio-app").clientId}.`);
        });

        it("refuses an extra owner, a foreign type, a resource outside the component and a second component", async () => {
            const d = await declare(SITE);
            propsOf(d, "creatio-app").owners = [DEPLOYER_OBJECT_ID, FOREIGN];
            const fic = "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential";
            const password = "azuread:index/applicationPassword:ApplicationPassword";
            const second = { ...d.stack.find(r => r.name === "creatio")!, name: "creatio2", urn: URN(COMPONENT, "creatio2") };
            const resources = [...d.stack, second,
                { type: fic, name: "gh", urn: URN(fic, "gh"), props: {}, opts: {} } as unknown as PolicyResource,
                { type: password, name: "loose", urn: URN(password, "loose"), props: { applicationId: `/applications/${APP_OBJECT_ID}` },
                    opts: {} } as unknown as PolicyResource];
            assert.deepStrictEqual(runStack(resources), [
                `the resource type ${fic} (gh) is not one this program declares.`,
                "the stack declares 2 CreatioOAuthApp components; one registration per stack.",
                `${password} loose is not a child of a CreatioOAuthApp.`,
                `owners are [${DEPLOYER_OBJECT_ID}, ${FOREIGN}]; with owners unset only the identity running pulumi up owns it.`,
            ]);
        });

        it("skips only what a preview cannot know yet, and still checks the rest", async () => {
            const d = await declare(SITE);
            // A preview of a new service principal: its object id is unknown (pulumi-policy's unknownCheckingProxy).
            const sp = d.stack.find(r => r.name === "creatio-sp")!;
            (sp as { props: unknown }).props = unknownCheckingProxy({ ...sp.props, objectId: unknownStringValue });
            propsOf(d, "creatio-secret-a").applicationId = `/applications/${FOREIGN}`;
            assert.deepStrictEqual(runStack(d.stack), [`the password creatio-secret-a is on /applications/${FOREIGN}, not on ` +
                `this stack's application /applications/${APP_OBJECT_ID}.`]);
        });

        it("refuses a reference the preview does not know when this stack's own id is known", async () => {
            const d = await declare(SITE);
            const unknownIn = (name: string, key: string) => {
                const r = d.stack.find(x => x.name === name)!;
                (r as { props: unknown }).props = unknownCheckingProxy({ ...r.props, [key]: unknownStringValue });
            };
            // An existing registration: its own ids are known, so an unknown reference could be anyone's.
            unknownIn("creatio-secret-b", "applicationId");
            unknownIn("creatio-consent-graph", "servicePrincipalObjectId");
            unknownIn("creatio-sp", "clientId");
            assert.deepStrictEqual(runStack(d.stack), [
                "the password creatio-secret-b is on a value the preview does not know yet, not on this stack's application " +
                    `/applications/${APP_OBJECT_ID}.`,
                "the service principal creatio-sp is for the client a value the preview does not know yet, not this stack's " +
                    `application ${propsOf(d, "creatio-app").clientId}.`,
                "the consent grant creatio-consent-graph is for the client service principal a value the preview does not " +
                    `know yet, not this stack's ${SP_OBJECT_ID}.`,
            ]);
        });
    });
});
