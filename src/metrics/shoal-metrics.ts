import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { type Clock, CLOCK } from '../platform/clock.js';
import type { ShareActivityCounts } from '../share-groups/domain/share-activity.js';
import { ChangeSignal } from '../platform/change-signal.js';
import { yieldToEventLoop } from '../platform/yield-to-event-loop.js';
import { Database, type Sql } from '../storage/database.js';
import { metricsStore } from './storage/metrics.store.js';
import { shoalVersion } from '../platform/build-info.js';
import { EventLoopDelay } from './event-loop-delay.js';
import { type Catalogue, createCatalogue } from './metrics.catalogue.js';
import { setStateGauges, type StoredState } from './state-gauges.js';
import { StateExporterLease } from './state-exporter.lease.js';
import { isStorageUnavailable, storageErrorKind } from '../storage/storage-error-kind.js';

/**
 * The one door to prom-client. Events arrive from the features' hooks (`produced`,
 * `shareActivity`: see `MetricsSources`), from the HTTP app and the Kafka listener (timings);
 * `render()` brings the database to the state in force (what is registered with
 * `beforeScrape`, such as applying expired locks), sets the state gauges from it and answers
 * the text format.
 */
@Injectable()
export class ShoalMetrics implements OnApplicationShutdown {
  readonly registry = new Registry();
  private readonly m: Catalogue;
  private readonly logger = new Logger(ShoalMetrics.name);
  private readonly hooks: { name: string; run: () => Promise<unknown> }[] = [];
  private readonly eventLoopDelay: EventLoopDelay;

  constructor(
    private readonly database: Database,
    @Inject(SHOAL_CONFIG) private readonly config: ShoalConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly lease: StateExporterLease,
    private readonly signal: ChangeSignal,
  ) {
    collectDefaultMetrics({ register: this.registry });
    this.m = createCatalogue(this.registry);
    this.m.buildInfo.set({ version: shoalVersion(), node_version: process.version }, 1);
    this.eventLoopDelay = new EventLoopDelay(this.registry);
  }

  onApplicationShutdown(): void {
    this.eventLoopDelay.stop();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  produced(topic: string, records: number, bytes: number): void {
    this.m.recordsProduced.inc({ topic }, records);
    this.m.bytesProduced.inc({ topic }, bytes);
  }

  shareActivity(group: string, activity: ShareActivityCounts): void {
    for (const [topic, a] of activity.byTopic) {
      const labels = { group, topic };
      if (a.acquired > 0) this.m.shareAcquired.inc(labels, a.acquired);
      if (a.redelivered > 0) this.m.shareRedelivered.inc(labels, a.redelivered);
      if (a.lockTimeouts > 0) this.m.shareLockTimeouts.inc(labels, a.lockTimeouts);
      if (a.deadLettered > 0) this.m.shareDeadLettered.inc(labels, a.deadLettered);
      for (const [type, n] of Object.entries(a.acks)) if (n > 0) this.m.shareAcks.inc({ ...labels, type }, n);
      for (const [reason, n] of Object.entries(a.archived))
        if (n > 0) this.m.shareArchived.inc({ ...labels, reason }, n);
    }
  }

  /** A finished request: `waitedSeconds` of long-poll waiting is kept out of its latency and counted apart. */
  httpRequest(method: string, route: string, status: number, seconds: number, waitedSeconds = 0): void {
    this.m.httpDuration.observe({ method, route, status: String(status) }, Math.max(0, seconds - waitedSeconds));
    if (waitedSeconds > 0) this.m.httpLongPollWait.observe({ method, route }, waitedSeconds);
  }

  /** A Kafka-protocol request answered (or, for a produce with acks=0, served) after `seconds`. */
  kafkaRequest(api: string, seconds: number): void {
    this.m.kafkaRequestDuration.observe({ api }, seconds);
  }

  /** A Kafka connection the broker closed: `protocol`, `idle` or `limit`. */
  kafkaConnectionClosed(reason: 'protocol' | 'idle' | 'limit'): void {
    this.m.kafkaConnectionsClosed.inc({ reason });
  }

  /** Counts a request the database failed (disk full, I/O, read-only, corrupt, connection); other errors are ignored. */
  failed(error: unknown): void {
    const kind = storageErrorKind(error);
    if (kind !== undefined) this.m.storageErrors.inc({ kind });
    if (isStorageUnavailable(error)) this.m.storageUnavailableRefusals.inc();
  }

  /** Runs `run` before every scrape reads the state gauges: what time has done is applied first. */
  beforeScrape(name: string, run: () => Promise<unknown>): void {
    this.hooks.push({ name, run });
  }

  /**
   * The text format. While the database cannot be reached the scrape still answers: the state
   * gauges are left out and `shoal_storage_available` is 0.
   */
  async render(): Promise<string> {
    const exporter = await this.lease.holds();
    this.m.brokerInfo.reset();
    this.m.brokerInfo.set({ role: exporter ? 'state_exporter' : 'standby' }, 1);
    // Unreachable lately: one cheap probe first (its success marks the database available again).
    if (!this.database.availability.available) await this.database.run((sql) => sql.rows('SELECT 1')).catch(() => 0);
    if (exporter && this.database.availability.available) await this.exportState();
    else this.resetStateGauges(); // another broker exports the state; this one only its own events
    this.m.longPollsWaiting.set(this.signal.waiting);
    this.m.storageAvailable.set(this.database.availability.available ? 1 : 0);
    return this.registry.metrics();
  }

  private async exportState(): Promise<void> {
    for (const hook of this.hooks) {
      // A failed hook (say, a deadlock victim) must not fail the scrape: the gauges show the stored state.
      await hook
        .run()
        .catch((error: unknown) => this.logger.warn(`${hook.name} before scrape failed: ${String(error)}`));
    }
    try {
      await this.refreshState();
    } catch (error) {
      if (!isStorageUnavailable(error)) throw error;
      this.resetStateGauges();
    }
  }

  /** Sets every state gauge from the database, dropping series of things that are gone. */
  private async refreshState(): Promise<void> {
    // One query per turn of the event loop: requests go between them instead of waiting for all.
    const read = async <T>(query: (sql: Sql) => Promise<T>): Promise<T> => {
      await yieldToEventLoop();
      return this.database.run(query);
    };
    const state: StoredState = {
      partitions: await read((sql) => metricsStore.partitions(sql)),
      consumerPositions: await read((sql) => metricsStore.consumerPositions(sql)),
      consumerMembers: await read((sql) => metricsStore.members(sql, 'consumer')),
      shareMembers: await read((sql) => metricsStore.members(sql, 'share')),
      shareWindows: await read((sql) => metricsStore.shareWindows(sql)),
    };
    this.resetStateGauges();
    setStateGauges(this.m, state, { detail: this.config.metricsPartitionDetail ?? true, now: this.clock.now() });
  }

  private resetStateGauges(): void {
    for (const gauge of Object.values(this.m))
      if ('set' in gauge && !('observe' in gauge) && gauge !== this.m.buildInfo && gauge !== this.m.brokerInfo)
        gauge.reset();
  }
}
