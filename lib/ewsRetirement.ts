/**
 * The end of EWS in Exchange Online: Microsoft switches it off for good on 2027-04-01, with "no
 * exceptions past April 2027" (Exchange team blog "Exchange Online EWS, Your Time is Almost Up",
 * linked from Microsoft's "Control access to EWS in Exchange"). Creatio's Microsoft 365 mail sync
 * speaks EWS (lib/creatioProfile.ts, `mailProtocol`), and no public Creatio source shows one that
 * does not: after that day only a Creatio version whose Microsoft 365 mail provider uses Microsoft
 * Graph keeps the mail flowing.
 */
import { DAY_MS } from "./rotation.ts";

/** The day EWS in Exchange Online is switched off; from its first instant, UTC. */
export const EWS_SHUTDOWN_DAY = "2027-04-01";
const SHUTDOWN = Date.parse(`${EWS_SHUTDOWN_DAY}T00:00:00Z`);

const plural = (days: number) => `${days} ${days === 1 ? "day" : "days"}`;

/** The one line `plan` and `status` print, with the days left by the run's clock. */
export function ewsDeadlineLine(now: Date): string {
    // Whole days, as status counts a secret's days left.
    if (now.getTime() < SHUTDOWN) {
        const left = Math.floor((SHUTDOWN - now.getTime()) / DAY_MS);
        return `EWS deadline: Exchange Online switches EWS off for good on ${EWS_SHUTDOWN_DAY} (${plural(left)} ` +
            "left), and Creatio's Microsoft 365 mail sync uses EWS: watch for a Creatio version whose Microsoft 365 mail " +
            "provider uses Microsoft Graph.";
    }
    const since = Math.floor((now.getTime() - SHUTDOWN) / DAY_MS);
    return `EWS deadline: Exchange Online switched EWS off for good on ${EWS_SHUTDOWN_DAY} (${plural(since)} ` +
        "ago): Creatio's Microsoft 365 mail sync through EWS no longer works; only a Creatio version whose Microsoft 365 " +
        "mail provider uses Microsoft Graph does.";
}
