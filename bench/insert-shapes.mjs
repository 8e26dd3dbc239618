/* global console, process */
// better-sqlite3 alone: CPU per 1,000-row transaction (4 partitions, 100-byte JSON values, WAL,
// synchronous=NORMAL) into shoal_record's shape, four ways: multi-row INSERTs of 512/256/…/8 rows
// binding all 11 columns (the broker before issue 29's second round) or only the 7 a keyless
// JSON value fills (after), and a single-row INSERT run once per row (as the kit's probe inserts)
// with 11 or 7 columns. CPU time, not wall time: it holds on a shared machine.
// usage: node bench/insert-shapes.mjs   (env: ROWS=200000, REPS=5)
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const ROWS = Number(process.env.ROWS ?? 200_000);
const REPS = Number(process.env.REPS ?? 5);
const TXN = 1_000;
const PARTITIONS = 4;
const value = JSON.stringify({ i: 1, s: 'x'.repeat(88) });
const ALL =
  'topic_id, partition_id, record_offset, timestamp, max_timestamp, record_key, key_bytes, value_json, value_bytes, headers, size';
const USED = 'topic_id, partition_id, record_offset, timestamp, max_timestamp, value_json, size';
const rowOf = {
  11: (p, i) => [1, p, i, 1765000000000 + i, 1765000000000 + i, null, null, value, null, null, 120],
  7: (p, i) => [1, p, i, 1765000000000 + i, 1765000000000 + i, value, 120],
};

function fresh() {
  const file = join(tmpdir(), `insert-shapes-${process.pid}.db`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE shoal_record (topic_id INTEGER NOT NULL, partition_id INTEGER NOT NULL,
    record_offset INTEGER NOT NULL, timestamp INTEGER NOT NULL, max_timestamp INTEGER NOT NULL,
    record_key TEXT NULL, value_json TEXT NULL, value_bytes BLOB NULL, headers TEXT NULL, size INTEGER NOT NULL,
    key_bytes BLOB NULL, PRIMARY KEY (topic_id, partition_id, record_offset)) WITHOUT ROWID`);
  return db;
}

/** Runs the rows of one transaction into `db` the given way. */
function inserter(db, multi, width) {
  const columns = width === 11 ? ALL : USED;
  const row = `(${Array(width).fill('?').join(',')})`;
  const statements = new Map();
  const statement = (rows) => {
    if (!statements.has(rows))
      statements.set(
        rows,
        db.prepare(`INSERT INTO shoal_record (${columns}) VALUES ${Array(rows).fill(row).join(',')}`),
      );
    return statements.get(rows);
  };
  return (rows) => {
    const params = rows.flatMap(([p, i]) => rowOf[width](p, i));
    if (!multi) {
      for (let at = 0; at < params.length; at += width) statement(1).run(params.slice(at, at + width));
      return;
    }
    let at = 0;
    while (at < rows.length) {
      let size = 512;
      while (size > rows.length - at) size >>= 1;
      statement(size).run(params.slice(at * width, (at + size) * width));
      at += size;
    }
  };
}

const ways = {
  'multi-row, 11 columns': [true, 11],
  'multi-row, 7 columns': [true, 7],
  'single-row, 11 columns': [false, 11],
  'single-row, 7 columns': [false, 7],
};
const results = {};
for (let rep = 0; rep < REPS; rep++) {
  for (const [name, [multi, width]] of Object.entries(ways)) {
    const db = fresh();
    const insert = inserter(db, multi, width);
    const begin = db.prepare('BEGIN IMMEDIATE');
    const commit = db.prepare('COMMIT');
    let ms = 0;
    for (let from = 0; from < ROWS; from += TXN) {
      const rows = [];
      for (let p = 0; p < PARTITIONS; p++)
        for (let i = from / PARTITIONS; i < (from + TXN) / PARTITIONS; i++) rows.push([p, i]);
      const cpu = process.cpuUsage();
      begin.run();
      insert(rows);
      commit.run();
      const used = process.cpuUsage(cpu);
      ms += (used.user + used.system) / 1000;
    }
    (results[name] ??= []).push(Number((ms / (ROWS / TXN)).toFixed(2)));
    db.close();
  }
}
console.log('CPU ms per 1,000-row transaction, each run:');
for (const [name, runs] of Object.entries(results)) console.log(`  ${name.padEnd(24)} ${runs.join('  ')}`);
