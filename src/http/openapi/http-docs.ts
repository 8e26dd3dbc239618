import { ErrorCode, type Node, type ObjectNode, type Route, type RouteTag, ROUTES } from '@shoal/protocol';
import { statusOf } from '../error-response.js';

/*
 * The generated parts of docs/http-api.md: each section's route table and the request-field
 * reference, written from the protocol's route table between `<!-- generated:ID -->` and
 * `<!-- /generated:ID -->`. `npm run docs:http` rewrites them; test/unit/http-docs.spec.ts fails
 * when the file differs from what would be written. The prose around them stays hand-written.
 */

/** Codes every body route may answer besides its own, said once in the conventions. */
const EVERY_BODY_ROUTE = new Set<ErrorCode>([ErrorCode.RequestTooLarge, ErrorCode.UnsupportedMediaType]);

const routesOf = (tag: RouteTag) => Object.entries(ROUTES).filter(([, route]) => route.tag === tag);

/**
 * A list of a component documented as a whole elsewhere (`ProduceBatch`: the produce route's
 * records), named rather than spelled out inside other bodies.
 */
const referenced = (node: Node): string | undefined => (node.name === 'ProduceBatch' ? node.name : undefined);

/** An object's fields as `{a, b?, list: [{c, d?}]}` (`nested`: lists of objects spelled out). */
export function shapeOf(node: Node, nested = true): string {
  if (node.kind !== 'object' || node.values) return '';
  const fields = Object.entries(node.properties).map(([key, child]) => {
    const listed = child.kind === 'array' ? referenced(child.items) : undefined;
    const inner = !nested
      ? ''
      : listed
        ? `: [${listed}]`
        : child.kind === 'array' && child.items.kind === 'object'
          ? `: [${shapeOf(child.items)}]`
          : '';
    return `${key}${child.optional ? '?' : ''}${inner}`;
  });
  return `{${fields.join(', ')}}`;
}

function errorsOf(route: Route): string {
  const codes = route.errors.filter((code) => !EVERY_BODY_ROUTE.has(code));
  if (route.body || route.query) codes.push(ErrorCode.InvalidRequest);
  const byStatus = new Map<number, string[]>();
  for (const code of new Set(codes)) byStatus.set(statusOf(code), [...(byStatus.get(statusOf(code)) ?? []), code]);
  return [...byStatus]
    .sort(([a], [b]) => a - b)
    .map(([status, list]) => `${status} ${list.map((code) => `\`${code}\``).join(', ')}`)
    .join('; ');
}

function answerOf(route: Route): string {
  if (route.response === null) return String(route.status);
  if (route.response === 'text') return `${route.status}, text`;
  return `${route.status} \`${shapeOf(route.response, false)}\``;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The route table of one tag. */
export function routeTable(tag: RouteTag): string {
  const rows = routesOf(tag).map(([key, route]) => {
    const query = route.query ? `?${Object.keys(route.query.properties).join('&')}` : '';
    const body = route.body ? `\`${shapeOf(route.body)}\`` : '';
    return `| \`${key}${query}\` | ${cell(body)} | ${cell(answerOf(route))} | ${errorsOf(route)} |`;
  });
  return ['| route | body | answer | errors |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function typeOf(node: Node): string {
  const base = ((): string => {
    switch (node.kind) {
      case 'integer':
      case 'number': {
        const range =
          node.minimum !== undefined && node.maximum !== undefined
            ? ` ${node.minimum} to ${node.maximum}`
            : node.positive
              ? ' > 0'
              : node.minimum !== undefined
                ? ` ≥ ${node.minimum}`
                : '';
        return `${node.kind}${range}`;
      }
      case 'string': {
        const rules = [
          node.pattern ? `\`${node.pattern.source}\`` : '',
          node.maxLength !== undefined ? `at most ${node.maxLength} characters` : '',
        ].filter(Boolean);
        return `string${rules.length ? ` (${rules.join(', ')})` : ''}`;
      }
      case 'enum':
        return node.values.map((value) => `\`"${value}"\``).join(' or ');
      case 'boolean':
        return 'boolean';
      case 'array': {
        const size = node.maxItems !== undefined ? `${node.minItems ?? 0} to ${node.maxItems} ` : '';
        const listed = referenced(node.items);
        const items = listed ? `\`${listed}\` objects` : node.items.kind === 'object' ? 'objects' : typeOf(node.items);
        return `array of ${size}${items}`;
      }
      case 'object':
        return node.values ? `object of string → ${typeOf(node.values)}` : `object \`${shapeOf(node)}\``;
      case 'oneOf':
        return node.options.map(typeOf).join(' or ');
      case 'any':
        return 'any JSON value';
    }
  })();
  const extras = [
    node.nullable ? 'or `null`' : '',
    node.optional ? (node.default !== undefined ? `optional, default ${String(node.default)}` : 'optional') : '',
    node.code && node.code !== 'INVALID_REQUEST' ? `else \`${node.code}\`` : '',
  ].filter(Boolean);
  return [base, ...extras].join(', ');
}

function fieldRows(node: ObjectNode, prefix: string): string[] {
  return Object.entries(node.properties).flatMap(([key, child]) => {
    const name = `${prefix}${key}`;
    const row = `| \`${name}\` | ${cell(typeOf(child))} |`;
    const inner = child.kind === 'array' ? child.items : child;
    if (referenced(inner)) return [row];
    return inner.kind === 'object' && !inner.values && inner.kind === 'object' && Object.keys(inner.properties).length
      ? [row, ...fieldRows(inner, `${name}${child.kind === 'array' ? '[]' : ''}.`)]
      : [row];
  });
}

/** Every request body and query, field by field. */
export function requestFields(): string {
  return Object.entries(ROUTES)
    .flatMap(([key, route]) =>
      (['query', 'body'] as const).flatMap((part) => {
        const node = route[part];
        if (!node || node.kind !== 'object') return [];
        const checkedBy = part === 'body' && route.bodyParser ? ` (checked by \`${route.bodyParser}\`)` : '';
        return [
          `**\`${key}\`** ${part}${checkedBy}:`,
          '',
          '| field | type |',
          '| --- | --- |',
          ...fieldRows(node, ''),
          '',
        ];
      }),
    )
    .join('\n')
    .trimEnd();
}

/** The content of each generated block, by id. */
export function generatedBlocks(): Record<string, string> {
  const tags: RouteTag[] = [
    'topics',
    'records',
    'consumer groups',
    'share groups',
    'operations',
    'security',
    'jobs',
    'health',
  ];
  return {
    ...Object.fromEntries(tags.map((tag) => [`routes:${tag.replace(' ', '-')}`, routeTable(tag)])),
    'request-fields': requestFields(),
  };
}

/** `markdown` with every generated block rewritten; throws on a block id it does not know. */
export function refreshGenerated(markdown: string): string {
  const blocks = generatedBlocks();
  return markdown.replace(/<!-- generated:([\w:-]+) -->\n[\s\S]*?<!-- \/generated:\1 -->/g, (_whole, id: string) => {
    const content = blocks[id];
    if (content === undefined) throw new Error(`docs: unknown generated block ${id}`);
    return `<!-- generated:${id} -->\n${content}\n<!-- /generated:${id} -->`;
  });
}
