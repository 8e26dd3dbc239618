import type { ErrorBody } from '@shoal/protocol';

/** An error answer from the broker: its HTTP status and the contract's error code. */
export class ShoalApiError extends Error {
  constructor(
    /** The HTTP status. */
    readonly status: number,
    /** The contract's error code, e.g. `UNKNOWN_TOPIC`. */
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'ShoalApiError';
  }

  /** Builds the error from a response body, whatever shape it has. */
  static from(status: number, body: unknown): ShoalApiError {
    const error = (body as Partial<ErrorBody> | null)?.error;
    return new ShoalApiError(status, String(error?.code ?? 'UNKNOWN'), String(error?.message ?? 'no error body'));
  }
}
