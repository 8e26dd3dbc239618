import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidRequestError } from '../../platform/errors/index.js';

/*
 * Every string the broker stores from a JSON body (record keys, values, headers, schedule
 * records, ack reasons, config) must be encodable as UTF-8. Two ways a body can carry one that
 * is not, both otherwise turned silently into U+FFFD:
 * - bytes that are not UTF-8 (a stray 0xFF, a truncated sequence, a surrogate in CESU-8);
 * - a JSON escape of a lone surrogate (`"\ud800"`), which JSON.parse turns into a string no
 *   UTF-8 can hold.
 * Both are 400 INVALID_REQUEST before any route runs, so nothing is written.
 */

type ParserDone = (error: Error | null, body?: unknown) => void;
type JsonParser = (request: FastifyRequest, body: Buffer, done: ParserDone) => void;

const BACKSLASH_U = Buffer.from('\\u');

/** `String.prototype.isWellFormed` (ES2024, Node 20): no lone surrogate. */
function wellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/** At most 200 characters of `text` for a message, without splitting a pair. */
function shortened(text: string): string {
  if (text.length <= 200) return text;
  return `${(text.slice(0, 200) as string & { toWellFormed(): string }).toWellFormed().replace(/\uFFFD$/, '')}…`;
}

/** Whether any string or object key in `value` holds a lone surrogate (walked without recursion). */
export function holdsLoneSurrogate(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (!wellFormed(item)) return true;
    } else if (Array.isArray(item)) {
      for (const child of item)
        if (typeof child === 'string' ? !wellFormed(child) : typeof child === 'object') stack.push(child);
    } else if (typeof item === 'object' && item !== null) {
      for (const key in item) {
        if (!wellFormed(key)) return true;
        stack.push((item as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

/** The path (`records[1].headers`) of the first string, or object key, holding a lone surrogate. */
export function loneSurrogateAt(value: unknown): string | undefined {
  if (!holdsLoneSurrogate(value)) return undefined;
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [item, path] = stack.pop()!;
    if (typeof item === 'string') {
      if (!wellFormed(item)) return path || 'the body';
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${path}[${i}]`]);
    } else if (typeof item === 'object' && item !== null) {
      for (const key of Object.keys(item)) {
        const at = path ? `${path}.${key}` : key;
        if (!wellFormed(key)) return `a key in ${path || 'the body'}`;
        stack.push([(item as Record<string, unknown>)[key], at]);
      }
    }
  }
  return undefined;
}

/** Each parsed JSON body's text, for a route that reads parts of it as written (produce). */
const bodyTexts = new WeakMap<FastifyRequest, string>();

/** The text of the request's JSON body as it arrived (undefined: none, or not JSON). */
export function jsonBodyText(request: FastifyRequest): string | undefined {
  return bodyTexts.get(request);
}

/**
 * The JSON body parser (`application/json`): Fastify's own (limits, prototype-poisoning checks,
 * its errors), after a check that the bytes are UTF-8, and followed — only when the text holds
 * a `\u` escape at all, so the common body pays one byte search — by a walk that refuses a lone
 * surrogate in any string or key. The text is kept for the request ({@link jsonBodyText}).
 */
export function wellFormedJsonParser(fastify: FastifyInstance): JsonParser {
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parse = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  return (request, body, done) => {
    if (!isUtf8(body)) {
      done(new InvalidRequestError('the request body is not valid UTF-8'));
      return;
    }
    const text = body.toString('utf8');
    parse(request, text, (error, parsed) => {
      if (error) return done(error);
      bodyTexts.set(request, text);
      const at = body.includes(BACKSLASH_U) ? loneSurrogateAt(parsed) : undefined;
      if (at !== undefined)
        return done(
          new InvalidRequestError(`a lone surrogate (a \\u escape of half a pair) in ${shortened(at)}: not UTF-8`),
        );
      done(null, parsed);
    });
  };
}
