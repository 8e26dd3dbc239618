import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { type BrokerProcess, spawnBroker } from '../support/broker-process.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real `shoal` command, in its own process. */
function shoal(url: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/shoal.js', ...args], {
      env: { ...process.env, NODE_OPTIONS: '', SHOAL_URL: url },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function stop(broker: BrokerProcess): Promise<void> {
  await broker.client.close();
  if (broker.child.exitCode !== null) return;
  broker.child.kill('SIGTERM');
  await new Promise((resolve) => broker.child.once('exit', resolve));
}

interface Acked {
  partition: number;
  offset: number;
  value: string;
  /** Answered before the backup was asked for. */
  beforeBackup: boolean;
}

const PARTITIONS = 3;

describe('online SQLite backup (shoal backup, POST /v1/admin/backup)', () => {
  let dir: string;
  let source: BrokerProcess;
  let restored: BrokerProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-backup-'));
    source = await spawnBroker(`sqlite:${join(dir, 'shoal.db')}`);
  });
  afterAll(async () => {
    await stop(source);
    if (restored) await stop(restored);
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies the database while producers go on; the copy restores to a broker serving every record acknowledged before the backup began', async () => {
    await source.client.createTopic({ name: 'orders', partitions: PARTITIONS });
    const acked: Acked[] = [];
    let backupAsked = false;
    let producing = true;
    let batch = 0;
    // One producer that keeps going for the whole backup: batches of 50, each answered once durable.
    const producer = (async () => {
      while (producing) {
        const values = Array.from({ length: 50 }, (_, i) => `order-${batch}-${i}-${'x'.repeat(200)}`);
        batch++;
        const before = !backupAsked;
        const { offsets } = await source.client.produce(
          'orders',
          values.map((value, i) => ({ key: `k${i}`, value })),
        );
        offsets.forEach((position, i) =>
          acked.push({
            partition: position.partition,
            offset: position.offset,
            value: values[i],
            beforeBackup: before,
          }),
        );
      }
    })();
    while (acked.length < 5_000) await new Promise((resolve) => setTimeout(resolve, 20));

    backupAsked = true;
    const produceDuringBackup = acked.length;
    const run = await shoal(source.url, ['backup', join(dir, 'copy.db')]);
    const producedMeanwhile = acked.length - produceDuringBackup;
    producing = false;
    await producer;
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^wrote .*copy\.db \(\d+ bytes\)\n$/);
    // The producer was not held up for the length of the copy (it is not a pause of the broker).
    expect(producedMeanwhile).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'copy.db.partial'))).toBe(false);

    const check = new Sqlite(join(dir, 'copy.db'), { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();

    // Restore as docs/operations.md says: the copy becomes the database file of a broker.
    const restoredDb = join(dir, 'restored.db');
    copyFileSync(join(dir, 'copy.db'), restoredDb);
    restored = await spawnBroker(`sqlite:${restoredDb}`);

    const served = new Map<string, string>();
    for (let partition = 0; partition < PARTITIONS; partition++) {
      for (let offset = 0; ;) {
        const page = await restored.client.read('orders', partition, { offset, maxRecords: 1_000 });
        for (const record of page.records) served.set(`${partition}:${record.offset}`, record.value as string);
        if (page.records.length === 0 || page.nextOffset >= page.endOffset) break;
        offset = page.nextOffset;
      }
    }
    const before = acked.filter((record) => record.beforeBackup);
    expect(before.length).toBeGreaterThanOrEqual(5_000);
    const missing = before.filter((record) => served.get(`${record.partition}:${record.offset}`) !== record.value);
    expect(missing).toEqual([]);
    // Nothing in the copy that was never acknowledged, and nothing acknowledged is served differently.
    const ackedByPosition = new Map(acked.map((record) => [`${record.partition}:${record.offset}`, record.value]));
    for (const [position, value] of served) expect(ackedByPosition.get(position)).toBe(value);

    // The restored broker takes new records after the restored ones.
    const { offsets } = await restored.client.produce('orders', [{ value: 'after restore' }]);
    expect(served.has(`${offsets[0].partition}:${offsets[0].offset}`)).toBe(false);
  }, 120_000);

  it('refuses to overwrite a file unless --force', async () => {
    const target = join(dir, 'exists.db');
    writeFileSync(target, 'keep me');
    const refused = await shoal(source.url, ['backup', target]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('pass --force');
    const forced = await shoal(source.url, ['backup', target, '--force']);
    expect(forced.code).toBe(0);
    const copy = new Sqlite(target, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
  });

  it('answers 409 UNSUPPORTED_STORAGE on PostgreSQL, where pg_dump and base backups do the job', async () => {
    const storage: TestStorage = await createTestStorage('postgres');
    const broker = await spawnBroker(storage.storage.url);
    try {
      const answer = await fetch(`${broker.url}/v1/admin/backup`, { method: 'POST' });
      expect(answer.status).toBe(409);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_STORAGE');
      const run = await shoal(broker.url, ['backup', join(dir, 'pg.db')]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('UNSUPPORTED_STORAGE');
      expect(existsSync(join(dir, 'pg.db'))).toBe(false);
    } finally {
      await stop(broker);
      await storage.dispose();
    }
  });
});
