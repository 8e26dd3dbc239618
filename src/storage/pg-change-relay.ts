import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { ChangeSignal } from '../platform/change-signal.js';

/** The channel every broker of one database listens on. */
export const CHANGE_CHANNEL = 'shoal_change';
/** PostgreSQL's payload limit is 8,000 bytes; keys are ASCII. */
const MAX_PAYLOAD = 7_000;
const RECONNECT_MS = 1_000;

/**
 * Carries change-signal keys between broker processes on one PostgreSQL with LISTEN/NOTIFY, on
 * one connection of its own. Keys committed here are coalesced: those noted while a NOTIFY is
 * on its way go together in the next one (one statement, a payload per 7,000 bytes), so a burst
 * of appends costs a few notifications, not one per record or request. A notification names its
 * sender, which ignores its own. While the connection is down waits end by their time, as before;
 * after a reconnect every waiter is woken once to look again. SQLite: nothing to do.
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

  constructor(
    @Inject(SHOAL_CONFIG) private readonly config: ShoalConfig,
    private readonly signal: ChangeSignal,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.storage.kind !== 'postgres') return;
    this.signal.relayTo((key) => this.publish(key));
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
    const client = new pg.Client({ connectionString: this.config.storage.url });
    client.on('notification', (message) => this.receive(message.payload));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    this.client = client;
    // Changes made elsewhere while this connection was down were not heard: everyone looks again.
    this.signal.notifyAll();
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.client === client) this.client = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.closing || this.reconnectTimer) return;
    this.logger.warn(`change relay connection lost (${String(error)}); reconnecting`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, RECONNECT_MS);
    this.reconnectTimer.unref();
  }
}
