import { cycles, describeCycle, folderOf, importedSpecifiers, importGraph } from '../support/import-graph.js';

/**
 * The layers of src/, bottom first (docs/architecture.md, "Layers"). A folder may import the
 * folders of lower layers only: never one of its own layer, never one above. `.` is the
 * composition root (app.module.ts, main.ts…), above everything.
 */
const LAYERS: string[][] = [
  ['config'],
  ['platform'],
  ['storage'],
  ['security', 'http'],
  ['log'],
  ['groups'],
  ['consumer-groups'],
  ['share-groups'],
  ['jobs'],
  ['operations', 'metrics'],
  ['kafka'],
  ['.'],
];

const layerOf = new Map(LAYERS.flatMap((folders, layer) => folders.map((folder) => [folder, layer] as const)));
const graph = importGraph(process.cwd());

describe('the import graph of src/', () => {
  it('reads every kind of import, type-only ones and re-exports included', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "import { type C, d } from './c.js';",
      "export { e } from './e.js';",
      "export type { F } from './f.js';",
      "export * from './g.js';",
      "import './h.js';",
      "const i = await import('./i.js');",
      "type J = import('./j.js').J;",
      "import {\n  k,\n  l,\n} from './kl.js';",
      "import { m } from '@nestjs/common';",
    ].join('\n');
    expect(importedSpecifiers('x.ts', text)).toEqual([
      './a.js',
      '../b.js',
      './c.js',
      './e.js',
      './f.js',
      './g.js',
      './h.js',
      './i.js',
      './j.js',
      './kl.js',
      '@nestjs/common',
    ]);
  });

  it('is read whole: every file, with the imports between them', () => {
    expect(graph.size).toBeGreaterThan(250);
    expect(graph.get('src/app.module.ts')).toContain('src/log/log.module.ts');
    expect(graph.get('src/storage/database.ts')).toContain('src/storage/sql-session.ts');
  });

  it('has no cycle', () => {
    expect(cycles(graph).map((component) => describeCycle(graph, component))).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const looped = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', []],
    ]);
    expect(cycles(looped).map((component) => describeCycle(looped, component))).toEqual(['a.ts → b.ts → c.ts → a.ts']);
  });

  it('puts every folder of src/ in a layer', () => {
    const folders = new Set([...graph.keys()].map((file) => folderOf(file)));
    expect([...folders].filter((folder) => !layerOf.has(folder))).toEqual([]);
  });

  it('has no import from a folder to one of its own layer or above (no back-arrows)', () => {
    const backArrows = [...graph].flatMap(([file, targets]) => {
      const from = folderOf(file);
      return targets
        .filter((target) => folderOf(target) !== from && layerOf.get(folderOf(target))! >= layerOf.get(from)!)
        .map((target) => `${file} → ${target}`);
    });
    expect(backArrows).toEqual([]);
  });
});
