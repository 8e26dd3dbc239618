/**
 * What `ShoalClient.send(pattern, data)` errors with when no final reply came within
 * `replyTimeoutMs`; a reply arriving later is dropped.
 */
export class ShoalReplyTimeoutError extends Error {
  constructor(
    readonly pattern: string,
    readonly timeoutMs: number,
  ) {
    super(`no reply to ${pattern} within ${timeoutMs} ms`);
    this.name = 'ShoalReplyTimeoutError';
  }
}
