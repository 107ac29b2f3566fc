/**
 * Who owns the registration. The azuread provider leaves the identity running `pulumi up` out of
 * the owners of an application or service principal whenever it is not listed (it adds itself on
 * create, then removes itself; hashicorp/terraform-provider-azuread, application_resource.go and
 * service_principal_resource.go). A deployer holding only Application.ReadWrite.OwnedBy would lock
 * itself out of what it just created, so an unset `owners` means the deployer itself.
 */

export interface Ownership {
    /** The owners to declare on the application and its service principal. */
    owners: string[];
    /** Said when the configured owners leave the deploying identity out. */
    warning?: string;
}

/**
 * @param configured the `owners` config, object ids in lower case; empty when unset
 * @param deployerObjectId the object id of the identity running `pulumi up` (getClientConfig)
 */
export function ownership(configured: readonly string[], deployerObjectId: string): Ownership {
    if (configured.length === 0) {
        return { owners: [deployerObjectId] };
    }
    const listed = configured.some(owner => owner.toLowerCase() === deployerObjectId.toLowerCase());
    return {
        owners: [...configured],
        ...(!listed && { warning: ownersWarning(deployerObjectId) }),
    };
}

export function ownersWarning(deployerObjectId: string): string {
    return `owners does not list the identity running pulumi up (object id ${deployerObjectId}), so the azuread ` +
        "provider leaves it out of the owners of the application and its service principal. An identity with the " +
        "Microsoft Graph permission Application.ReadWrite.OwnedBy (and not Application.ReadWrite.All) then may no " +
        "longer change them: creating the service principal or a client secret, and every later deploy or rotation, " +
        `fail. Add ${deployerObjectId} to owners unless another identity deploys this stack.`;
}
