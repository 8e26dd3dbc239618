import { readFileSync } from 'node:fs';
import { ROUTES } from '@shoal/protocol';
import { generatedBlocks, refreshGenerated } from '../../src/http/openapi/http-docs.js';

const reference = readFileSync('docs/http-api.md', 'utf8');

describe('docs/http-api.md against the route table', () => {
  it('holds exactly what the route table generates (run `npm run docs:http` after changing a route)', () => {
    // Compared block by block so a failure names the block that differs.
    const generated = refreshGenerated(reference);
    const blocks = (text: string) => [
      ...text.matchAll(/<!-- generated:([\w:-]+) -->\n([\s\S]*?)\n<!-- \/generated:\1 -->/g),
    ];
    expect(blocks(reference).map(([, id, body]) => [id, body])).toEqual(
      blocks(generated).map(([, id, body]) => [id, body]),
    );
    expect(generated).toBe(reference);
  });

  it('has every generated block, so every route and every request field is in it', () => {
    for (const id of Object.keys(generatedBlocks())) expect(reference).toContain(`<!-- generated:${id} -->`);
    for (const key of Object.keys(ROUTES)) expect(reference).toContain(`| \`${key}`);
  });

  it('refuses a block it does not know', () => {
    expect(() => refreshGenerated('<!-- generated:nothing -->\nx\n<!-- /generated:nothing -->')).toThrow(
      'unknown generated block nothing',
    );
  });
});
