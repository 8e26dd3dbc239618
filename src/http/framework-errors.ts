import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, type ErrorBody } from '@shoal/protocol';

/*
 * Errors Fastify and Node's HTTP parser answer before any route runs, in the contract's
 * shape `{"error": {"code", "message"}}` too.
 */

/** Longest path parameter: names are at most 249 characters; Fastify's default (100) is too short. */
export const MAX_PARAM_LENGTH = 1_000;

/** Deepest JSON body accepted: deeper is 400 before validation (whose recursion it would overflow). */
export const MAX_JSON_DEPTH = 64;

function body(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Fastify's `frameworkErrors`: a bad URL encoding, a path parameter over {@link MAX_PARAM_LENGTH}. */
export function frameworkErrors(error: Error & { code?: string }, _request: FastifyRequest, reply: FastifyReply): void {
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? `a path parameter is longer than ${MAX_PARAM_LENGTH} characters`
      : `malformed request: ${error.message}`;
  void reply.status(400).send(body(ErrorCode.InvalidRequest, message));
}

/** Fastify's `clientErrorHandler`: what Node's parser refuses (bad Content-Length, headers or URL too long). */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', ErrorCode.RequestTooLarge, 'the URL or headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', ErrorCode.InvalidRequest, 'the request took too long to arrive']
        : [400, 'Bad Request', ErrorCode.InvalidRequest, `malformed HTTP request (${error.code ?? 'parse error'})`];
  const text = JSON.stringify(body(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(error);
}

/** Whether `value` nests objects and arrays deeper than `limit` (walked without recursion). */
export function deeperThan(value: unknown, limit: number): boolean {
  // Two parallel stacks and for…in: no pair and no values array per object (a produce of
  // 1,000 records walks ~3,000 objects on every request).
  const items: unknown[] = [value];
  const depths: number[] = [1];
  while (items.length > 0) {
    const item = items.pop();
    const depth = depths.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth > limit) return true;
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) {
        const child: unknown = item[i];
        if (typeof child === 'object' && child !== null) {
          items.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in item) {
        if (!Object.hasOwn(item, key)) continue;
        const child = (item as Record<string, unknown>)[key];
        if (typeof child === 'object' && child !== null) {
          items.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

/** A preValidation hook: a body nested deeper than {@link MAX_JSON_DEPTH} is 400 INVALID_REQUEST. */
export function limitJsonDepth(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (deeperThan(request.body, MAX_JSON_DEPTH)) {
    void reply
      .status(400)
      .send(body(ErrorCode.InvalidRequest, `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`));
    return;
  }
  done();
}

/**
 * How much of a refused body the broker reads and discards before answering, as a multiple of
 * `SHOAL_MAX_REQUEST_BYTES` (16 × 16 MiB = 256 MiB by default). Beyond it the connection is cut.
 */
export const DRAIN_FACTOR = 16;

/**
 * An onSend hook for answers given before the request body was read (413 `REQUEST_TOO_LARGE`,
 * 415): the rest of the body is read and discarded, up to `drainBytes`, before the answer goes
 * out. A client that writes its whole body before reading (Node's `fetch`, undici) would
 * otherwise meet a closed connection (`EPIPE`) instead of the answer. A body declared or sent
 * beyond `drainBytes` is cut off: the answer is written and the connection closed. A body read to
 * its end (`readableEnded`: a request made with Fastify's `inject` never sets `complete`) is not waited for.
 */
export function drainUnreadBody(drainBytes: number) {
  return (
    request: FastifyRequest,
    _reply: FastifyReply,
    payload: unknown,
    done: (error: null, payload: unknown) => void,
  ): void => {
    const raw = request.raw;
    if (raw.complete || raw.readableEnded || raw.destroyed || Number(raw.headers['content-length']) > drainBytes) {
      done(null, payload);
      return;
    }
    let seen = 0;
    const finish = () => {
      raw.off('data', onData).off('end', finish).off('error', finish).off('close', finish);
      done(null, payload);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > drainBytes) finish();
    };
    raw.on('data', onData).on('end', finish).on('error', finish).on('close', finish);
    raw.resume();
  };
}
