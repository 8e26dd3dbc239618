import { Server } from 'node:net';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { ChangeSignal } from './change-signal.js';

/** At most this long, every answer closes its connection before the server closes the idle ones. */
const MAX_DRAIN_MS = 1_000;

/**
 * The first step of a graceful shutdown, before Nest closes the HTTP server: the server stops
 * accepting connections (a client's next connection is refused, which every client and proxy
 * may safely retry elsewhere), and every waiting long poll (read, consumer fetch, share fetch)
 * answers at once with what there is, as when its `maxWaitMs` runs out; later ones do not wait.
 * For a short drain every answer carries `Connection: close`, so busy keep-alive clients learn
 * to reconnect from an answer rather than from a reset of a connection they were about to
 * reuse. Then Fastify's close ends the connections left idle and lets the requests in flight
 * finish; the database closes last.
 */
@Injectable()
export class LongPollCloser implements BeforeApplicationShutdown {
  private readonly logger = new Logger(LongPollCloser.name);
  private closing = false;

  constructor(
    private readonly signal: ChangeSignal,
    @Inject(SHOAL_CONFIG) private readonly config: ShoalConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** True once shutdown began: answers should close their connection. */
  get draining(): boolean {
    return this.closing;
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(`shutting down${signal ? ` on ${signal}` : ''}: answering waiting long polls`);
    this.closing = true;
    this.stopAccepting();
    this.signal.close();
    const drainMs = Math.min(MAX_DRAIN_MS, (this.config.shutdownGraceMs ?? 10_000) / 4);
    await new Promise((resolve) => setTimeout(resolve, drainMs));
  }

  /**
   * Closes the listening socket only: `http.Server.close` would also end the idle keep-alive
   * connections now, racing clients about to send on them. Fastify's close later finds the
   * server stopped, which it allows.
   */
  private stopAccepting(): void {
    const server: unknown = this.adapterHost.httpAdapter?.getHttpServer();
    if (server instanceof Server && server.listening) Server.prototype.close.call(server);
  }
}
