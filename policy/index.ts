import { PolicyPack } from "@pulumi/policy";
import { creatioPolicies } from "./rules";

new PolicyPack("creatio-m365-oauth", {
    description: "Guardrails for the Creatio Microsoft 365 OAuth app registration: work or school accounts only, " +
        "Creatio redirect URIs, delegated Creatio scopes only, bounded client secrets.",
    enforcementLevel: "mandatory",
    policies: creatioPolicies(),
});
