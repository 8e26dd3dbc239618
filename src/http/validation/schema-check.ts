import { ErrorCode, type Node, type ObjectNode, type ProblemCode } from '@shoal/protocol';
import { InvalidRequestError, ShoalError } from '../../platform/errors/index.js';

/*
 * Checks a request body or query against its schema from the route table, answering as the
 * class-validator DTOs it replaces did: every problem named ("maxRecords must not be greater
 * than 10000", "property x should not exist"), the most specific code first, `null` refused
 * unless the field says otherwise. The checked copy holds only known fields, defaults filled in.
 */

interface Problem {
  code: ProblemCode;
  message: string;
}

/** When several fields fail, the most specific code wins, names first (checked before any lookup). */
const PRIORITY: ProblemCode[] = ['INVALID_NAME', 'INVALID_PARTITIONS', 'INVALID_CONFIG', 'INVALID_REQUEST'];

/**
 * The checked copy of `value`, or a ShoalError naming every problem of the winning code.
 * `handChecked` names a field (or fields) left as it is, for the caller's own parser.
 */
export function checked(
  schema: ObjectNode,
  value: unknown,
  from: 'body' | 'query',
  handChecked?: string | readonly string[],
): unknown {
  const problems: Problem[] = [];
  const input = value === undefined || value === null ? {} : value;
  const result = checkObject(schema, input, '', undefined, problems, from === 'query', handChecked);
  if (problems.length === 0) return result;
  problems.sort((a, b) => PRIORITY.indexOf(a.code) - PRIORITY.indexOf(b.code));
  const code = problems[0].code;
  const messages = problems.filter((p) => p.code === code).map((p) => p.message);
  throw new ShoalError(code as ErrorCode, messages.join('; '));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkObject(
  node: ObjectNode,
  value: unknown,
  path: string,
  inherited: ProblemCode | undefined,
  out: Problem[],
  query: boolean,
  handChecked?: string | readonly string[],
): unknown {
  const code = node.code ?? inherited ?? 'INVALID_REQUEST';
  if (!isObject(value)) {
    if (path) {
      out.push({ code, message: `${path} must be an object` });
      // class-validator's nested check takes an array for a list of objects: one message per element.
      for (const item of Array.isArray(value) ? value : [value])
        if (!isObject(item)) out.push({ code, message: `nested property ${path} must be either object or array` });
      return value;
    }
    // A whole body that is not an object: the hand parsers refuse it; otherwise it is checked as
    // class-validator checked it, as an object of its indexes (none for a string or a number).
    if (handChecked !== undefined || !Array.isArray(value)) {
      if (handChecked === undefined) checkObject(node, {}, path, inherited, out, query);
      if (out.length === 0 || handChecked !== undefined)
        throw new InvalidRequestError('Validation failed (object is expected)');
      return value;
    }
    return checkObject(node, { ...value }, path, inherited, out, query);
  }
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value))
    if (!(key in node.properties)) out.push({ code, message: `property ${join(path, key)} should not exist` });
  for (const [key, child] of Object.entries(node.properties)) {
    const field = value[key];
    if (key === handChecked || (Array.isArray(handChecked) && handChecked.includes(key))) {
      result[key] = field;
      continue;
    }
    if (field === undefined && child.optional) {
      if (child.default !== undefined) result[key] = child.default;
      continue;
    }
    if (field === null && (child.nullable || child.skipNull)) {
      result[key] = null;
      continue;
    }
    result[key] = checkNode(child, field, join(path, key), node.code ?? inherited, out, query);
  }
  return result;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function checkNode(
  node: Node,
  value: unknown,
  path: string,
  inherited: ProblemCode | undefined,
  out: Problem[],
  query: boolean,
): unknown {
  const code = node.code ?? inherited ?? 'INVALID_REQUEST';
  const fail = (message: string, before = '') =>
    out.push({ code, message: before ? `${before} ${path} ${message}` : `${path} ${message}` });
  switch (node.kind) {
    case 'integer':
    case 'number': {
      const n = query && typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
      const isNumber = typeof n === 'number' && Number.isFinite(n);
      if (node.kind === 'integer' && !(isNumber && Number.isInteger(n))) fail('must be an integer number');
      if (node.kind === 'number' && !isNumber) fail('must be a number conforming to the specified constraints');
      if (node.positive && !(isNumber && n > 0)) fail('must be a positive number');
      if (node.minimum !== undefined && !(isNumber && n >= node.minimum)) fail(`must not be less than ${node.minimum}`);
      if (node.maximum !== undefined && !(isNumber && n <= node.maximum))
        fail(`must not be greater than ${node.maximum}`);
      return n;
    }
    case 'string':
    case 'enum':
    case 'boolean':
      for (const problem of scalarProblems(node, value)) fail(problem);
      return value;
    case 'array': {
      // One code for the whole field, as class-validator gives it: a failing element's, if any.
      const own: string[] = [];
      if (!Array.isArray(value)) own.push('must be an array');
      if (node.minItems && !(Array.isArray(value) && value.length >= node.minItems)) own.push('should not be empty');
      if (node.maxItems !== undefined && !(Array.isArray(value) && value.length <= node.maxItems))
        own.push(`must contain no more than ${node.maxItems} elements`);
      const items = node.items;
      if (items.kind === 'object') {
        for (const message of own) fail(message);
        if (isObject(value)) return checkObject(items, value, path, code, out, query);
        if (!Array.isArray(value)) {
          if (value !== undefined) fail('must be either object or array', 'each value in nested property');
          return value;
        }
        return value.map((item, i) => {
          if (isObject(item)) return checkObject(items, item, `${path}.${i}`, code, out, query);
          fail('must be either object or array', 'each value in nested property');
          return item;
        });
      }
      // Each element of a list of scalars: one message per rule (class-validator's `each`).
      const each = new Set<string>();
      for (const item of Array.isArray(value) ? value : [value])
        for (const problem of scalarProblems(items, item)) each.add(problem);
      const fieldCode = each.size > 0 ? (items.code ?? code) : code;
      for (const message of own) out.push({ code: fieldCode, message: `${path} ${message}` });
      for (const problem of each) out.push({ code: fieldCode, message: `each value in ${path} ${problem}` });
      return value;
    }
    case 'object':
      return checkObject(node, value, path, inherited, out, query);
    case 'oneOf':
      // Checked by the route's own parser (a reset target); here only that it is there.
      if (value === undefined || value === null) fail('should not be null or undefined');
      return value;
    case 'any':
      return value;
  }
}

function scalarProblems(node: Node, value: unknown): string[] {
  switch (node.kind) {
    case 'string': {
      const isString = typeof value === 'string';
      return [
        ...(isString ? [] : ['must be a string']),
        ...(node.pattern && !(isString && node.pattern.test(value))
          ? [`must match ${node.pattern} regular expression`]
          : []),
        ...(node.minLength !== undefined && !(isString && value.length >= node.minLength)
          ? [`must be longer than or equal to ${node.minLength} characters`]
          : []),
        ...(node.maxLength !== undefined && !(isString && value.length <= node.maxLength)
          ? [`must be shorter than or equal to ${node.maxLength} characters`]
          : []),
      ];
    }
    case 'enum':
      return typeof value === 'string' && node.values.includes(value)
        ? []
        : [`must be one of the following values: ${node.values.join(', ')}`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : ['must be a boolean value'];
    default:
      return [];
  }
}
