import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** A file of `src/` (path relative to the repository, e.g. `src/log/read.service.ts`) and what it imports. */
export type ImportGraph = Map<string, string[]>;

/** Every `.ts` file under `dir`, as paths relative to `root`. */
function sourceFiles(root: string, dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(root, path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * The module specifiers a file names: `import`, `import type`, `export … from`, `import x = require()`,
 * `import('…')` calls and `import('…')` types alike — a type-only import is an edge too.
 */
export function importedSpecifiers(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expression = node.moduleReference.expression;
      if (ts.isStringLiteral(expression)) found.push(expression.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteralLike(argument)) found.push(argument.text);
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument) && ts.isStringLiteral(argument.literal)) found.push(argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The graph of relative imports between the `.ts` files under `root/dir` (edges leaving `dir` are dropped). */
export function importGraph(root: string, dir = 'src'): ImportGraph {
  const files = sourceFiles(root, dir);
  const known = new Set(files);
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const targets = new Set<string>();
    for (const specifier of importedSpecifiers(file, readFileSync(join(root, file), 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const target = resolveRelative(root, file, specifier, known);
      if (target) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

function resolveRelative(root: string, from: string, specifier: string, known: Set<string>): string | undefined {
  const base = relative(root, resolve(root, dirname(from), specifier));
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((candidate) => known.has(candidate));
}

/** The strongly connected components with more than one file (or a file importing itself): each holds a cycle. */
export function cycles(graph: ImportGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter += 1;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) found.push(component.sort());
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) connect(file);
  return found;
}

/** The shortest loop through a component's first file, as `a → b → … → a`, for the failure message. */
export function describeCycle(graph: ImportGraph, component: string[]): string {
  const members = new Set(component);
  const start = component[0];
  const parent = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i += 1) {
    const current = queue[i];
    for (const next of graph.get(current) ?? []) {
      if (next === start) {
        const path = [start];
        for (let step = current; step !== start; step = parent.get(step)!) path.splice(1, 0, step);
        return [...path, start].join(' → ');
      }
      if (members.has(next) && !parent.has(next)) {
        parent.set(next, current);
        queue.push(next);
      }
    }
  }
  return component.join(', ');
}

/** The folder of `src/` a file belongs to (`src/log/storage/log.store.ts` → `log`); files at the top are `.`. */
export function folderOf(file: string, dir = 'src'): string {
  const parts = relative(dir, file).split('/');
  return parts.length > 1 ? parts[0] : '.';
}
