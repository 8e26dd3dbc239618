import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type pg from 'pg';
import { type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { primaryClient } from '../storage/pg-hosts.js';

/** The advisory-lock key of the state-gauge exporter ("shoalsg"), one per database. */
const STATE_EXPORTER_LOCK = 0x73686f61;

/**
 * Which broker exports the database-derived gauges (offsets, lag, in-flight, members): with
 * several brokers on one PostgreSQL every one would report the same state and a dashboard's
 * `sum by (group)` would count it once per broker. The broker holding a session-level advisory
 * lock on a connection of its own exports them; the others export only their own counters and
 * histograms. When the holder dies its session ends, the lock is free, and the next scrape of
 * another broker takes it. SQLite: one broker, always the exporter.
 */
@Injectable()
export class StateExporterLease implements OnApplicationShutdown {
  private readonly logger = new Logger(StateExporterLease.name);
  private client: pg.Client | undefined;
  private held = false;
  private failing = false;

  constructor(@Inject(SHOAL_CONFIG) private readonly config: ShoalConfig) {}

  /** True when this broker exports the state gauges; on PostgreSQL, tries to take the lease when free. */
  async holds(): Promise<boolean> {
    if (this.config.storage.kind !== 'postgres') return true;
    if (this.held && this.client) return true;
    try {
      const client = this.client ?? (await this.connect());
      const rows = await client.query<{ taken: boolean }>('SELECT pg_try_advisory_lock($1) AS taken', [
        STATE_EXPORTER_LOCK,
      ]);
      this.held = rows.rows[0]?.taken === true;
      if (this.held) this.logger.log('this broker now exports the database-derived gauges');
      this.failing = false;
    } catch (error) {
      // Once per outage, not per scrape: the database's own log says when it is back.
      if (!this.failing) this.logger.warn(`state exporter lease: ${String(error)}`);
      this.failing = true;
      this.drop();
    }
    return this.held;
  }

  async onApplicationShutdown(): Promise<void> {
    const client = this.client;
    this.drop();
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<pg.Client> {
    const client = primaryClient(this.config.storage.url);
    client.on('error', () => this.drop(client));
    client.on('end', () => this.drop(client));
    await client.connect();
    this.client = client;
    return client;
  }

  /** The connection is gone, and the lock with it. */
  private drop(client = this.client): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.held = false;
    client?.end().catch(() => undefined);
  }
}
