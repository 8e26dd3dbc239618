/** An error answer from the broker: its HTTP status and the contract's error code. */
export class ShoalApiError extends Error {
    constructor(
    /** The HTTP status. */
    status, 
    /** The contract's error code, e.g. `UNKNOWN_TOPIC`. */
    code, message, 
    /**
     * The answer's `Retry-After` in ms, when it had one: the refusal is temporary and nothing
     * of the request was applied (503 `STORAGE_UNAVAILABLE` while the broker's database is down).
     */
    retryAfterMs) {
        super(`${status} ${code}: ${message}`);
        this.status = status;
        this.code = code;
        this.retryAfterMs = retryAfterMs;
        this.name = 'ShoalApiError';
    }
    /** Builds the error from a response body, whatever shape it has, and its `Retry-After` header. */
    static from(status, body, retryAfter) {
        const error = body?.error;
        return new ShoalApiError(status, String(error?.code ?? 'UNKNOWN'), String(error?.message ?? 'no error body'), retryAfterMs(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter));
    }
}
/** `Retry-After` as delay-seconds (the form Shoal sends), in ms; an HTTP date or garbage is ignored. */
function retryAfterMs(header) {
    if (header === undefined || !/^\d+$/.test(header.trim()))
        return undefined;
    return Number(header.trim()) * 1000;
}
//# sourceMappingURL=shoal-api.error.js.map