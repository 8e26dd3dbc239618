import { readFileSync, writeFileSync } from 'node:fs';
import { refreshGenerated } from './http-docs.js';

/** `npm run docs:http`: rewrites the generated blocks of docs/http-api.md from the route table. */
const path = process.argv[2] ?? 'docs/http-api.md';
const before = readFileSync(path, 'utf8');
const after = refreshGenerated(before);
if (after !== before) writeFileSync(path, after);
console.log(after === before ? `${path}: up to date` : `${path}: generated blocks rewritten`);
