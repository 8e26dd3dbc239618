import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type pg from 'pg';
import { type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { ChangeSignal } from '../platform/change-signal.js';
import { primaryClient } from './pg-hosts.js';

/** The channel every broker of one database listens on. */
export const CHANGE_CHANNEL = 'shoal_change';
/** PostgreSQL's payload limit is 8,000 bytes; keys are ASCII. */
const MAX_PAYLOAD = 7_000;
/** Reconnection backoff: the first retry after this, doubling per failure up to {@link RECONNECT_MAX_MS}. */
const RECONNECT_MS = 250;
const RECONNECT_MAX_MS = 5_000;

/**
 * Carries change-signal keys between broker processes on one PostgreSQL with LISTEN/NOTIFY, on
 * one connection of its own. Keys committed here are coalesced: those noted while a NOTIFY is
 * on its way go together in the next one (one statement, a payload per 7,000 bytes), so a burst
 * of appends costs a few notifications, not one per record or request. A statement that commits
 * on its own may carry its keys itself instead (`ChangeSignal.relayPayload`: PostgreSQL's
 * one-statement produce NOTIFYs them as it commits, no statement of the relay's). A notification
 * names its sender, which ignores its own. While the connection is down waits end by their time, as before;
 * it is opened again with backoff (250 ms doubling to 5 s, to whichever host is the primary
 * now), and after a reconnect every waiter is woken once to look again: what other brokers
 * committed meanwhile was not heard. The loss is logged once per outage. SQLite: nothing to do.
 */
@Injectable()
export class PgChangeRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PgChangeRelay.name);
  private readonly brokerId = randomUUID();
  private readonly pending = new Set<string>();
  private client: pg.Client | undefined;
  private sending: Promise<void> | undefined;
  private closing = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Failed connection attempts since the connection was last up. */
  private failures = 0;

  constructor(
    @Inject(SHOAL_CONFIG) private readonly config: ShoalConfig,
    private readonly signal: ChangeSignal,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.storage.kind !== 'postgres') return;
    this.signal.relayTo(
      (key) => this.publish(key),
      (keys) => this.payloadOf(keys),
    );
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    this.signal.relayTo(undefined);
    await this.sending;
    await this.client?.end().catch(() => undefined);
  }

  private publish(key: string): void {
    if (!this.client) return;
    this.pending.add(key);
    if (!this.sending) this.sending = this.flush();
  }

  /** Sends what is pending, then what gathered meanwhile, until nothing is left. */
  private async flush(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.pending.size > 0 && this.client) {
        const payloads = this.payloads([...this.pending]);
        this.pending.clear();
        await this.client.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [CHANGE_CHANNEL, payloads]);
      }
    } catch (error) {
      this.pending.clear();
      this.logger.warn(`notify failed: ${String(error)}`);
    } finally {
      this.sending = undefined;
    }
  }

  /** One payload carrying `keys`, for a statement to NOTIFY itself; undefined while down or when too long. */
  private payloadOf(keys: string[]): string | undefined {
    if (!this.client) return undefined;
    const payloads = this.payloads(keys);
    return payloads.length === 1 ? payloads[0] : undefined;
  }

  private payloads(keys: string[]): string[] {
    const payloads: string[] = [];
    let current = this.brokerId;
    for (const key of keys) {
      if (current.length + key.length + 1 > MAX_PAYLOAD) {
        payloads.push(current);
        current = this.brokerId;
      }
      current += ` ${key}`;
    }
    payloads.push(current);
    return payloads;
  }

  private receive(payload: string | undefined): void {
    const [sender, ...keys] = (payload ?? '').split(' ');
    if (sender === this.brokerId) return;
    for (const key of keys) this.signal.notifyLocal(key);
  }

  private async connect(): Promise<void> {
    if (this.closing) return;
    const client = primaryClient(this.config.storage.url);
    client.on('notification', (message) => this.receive(message.payload));
    // Never unhandled: a broken connection emits 'error' (and 'end'); both lead to one reconnect.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.closing) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (this.failures > 0) this.logger.log(`change relay connection back after ${this.failures} failed attempt(s)`);
    this.failures = 0;
    // Changes made elsewhere while this connection was down were not heard: everyone looks again.
    this.signal.notifyAll();
  }

  private lost(client: pg.Client, error: unknown): void {
    const wasUp = this.client === client;
    if (wasUp) this.client = undefined;
    client.removeAllListeners('end');
    client.removeAllListeners('notification');
    client.end().catch(() => undefined);
    if (this.closing || this.reconnectTimer) return;
    if (wasUp) this.logger.warn(`change relay connection lost (${String(error)}); reconnecting`);
    else if (this.failures === 0) this.logger.warn(`change relay cannot connect (${String(error)}); retrying`);
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MS * 2 ** this.failures);
    this.failures++;
    this.reconnectTimer = setTimeout(
      () => {
        this.reconnectTimer = undefined;
        void this.connect();
      },
      delay * (0.75 + Math.random() / 4),
    );
    this.reconnectTimer.unref();
  }
}
