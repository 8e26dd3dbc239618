import { DataSource } from 'typeorm';
import { migrations } from '../../src/storage/data-source.js';
import { AddRecordKeyBytes1765069200000 } from '../../src/storage/migrations/1765069200000-add-record-key-bytes.js';
import { decodeRecordBatches } from '../../src/kafka/protocol/record-batch.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { KafkaWireClient } from '../support/kafka-wire-client.js';
import { kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';

/** The schema with `list` migrated, on the test database. */
async function migrated(storage: TestStorage, list: (typeof migrations)[number][]): Promise<DataSource> {
  const options = { migrations: list, migrationsTableName: 'shoal_migration' };
  const { storage: config } = storage;
  const dataSource =
    config.kind === 'postgres'
      ? new DataSource({ type: 'postgres', url: config.url, ...options })
      : new DataSource({ type: 'better-sqlite3', database: config.path, ...options });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

// Rows as the version before the migration wrote them: (offset, key, value_json, value_bytes, headers, size).
const OLD_RECORDS: [number, string | null, string | null, Buffer | null, string | null, number][] = [
  [0, 'customer-7', '{"total":42}', null, '{"trace":"abc","source":"web"}', 10 + 12 + 17],
  [1, null, null, Buffer.from([0, 1, 255]), null, 3],
  [2, '', 'null', null, '{"1":"one","2":"two"}', 4 + 8],
  [3, 'é', null, Buffer.alloc(0), '{"h":"v"}', 2 + 2],
];

describe.each(STORAGE_KINDS)(`${AddRecordKeyBytes1765069200000.name} on %s`, (kind) => {
  let storage: TestStorage;
  let broker: TestBroker | undefined;
  beforeEach(async () => {
    storage = await createTestStorage(kind);
  });
  afterEach(async () => {
    await broker?.close();
    broker = undefined;
    await storage.dispose();
  });

  it('keeps every record and scheduled record the previous version wrote: HTTP and Kafka read them as before', async () => {
    const at = migrations.indexOf(AddRecordKeyBytes1765069200000);
    const before = await migrated(storage, migrations.slice(0, at));
    const p = (sql: string) => sql.replace(/\$\d+/g, (m) => (kind === 'sqlite' ? '?' : m));
    await before.query(p('INSERT INTO shoal_topic (name, partition_count, created_at) VALUES ($1, $2, $3)'), [
      'old-topic',
      1,
      0,
    ]);
    const [{ id }] = (await before.query(p('SELECT id FROM shoal_topic WHERE name = $1'), ['old-topic'])) as {
      id: number;
    }[];
    await before.query(
      p(
        'INSERT INTO shoal_partition (topic_id, partition_id, start_offset, end_offset, max_timestamp, byte_size) VALUES ($1, 0, 0, 4, 1700000000003, 55)',
      ),
      [id],
    );
    for (const [offset, key, json, bytes, headers, size] of OLD_RECORDS)
      await before.query(
        p(`INSERT INTO shoal_record (topic_id, partition_id, record_offset, timestamp, max_timestamp, record_key, value_json, value_bytes, headers, size)
           VALUES ($1, 0, $2, $3, $4, $5, $6, $7, $8, $9)`),
        [id, offset, 1_700_000_000_000 + offset, 1_700_000_000_000 + offset, key, json, bytes, headers, size],
      );
    await before.query(
      p(`INSERT INTO shoal_scheduled_record (id, topic_id, partition_id, deliver_at, timestamp, record_key, value_json, value_bytes, headers, size, idempotency_key, created_at)
         VALUES ($1, $2, 0, $3, NULL, $4, $5, NULL, $6, $7, NULL, 0)`),
      ['sched-1', id, 4_000_000_000_000, 'later-key', '"later"', '{"a":"b"}', 9 + 7 + 2],
    );
    await before.destroy();

    const after = await migrated(storage, migrations.slice(0, at + 1));
    const [{ n }] = (await after.query(
      'SELECT COUNT(*) AS n FROM shoal_record WHERE key_bytes IS NULL AND record_key IS NOT NULL',
    )) as { n: number | string }[];
    expect(Number(n)).toBe(3);
    await after.destroy();

    broker = await startBroker(testConfig(storage.storage, { kafka: kafkaTestConfig() }));
    const { records } = await broker.client.read('old-topic', 0, { offset: 0, maxRecords: 10 });
    const t = (offset: number) => ({ topic: 'old-topic', partition: 0, offset, timestamp: 1_700_000_000_000 + offset });
    // Exactly the old shape: no keyBase64, tombstone or headerList on any of them.
    expect(records).toEqual([
      { ...t(0), key: 'customer-7', value: { total: 42 }, headers: { trace: 'abc', source: 'web' } },
      { ...t(1), key: null, valueBase64: 'AAH/', headers: {} },
      { ...t(2), key: '', value: null, headers: { 1: 'one', 2: 'two' } },
      { ...t(3), key: 'é', valueBase64: '', headers: { h: 'v' } },
    ]);
    const scheduled = (await (await fetch(`${broker.url}/v1/topics/old-topic/scheduled-records`)).json()) as {
      scheduledRecords: unknown[];
    };
    expect(scheduled.scheduledRecords).toEqual([
      {
        id: 'sched-1',
        topic: 'old-topic',
        partition: 0,
        deliverAt: 4_000_000_000_000,
        key: 'later-key',
        value: 'later',
        headers: { a: 'b' },
        idempotencyKey: null,
      },
    ]);

    // Kafka reads the same bytes as before; a binary key now fits in the migrated table.
    const wire = await KafkaWireClient.connect(kafkaPortOf(broker.app));
    try {
      await broker.client.produce('old-topic', [
        { keyBase64: Buffer.from([0xff, 0xfe]).toString('base64'), tombstone: true },
      ]);
      const answer = await wire.request(1, 11, {
        replicaId: -1,
        maxWait: 0,
        minBytes: 1,
        maxBytes: 10_000_000,
        isolationLevel: 0,
        topics: [{ name: 'old-topic', fetchPartitions: [{ partitionIndex: 0, fetchOffset: 0, maxBytes: 1_000_000 }] }],
        forgotten: [],
      });
      const set = (answer['responses'] as { partitionResponses: { recordSet: Buffer }[] }[])[0]!.partitionResponses[0]!
        .recordSet;
      const back = decodeRecordBatches(set).flatMap((b) => b.records);
      expect(
        back.map((r) => [
          r.key?.toString('hex') ?? null,
          r.value?.toString('hex') ?? null,
          r.headers.map((h) => [h.key, h.value?.toString()]),
        ]),
      ).toEqual([
        [
          Buffer.from('customer-7').toString('hex'),
          Buffer.from('{"total":42}').toString('hex'),
          [
            ['trace', 'abc'],
            ['source', 'web'],
          ],
        ],
        [null, '0001ff', []],
        [
          '',
          Buffer.from('null').toString('hex'),
          [
            ['1', 'one'],
            ['2', 'two'],
          ],
        ],
        [Buffer.from('é').toString('hex'), '', [['h', 'v']]],
        ['fffe', null, []],
      ]);
    } finally {
      wire.close();
    }
  });
});
