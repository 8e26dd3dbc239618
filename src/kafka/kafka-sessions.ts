import { Injectable } from '@nestjs/common';
import type { Principal } from '../security/api-key.service.js';

/** What one connection has negotiated: its SASL mechanism and, once authenticated, its principal. */
export interface KafkaSession {
  mechanism: string | null;
  principal: Principal | null;
}

/** Per-connection state the SASL handlers write and the connection and authorizer read. */
@Injectable()
export class KafkaSessions {
  private readonly sessions = new Map<string, KafkaSession>();

  open(connectionId: string): void {
    this.sessions.set(connectionId, { mechanism: null, principal: null });
  }

  close(connectionId: string): void {
    this.sessions.delete(connectionId);
  }

  get(connectionId: string): KafkaSession | undefined {
    return this.sessions.get(connectionId);
  }
}
