/**
 * The broker could not be reached, or the connection broke before an answer came: no HTTP
 * status to report. Carries the broker URL, the route and the underlying cause, and says
 * whether the request may have reached the broker (`maybeSent`), which decides whether it is
 * safe to send again.
 */
export class ShoalConnectionError extends Error {
    constructor(
    /** The broker's base URL. */
    url, 
    /** `METHOD /path` of the request. */
    route, 
    /** Whether the broker may have received (and applied) the request. */
    maybeSent, 
    /** How many attempts were made. */
    attempts, cause, 
    /** What the cause may mean, added to the message (e.g. a large body cut off by the broker). */
    hint) {
        super(`${route} to ${url} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${describeCause(cause)}` +
            (hint ? ` (${hint})` : ''), { cause });
        this.url = url;
        this.route = route;
        this.maybeSent = maybeSent;
        this.attempts = attempts;
        this.name = 'ShoalConnectionError';
    }
}
function describeCause(cause) {
    if (!(cause instanceof Error))
        return String(cause);
    const code = cause.code;
    return code && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
}
//# sourceMappingURL=shoal-connection.error.js.map