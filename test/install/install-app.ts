import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The three workspace packages, in dependency order. */
export const PACKAGES = ['protocol', 'client', 'transport'] as const;

/** What `npm pack --json` says of one tarball. */
export interface PackedPackage {
  name: string;
  filename: string;
  files: { path: string }[];
}

/** The child's environment without jest's and the outer npm's settings, so a nested npm acts on its own folder. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_') && name !== 'NODE_OPTIONS'),
  );
  return { ...env, ...extra };
}

/** Runs a command to completion; rejects with its output when it fails. */
export function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`)),
    );
  });
}

/** A long-running program of the app (the worker); its output is kept for failure messages. */
export function start(
  script: string,
  cwd: string,
  env: Record<string, string>,
): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [script], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** `npm pack` of the built workspace packages into `destination`. */
export async function packWorkspaces(destination: string): Promise<PackedPackage[]> {
  const workspaces = PACKAGES.flatMap((name) => ['-w', `libs/${name}`]);
  const json = await run('npm', ['pack', ...workspaces, '--pack-destination', destination, '--json'], process.cwd());
  return JSON.parse(json.slice(json.indexOf('['))) as PackedPackage[];
}

/** The installed version of a root dependency, so the app gets the same (from npm's cache). */
function rootVersion(name: string): string {
  return (JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * A new NestJS app in `dir`, outside the repository: its own package.json and tsconfig, the
 * worker and producer of test/install/fixture-app, Nest from the registry, Shoal from the tarballs.
 */
export async function createApp(dir: string, tarballs: string[]): Promise<void> {
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'shoal-install-app', private: true, type: 'module' }, null, 2),
  );
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    types: ['node'],
    rootDir: 'src',
    outDir: 'dist',
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }, null, 2));
  cpSync(join('test', 'install', 'fixture-app', 'src'), join(dir, 'src'), { recursive: true });
  const registry = [
    '@nestjs/common',
    '@nestjs/core',
    '@nestjs/microservices',
    '@nestjs/config',
    'rxjs',
    'reflect-metadata',
    'typescript',
    '@types/node',
  ];
  const specs = [...registry.map((name) => `${name}@${rootVersion(name)}`), ...tarballs.map((file) => `./${file}`)];
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...specs], dir);
}
