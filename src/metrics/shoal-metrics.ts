import { Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { ShareActivityCounts } from '../domain/share-group/share-activity.js';
import { Database } from '../storage/database.js';
import { metricsStore } from '../storage/metrics.store.js';
import { type Catalogue, createCatalogue } from './metrics.catalogue.js';

/**
 * The one door to prom-client. Services report events (`produced`, `shareActivity`, HTTP
 * timings); `render()` brings the database to the state in force (the hooks services register
 * with `beforeScrape`, such as applying expired locks), sets the state gauges from it and
 * answers the text format.
 */
@Injectable()
export class ShoalMetrics {
  readonly registry = new Registry();
  private readonly m: Catalogue;
  private readonly logger = new Logger(ShoalMetrics.name);
  private readonly hooks: { name: string; run: () => Promise<unknown> }[] = [];

  constructor(private readonly database: Database) {
    collectDefaultMetrics({ register: this.registry });
    this.m = createCatalogue(this.registry);
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
      for (const [reason, n] of Object.entries(a.archived)) if (n > 0) this.m.shareArchived.inc({ ...labels, reason }, n);
    }
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.m.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  /** Runs `run` before every scrape reads the state gauges: what time has done is applied first. */
  beforeScrape(name: string, run: () => Promise<unknown>): void {
    this.hooks.push({ name, run });
  }

  async render(): Promise<string> {
    for (const hook of this.hooks) {
      // A failed hook (say, a deadlock victim) must not fail the scrape: the gauges show the stored state.
      await hook.run().catch((error: unknown) => this.logger.warn(`${hook.name} before scrape failed: ${String(error)}`));
    }
    await this.refreshState();
    return this.registry.metrics();
  }

  /** Sets every state gauge from the database, dropping series of things that are gone. */
  private async refreshState(): Promise<void> {
    const m = this.m;
    const [partitions, committed, consumerMembers, shareMembers, windows] = await this.database.run(async (sql) => [
      await metricsStore.partitions(sql),
      await metricsStore.committed(sql),
      await metricsStore.members(sql, 'consumer'),
      await metricsStore.members(sql, 'share'),
      await metricsStore.shareWindows(sql),
    ] as const);
    for (const gauge of Object.values(m)) if ('set' in gauge && !('observe' in gauge)) gauge.reset();

    const partitionCounts = new Map<string, number>();
    for (const p of partitions) {
      const labels = { topic: p.topic, partition: String(p.partition) };
      m.logStartOffset.set(labels, p.startOffset);
      m.logEndOffset.set(labels, p.endOffset);
      m.kafkaOldestOffset.set(labels, p.startOffset);
      m.kafkaCurrentOffset.set(labels, p.endOffset);
      partitionCounts.set(p.topic, (partitionCounts.get(p.topic) ?? 0) + 1);
    }
    for (const [topic, count] of partitionCounts) m.kafkaTopicPartitions.set({ topic }, count);

    for (const c of committed) {
      const lag = Math.max(0, c.endOffset - c.committedOffset);
      const labels = { group: c.group, topic: c.topic, partition: String(c.partition) };
      const kafka = { consumergroup: c.group, topic: c.topic, partition: String(c.partition) };
      m.committedOffset.set(labels, c.committedOffset);
      m.consumerLag.set(labels, lag);
      m.kafkaGroupOffset.set(kafka, c.committedOffset);
      m.kafkaGroupLag.set(kafka, lag);
      m.kafkaGroupOffsetSum.inc({ consumergroup: c.group, topic: c.topic }, c.committedOffset);
      m.kafkaGroupLagSum.inc({ consumergroup: c.group, topic: c.topic }, lag);
    }
    for (const { group, members } of consumerMembers) {
      m.groupMembers.set({ group, kind: 'consumer' }, members);
      m.kafkaGroupMembers.set({ consumergroup: group }, members);
    }
    for (const { group, members } of shareMembers) m.groupMembers.set({ group, kind: 'share' }, members);

    for (const w of windows) {
      const labels = { group: w.group, topic: w.topic, partition: String(w.partition) };
      const start = Math.max(w.startOffset, w.logStartOffset);
      m.shareStartOffset.set(labels, start);
      m.shareInFlight.set({ ...labels, state: 'available' }, w.available);
      m.shareInFlight.set({ ...labels, state: 'acquired' }, w.acquired);
      m.shareLag.set(labels, Math.max(0, w.logEndOffset - start - w.final));
    }
  }
}
