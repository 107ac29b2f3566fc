/**
 * `--slot a|b`: which password slot a command proves or delivers. Without it, the one the rotation
 * schedule calls newest (the stack outputs `clientSecret`, `clientSecretKeyId`,
 * `clientSecretExpiresAt`); with it, that slot's own outputs (`clientSecretA`, `clientSecretAKeyId`,
 * `clientSecretAExpiresAt`, or B's), whatever the schedule says.
 */
import { OpsError, USAGE_EXIT_CODE } from "../cli.ts";
import { type StackOutputs, requireGuid, requireInstant, requireSecret } from "./stack.ts";

export const SLOTS = ["a", "b"] as const;
export type Slot = typeof SLOTS[number];

/** The option, for parseCommandLine. */
export const SLOT_OPTION = { slot: { type: "string" } } as const;

/** `--slot`'s value: a or b, or undefined when not given. */
export function slotOption(value: string | undefined): Slot | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (!(SLOTS as readonly string[]).includes(value)) {
        throw new OpsError(`--slot ${JSON.stringify(value)} is not a password slot: give a or b (the stack outputs ` +
            "clientSecretA or clientSecretB), or leave it out for the newest", USAGE_EXIT_CODE);
    }
    return value as Slot;
}

/** The names of the stack outputs a slot's secret, key id and end date are in. */
export function slotOutputNames(slot: Slot | undefined): { secret: string; keyId: string; expiresAt: string } {
    const prefix = slot === undefined ? "clientSecret" : `clientSecret${slot.toUpperCase()}`;
    return { secret: prefix, keyId: `${prefix}KeyId`, expiresAt: `${prefix}ExpiresAt` };
}

export interface SlotSecret {
    clientSecret: string;
    /** A GUID: the key id Entra ID gave the password. */
    clientSecretKeyId: string;
    /** RFC 3339, UTC. */
    clientSecretExpiresAt: string;
}

/** The slot's secret, key id and end date from the stack outputs, each checked. */
export function readSlot(outputs: StackOutputs, stack: string, slot: Slot | undefined): SlotSecret {
    const names = slotOutputNames(slot);
    return {
        clientSecret: requireSecret(outputs, names.secret, stack),
        clientSecretKeyId: requireGuid(outputs, names.keyId, stack),
        clientSecretExpiresAt: requireInstant(outputs, names.expiresAt, stack),
    };
}

/** How a command names what it proves: "slot a" or "the stack's newest secret". */
export function describeSlot(slot: Slot | undefined): string {
    return slot === undefined ? "the stack's newest secret" : `slot ${slot}'s secret`;
}
