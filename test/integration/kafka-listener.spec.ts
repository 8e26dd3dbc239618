import { connect } from 'node:net';
import { KafkaListener } from '../../src/kafka/kafka.listener.js';
import { ShoalMetrics } from '../../src/metrics/shoal-metrics.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { KafkaWireClient } from '../support/kafka-wire-client.js';
import { kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
import { createTestStorage, type TestStorage, testConfig } from '../support/storage.js';
import { until } from '../support/until.js';

describe(KafkaListener.name, () => {
  let storage: TestStorage;
  let broker: TestBroker;
  let port: number;
  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    broker = await startBroker(
      testConfig(storage.storage, { kafka: kafkaTestConfig({ maxConnections: 5, maxFrameBytes: 4096 }) }),
    );
    port = kafkaPortOf(broker.app);
  });
  afterAll(async () => {
    await broker.close();
    await storage.dispose();
  });

  it('answers ApiVersions at every version it supports, listing itself', async () => {
    const client = await KafkaWireClient.connect(port);
    for (const version of [0, 1, 2, 3]) {
      const answer = await client.request(18, version, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
      expect(answer['errorCode']).toBe(0);
      expect(answer['apiKeys']).toContainEqual({ apiKey: 18, minVersion: 0, maxVersion: 3 });
    }
    client.close();
  });

  it('answers a too-new ApiVersions with UNSUPPORTED_VERSION at version 0, as Kafka does', async () => {
    const client = await KafkaWireClient.connect(port);
    // The client decodes at version 0, whatever it asked with (the answer's header is always v0).
    const answer = await client.request(18, 9, {}, 0);
    expect(answer['errorCode']).toBe(35);
    expect(answer['apiKeys']).toContainEqual({ apiKey: 18, minVersion: 0, maxVersion: 3 });
    client.close();
  });

  it('closes the connection on an unknown API key, an unsupported version or a malformed frame, and keeps serving others', async () => {
    const bad = [
      Buffer.from([0, 0, 0, 8, 0x7f, 0x00, 0, 0, 0, 0, 0, 1]), // API key 32512
      Buffer.from([0, 0, 0, 8, 0, 3, 0x10, 0, 0, 0, 0, 1]), // Metadata v4096
      Buffer.from([0, 0, 0, 3, 0, 18, 0]), // shorter than a header
      Buffer.from([0, 0, 0x20, 0, 0, 18]), // 8 KiB frame, over the 4 KiB limit
      Buffer.from([0x80, 0, 0, 0]), // negative size
    ];
    for (const bytes of bad) {
      const socket = connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.write(bytes);
      await closed;
    }
    const client = await KafkaWireClient.connect(port);
    expect((await client.request(18, 0, {}))['errorCode']).toBe(0);
    client.close();
  });

  it('closes connections beyond SHOAL_KAFKA_MAX_CONNECTIONS at once', async () => {
    const open = await Promise.all(Array.from({ length: 5 }, () => KafkaWireClient.connect(port)));
    await Promise.all(open.map((c) => c.request(18, 0, {})));
    const extra = await KafkaWireClient.connect(port);
    await extra.closed();
    open[0]!.close();
    await open[0]!.closed();
    await until(() => broker.app.get(KafkaListener).connectionCount < 5);
    const next = await KafkaWireClient.connect(port);
    expect((await next.request(18, 0, {}))['errorCode']).toBe(0);
    for (const c of [...open, next]) c.close();
  });

  it('counts answered requests by API and the connections it closed in /metrics', async () => {
    // The connections of the test before are closing: none may count against the limit of 5.
    await until(() => broker.app.get(KafkaListener).connectionCount === 0);
    const metrics = broker.app.get(ShoalMetrics);
    const sample = async (name: string, labels: Record<string, string>, metricName = name) => {
      const { values } = await metrics.registry.getSingleMetric(name)!.get();
      const found = values.find(
        (v) =>
          ((v as { metricName?: string }).metricName ?? name) === metricName &&
          Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
      );
      return found?.value ?? 0;
    };
    const requests = 'shoal_kafka_request_duration_seconds';
    const closed = 'shoal_kafka_connections_closed_total';
    const before = {
      metadata: await sample(requests, { api: 'Metadata' }, `${requests}_count`),
      protocol: await sample(closed, { reason: 'protocol' }),
    };
    const client = await KafkaWireClient.connect(port);
    await client.request(3, 9, { topics: null });
    await client.request(3, 12, { topics: null });
    client.close();
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const gone = new Promise((resolve) => socket.once('close', resolve));
    socket.write(Buffer.from([0, 0, 0, 8, 0x7f, 0x00, 0, 0, 0, 0, 0, 1])); // an unknown API key
    await gone;
    expect(await sample(requests, { api: 'Metadata' }, `${requests}_count`)).toBe(before.metadata + 2);
    expect(await sample(closed, { reason: 'protocol' })).toBe(before.protocol + 1);
    expect(
      (await metrics.render()).includes('shoal_kafka_request_duration_seconds_bucket{le="0.001",api="ApiVersions"}'),
    ).toBe(true);
  });

  it('refuses to start on a non-loopback SHOAL_KAFKA_HOST without API keys, as HTTP does for HOST', async () => {
    const other = await createTestStorage('sqlite');
    await expect(
      startBroker(testConfig(other.storage, { kafka: kafkaTestConfig({ host: '0.0.0.0' }) })),
    ).rejects.toThrow(/SHOAL_KAFKA_HOST=0\.0\.0\.0/);
    await other.dispose();
  });
});
