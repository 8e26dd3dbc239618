import 'reflect-metadata';
import { kafkaConfig, kafkaNodeId } from '../../src/config/kafka-config.js';
import { ConfigError } from '../../src/config/config.error.js';
import { configWarnings, loadConfig } from '../../src/config/shoal-config.js';

describe(kafkaConfig.name, () => {
  it('leaves the Kafka listener off without SHOAL_KAFKA_PORT', () => {
    expect(loadConfig({}).kafka).toBeUndefined();
  });

  it('listens where HTTP does by default and advertises that address (localhost for a wildcard)', () => {
    expect(loadConfig({ SHOAL_KAFKA_PORT: '9092' }).kafka).toEqual({
      port: 9092,
      host: '127.0.0.1',
      advertisedHost: '127.0.0.1',
      advertisedPort: 9092,
      maxConnections: 1000,
      maxFrameBytes: 104_857_600,
    });
    const open = loadConfig({ SHOAL_KAFKA_PORT: '9092', SHOAL_ADMIN_API_KEY: 'a-key-of-16-chars-or-more' }).kafka!;
    expect([open.host, open.advertisedHost]).toEqual(['0.0.0.0', 'localhost']);
    const told = loadConfig({
      SHOAL_KAFKA_PORT: '9092',
      SHOAL_KAFKA_HOST: '10.0.0.5',
      SHOAL_KAFKA_ADVERTISED_HOST: 'kafka.example',
      SHOAL_KAFKA_ADVERTISED_PORT: '19092',
      SHOAL_KAFKA_MAX_CONNECTIONS: '5',
      SHOAL_KAFKA_MAX_FRAME_BYTES: '2048',
    }).kafka;
    expect(told).toEqual({
      port: 9092,
      host: '10.0.0.5',
      advertisedHost: 'kafka.example',
      advertisedPort: 19092,
      maxConnections: 5,
      maxFrameBytes: 2048,
    });
  });

  it('refuses bad values with one line each, and knows the variables (no unknown-variable warning)', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({ SHOAL_KAFKA_PORT: '70000', SHOAL_KAFKA_MAX_CONNECTIONS: '0', SHOAL_KAFKA_MAX_FRAME_BYTES: 'big' });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems.map((p) => p.split('=')[0])).toEqual([
      'SHOAL_KAFKA_PORT',
      'SHOAL_KAFKA_MAX_CONNECTIONS',
      'SHOAL_KAFKA_MAX_FRAME_BYTES',
    ]);
    expect(configWarnings({ SHOAL_KAFKA_PORT: '1', SHOAL_KAFKA_ADVERTISED_HOST: 'h' })).toEqual([]);
  });

  it('gives brokers with different advertised addresses different, stable node ids', () => {
    expect(kafkaNodeId('b1', 9092)).toBe(kafkaNodeId('b1', 9092));
    expect(kafkaNodeId('b1', 9092)).not.toBe(kafkaNodeId('b2', 9092));
    expect(kafkaNodeId('b1', 9093)).toBeGreaterThanOrEqual(0);
  });
});
