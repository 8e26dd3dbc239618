/**
 * The broker could not be reached, or the connection broke before an answer came: no HTTP
 * status to report. Carries the broker URL, the route and the underlying cause, and says
 * whether the request may have reached the broker (`maybeSent`), which decides whether it is
 * safe to send again.
 */
export class ShoalConnectionError extends Error {
  constructor(
    /** The broker's base URL. */
    readonly url: string,
    /** `METHOD /path` of the request. */
    readonly route: string,
    /** Whether the broker may have received (and applied) the request. */
    readonly maybeSent: boolean,
    /** How many attempts were made. */
    readonly attempts: number,
    cause: unknown,
    /** What the cause may mean, added to the message (e.g. a large body cut off by the broker). */
    hint?: string,
  ) {
    super(
      `${route} to ${url} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${describeCause(cause)}` +
        (hint ? ` (${hint})` : ''),
      { cause },
    );
    this.name = 'ShoalConnectionError';
  }
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as { code?: string }).code;
  return code && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
}
