import { KafkaWireClient } from './kafka-wire-client.js';

/** An API's key and the versions a broker answers (from ApiVersions). */
export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/**
 * A Kafka client for tests, on the broker's own codec (through `KafkaWireClient`): it connects,
 * asks ApiVersions (v3) and keeps the answer, then sends any request at any version and decodes
 * the answer. No Node client speaks share groups yet, so the share-group tests drive the broker
 * through this.
 */
export class KafkaTestClient {
  private constructor(
    private readonly wire: KafkaWireClient,
    readonly versions: ApiVersionRange[],
  ) {}

  static async connect(port: number, host = '127.0.0.1', clientId = 'shoal-test'): Promise<KafkaTestClient> {
    const wire = await KafkaWireClient.connect(port, host, clientId);
    const answer = await wire.request(18, 3, { clientSoftwareName: 'shoal-test', clientSoftwareVersion: '1' });
    if (answer.errorCode !== 0) throw new Error(`ApiVersions answered error ${String(answer.errorCode)}`);
    return new KafkaTestClient(wire, answer.apiKeys as ApiVersionRange[]);
  }

  /** SASL/PLAIN (SaslHandshake v1, SaslAuthenticate v2): the username is the principal, the password its API key. */
  async authenticate(username: string, password: string): Promise<void> {
    const handshake = await this.wire.request(17, 1, { mechanism: 'PLAIN' });
    if (handshake.errorCode !== 0) throw new Error(`SaslHandshake answered error ${String(handshake.errorCode)}`);
    const authBytes = Buffer.from(`\u0000${username}\u0000${password}`, 'utf8');
    const answer = await this.wire.request(36, 2, { authBytes });
    if (answer.errorCode !== 0) throw new Error(`SaslAuthenticate answered error ${String(answer.errorCode)}`);
  }

  /** The versions the broker answers for `apiKey`, or undefined. */
  versionsOf(apiKey: number): ApiVersionRange | undefined {
    return this.versions.find((v) => v.apiKey === apiKey);
  }

  /** Sends one request at `version` and answers the decoded response body. */
  send(apiKey: number, version: number, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.wire.request(apiKey, version, body);
  }

  close(): void {
    this.wire.close();
  }
}
