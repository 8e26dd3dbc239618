import { headerEntries, isHeaderList } from './record-headers.js';

/**
 * Per-record attempts (issue 27): a record may cap its own deliveries below its group's
 * `deliveryCountLimit` with the reserved header `shoal.attempts` (a decimal integer from 1). The
 * HTTP produce field `attempts: n` writes that header; a Kafka producer may set it itself. A
 * header keeps the record byte-faithful (every reader sees it) and needs no column: the cap is
 * read from the log only when a record is released, never on the produce or accept path.
 */
export const ATTEMPTS_HEADER = 'shoal.attempts';

/** The largest `attempts` a produced record may ask for: the top of the delivery-limit range. */
export { MAX_ATTEMPTS } from '@shoal/protocol';

/** The quoted header name as it appears in a record's stored JSON headers. */
const QUOTED = `"${ATTEMPTS_HEADER}"`;

/** The SQL `LIKE` pattern that finds stored headers which may hold the attempts header. */
export const ATTEMPTS_LIKE = `%${QUOTED}%`;

/**
 * The attempts a record's stored headers (JSON text in either stored form, or null) ask for, or undefined when they
 * carry no valid `shoal.attempts` header (absent, not a whole number from 1: ignored). Of a
 * repeated header the last text value counts, as in the `headers` object HTTP shows.
 */
export function attemptsOf(headers: string | null): number | undefined {
  if (headers === null || !headers.includes(QUOTED)) return undefined;
  const value = isHeaderList(headers)
    ? headerEntries(headers).findLast((entry) => entry.name === ATTEMPTS_HEADER && typeof entry.value === 'string')
        ?.value
    : (JSON.parse(headers) as Record<string, unknown>)[ATTEMPTS_HEADER];
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,15}$/.test(value)) return undefined;
  return Number(value);
}
