import { PolicyPack } from "@pulumi/policy";
import { creatioPolicies } from "./rules.ts";

new PolicyPack("creatio-m365-oauth", {
    description: "Guardrails for the Creatio Microsoft 365 OAuth app registration: work or school accounts only, " +
        "Creatio redirect URIs on the configured site, delegated Creatio scopes only, bounded client secrets; only the " +
        "declared resource types, owners as configured, passwords and consent only on this stack's registration.",
    enforcementLevel: "mandatory",
    policies: creatioPolicies(),
});
