import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { AppModule } from '../../src/app.module.js';
import type { ShoalConfig } from '../../src/config/shoal-config.js';
import { ManualClock } from '../../src/platform/clock.js';
import type { AppendRecord } from '../../src/log/domain/record.js';
import { encodeRecord } from '../../src/log/domain/record-codec.js';
import { ConsumerFetchService } from '../../src/consumer-groups/consumer-fetch.service.js';
import { ConsumerGroupService } from '../../src/consumer-groups/consumer-group.service.js';
import { ProduceService } from '../../src/log/produce.service.js';
import { ShoalMetrics } from '../../src/metrics/shoal-metrics.js';
import { ShareFetchService } from '../../src/share-groups/share-fetch.service.js';
import { ShareGroupService } from '../../src/share-groups/share-group.service.js';
import { ReadService } from '../../src/log/read.service.js';
import { RetentionService } from '../../src/log/retention.service.js';
import { TopicService } from '../../src/log/topic.service.js';
import { TopicPurger } from '../../src/log/topic-purger.js';
import { Database } from '../../src/storage/database.js';
import type { ProduceRecord } from '@shoal/protocol';
import { createTestStorage, type StorageKind, testConfig, type TestStorage } from './storage.js';

/** The broker's services on a real database, without HTTP, with a manual clock. */
export interface LogContext {
  clock: ManualClock;
  topics: TopicService;
  producer: ProduceService;
  reader: ReadService;
  retention: RetentionService;
  groups: ConsumerGroupService;
  consumerFetch: ConsumerFetchService;
  shares: ShareGroupService;
  shareFetch: ShareFetchService;
  metrics: ShoalMetrics;
  /** Any provider of the running application (services added after this interface was written). */
  service<T>(type: new (...args: never[]) => T): T;
  purger: TopicPurger;
  database: Database;
  /** Encodes and produces, as the HTTP layer would. */
  produce(topic: string, records: ProduceRecord[]): ReturnType<ProduceService['produce']>;
  /** Closes the application and opens a new one on the same database. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Retention runs when a test calls `retention.sweep(now)`: the broker's own sweep (a real-time
 * timer) would apply the manual clock's latest time between a test's steps and delete what the
 * test is about to count (a pack suite saw 65 deleted where it expected 130).
 */
const SWEEPS_BY_HAND: Partial<ShoalConfig> = { retentionIntervalMs: 3_600_000 };

/**
 * `storage` opens an existing database (the caller disposes of it); else a fresh one is made.
 * `overrides` change the broker config (a small `security.maxResponseBytes`, say).
 */
export async function openLogContext(
  kind: StorageKind,
  startAt = Date.now(),
  existing?: TestStorage,
  overrides: Partial<ShoalConfig> = {},
): Promise<LogContext> {
  const storage: TestStorage = existing ?? (await createTestStorage(kind));
  const clock = new ManualClock(startAt);
  let app: INestApplicationContext = await boot();

  async function boot(): Promise<INestApplicationContext> {
    const created = await NestFactory.createApplicationContext(
      AppModule.forRoot({ config: testConfig(storage.storage, { ...SWEEPS_BY_HAND, ...overrides }), clock }),
      { logger: false },
    );
    return created.init();
  }

  const context: LogContext = {
    clock,
    get topics() {
      return app.get(TopicService);
    },
    get producer() {
      return app.get(ProduceService);
    },
    get reader() {
      return app.get(ReadService);
    },
    get retention() {
      return app.get(RetentionService);
    },
    get groups() {
      return app.get(ConsumerGroupService);
    },
    get consumerFetch() {
      return app.get(ConsumerFetchService);
    },
    get shares() {
      return app.get(ShareGroupService);
    },
    get shareFetch() {
      return app.get(ShareFetchService);
    },
    get metrics() {
      return app.get(ShoalMetrics);
    },
    service(type) {
      return app.get(type);
    },
    get purger() {
      return app.get(TopicPurger);
    },
    get database() {
      return app.get(Database);
    },
    produce(topic, records) {
      const encoded: AppendRecord[] = records.map((r, i) => encodeRecord(r, i, 1024 * 1024));
      return app.get(ProduceService).produce(topic, encoded);
    },
    async restart() {
      await app.close();
      app = await boot();
    },
    async close() {
      await app.close();
      if (!existing) await storage.dispose();
    },
  };
  return context;
}
