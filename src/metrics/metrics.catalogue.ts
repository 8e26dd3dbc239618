import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Every series Shoal exports, in one place. Counters count events in this process; gauges
 * describe stored state and are set from the database at each scrape. Labels stay
 * low-cardinality: topic, partition, group, and small enums — never member ids or offsets.
 */
export function createCatalogue(registry: Registry) {
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge({ name, help, labelNames, registers });
  return {
    recordsProduced: counter('shoal_records_produced_total', 'Records appended to the log by produce requests.', [
      'topic',
    ]),
    bytesProduced: counter(
      'shoal_bytes_produced_total',
      'Bytes (key + value + headers) appended by produce requests.',
      ['topic'],
    ),
    shareAcquired: counter(
      'shoal_share_records_acquired_total',
      'Records acquired by share-group members (deliveries).',
      ['group', 'topic'],
    ),
    shareRedelivered: counter(
      'shoal_share_records_redelivered_total',
      'Acquisitions of records delivered before (delivery count above 1).',
      ['group', 'topic'],
    ),
    shareAcks: counter('shoal_share_acks_total', 'Records acknowledged, by acknowledgement type.', [
      'group',
      'topic',
      'type',
    ]),
    shareLockTimeouts: counter(
      'shoal_share_lock_timeouts_total',
      'Acquisition locks that ran out before an acknowledgement.',
      ['group', 'topic'],
    ),
    shareArchived: counter(
      'shoal_share_records_archived_total',
      'Records archived, by reason (rejected or delivery_limit).',
      ['group', 'topic', 'reason'],
    ),
    shareDeadLettered: counter(
      'shoal_share_records_dead_lettered_total',
      'Archived records copied to the group’s dead-letter topic.',
      ['group', 'topic'],
    ),
    httpDuration: new Histogram({
      name: 'shoal_http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    longPollsWaiting: gauge(
      'shoal_long_polls_waiting',
      'Long polls waiting in this process for a change or their maxWait: HTTP reads and fetches, Kafka Fetch, ShareFetch and JoinGroup.',
      [],
    ),
    httpLongPollWait: new Histogram({
      name: 'shoal_http_long_poll_wait_seconds',
      help: 'Time long-polling requests (reads and fetches with maxWaitMs) spent waiting for data; left out of shoal_http_request_duration_seconds.',
      labelNames: ['method', 'route'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    kafkaRequestDuration: new Histogram({
      name: 'shoal_kafka_request_duration_seconds',
      help: 'Kafka-protocol requests by API, from reading the request to writing its answer (long-poll waits of Fetch, ShareFetch and JoinGroup included).',
      labelNames: ['api'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    kafkaConnectionsClosed: counter(
      'shoal_kafka_connections_closed_total',
      'Kafka connections the broker closed, by reason: protocol (a frame it could not serve), idle, limit (refused at SHOAL_KAFKA_MAX_CONNECTIONS).',
      ['reason'],
    ),
    storageErrors: counter(
      'shoal_storage_errors_total',
      'Requests failed by the database: disk full, I/O error, read-only or corrupt database, connection lost.',
      ['kind'],
    ),
    storageUnavailableRefusals: counter(
      'shoal_storage_unavailable_refusals_total',
      'HTTP requests refused with 503 STORAGE_UNAVAILABLE because the database could not be reached.',
      [],
    ),
    storageAvailable: gauge(
      'shoal_storage_available',
      '1 while this broker reaches its database, 0 from a use that failed for want of a connection until one succeeds.',
      [],
    ),
    buildInfo: gauge('shoal_build_info', 'Always 1; the broker version and Node.js version as labels.', [
      'version',
      'node_version',
    ]),
    brokerInfo: gauge(
      'shoal_broker_info',
      'Always 1; role "state_exporter" on the one broker of a database that exports the database-derived gauges, "standby" on the others.',
      ['role'],
    ),
    logStartOffset: gauge('shoal_log_start_offset', 'First offset still stored in a partition.', [
      'topic',
      'partition',
    ]),
    logEndOffset: gauge('shoal_log_end_offset', 'Offset the next record of a partition will get.', [
      'topic',
      'partition',
    ]),
    committedOffset: gauge(
      'shoal_consumer_group_committed_offset',
      'A consumer group’s committed offset (the next to read).',
      ['group', 'topic', 'partition'],
    ),
    consumerLag: gauge(
      'shoal_consumer_group_lag',
      'Log end offset minus the committed offset (the log start offset while nothing is committed).',
      ['group', 'topic', 'partition'],
    ),
    consumerLagSeconds: gauge(
      'shoal_consumer_group_lag_seconds',
      'Age of the oldest record not yet consumed (the one at the committed offset); 0 when caught up.',
      ['group', 'topic', 'partition'],
    ),
    consumerMaxLagSeconds: gauge(
      'shoal_consumer_group_max_lag_seconds',
      'Age of the oldest record a consumer group has not yet consumed, over its partitions.',
      ['group'],
    ),
    groupMembers: gauge('shoal_group_members', 'Members of a group, by kind (consumer or share).', ['group', 'kind']),
    consumerGroupProtocol: gauge(
      'shoal_consumer_group_protocol',
      'Always 1: which protocol runs a consumer group (http, or kafka for groups joined through the Kafka listener).',
      ['group', 'protocol'],
    ),
    shareInFlight: gauge(
      'shoal_share_in_flight_records',
      'Records in a share-partition’s window, by state (available or acquired).',
      ['group', 'topic', 'partition', 'state'],
    ),
    shareLag: gauge(
      'shoal_share_group_lag',
      'Records at or after a share-partition’s start offset that are not yet acknowledged or archived.',
      ['group', 'topic', 'partition'],
    ),
    shareLagSeconds: gauge(
      'shoal_share_group_lag_seconds',
      'Age of the oldest record not yet final (the one at the start offset); 0 when none waits.',
      ['group', 'topic', 'partition'],
    ),
    shareMaxLagSeconds: gauge(
      'shoal_share_group_max_lag_seconds',
      'Age of the oldest record of a share group not yet acknowledged or archived (the oldest waiting job).',
      ['group'],
    ),
    shareStartOffset: gauge(
      'shoal_share_start_offset',
      'A share-partition’s start offset: everything below is final.',
      ['group', 'topic', 'partition'],
    ),
    // kafka_exporter's names, so dashboards built for it (Grafana 7589) work unchanged.
    kafkaTopicPartitions: gauge('kafka_topic_partitions', 'Partitions of a topic (kafka_exporter name).', ['topic']),
    kafkaCurrentOffset: gauge(
      'kafka_topic_partition_current_offset',
      'Newest offset of a partition (kafka_exporter name).',
      ['topic', 'partition'],
    ),
    kafkaOldestOffset: gauge(
      'kafka_topic_partition_oldest_offset',
      'Oldest offset of a partition (kafka_exporter name).',
      ['topic', 'partition'],
    ),
    kafkaGroupOffset: gauge(
      'kafka_consumergroup_current_offset',
      'Committed offset of a consumer group (kafka_exporter name).',
      ['consumergroup', 'topic', 'partition'],
    ),
    kafkaGroupOffsetSum: gauge(
      'kafka_consumergroup_current_offset_sum',
      'Committed offsets summed per topic (kafka_exporter name).',
      ['consumergroup', 'topic'],
    ),
    kafkaGroupLag: gauge('kafka_consumergroup_lag', 'Consumer group lag (kafka_exporter name).', [
      'consumergroup',
      'topic',
      'partition',
    ]),
    kafkaGroupLagSum: gauge(
      'kafka_consumergroup_lag_sum',
      'Consumer group lag summed per topic (kafka_exporter name).',
      ['consumergroup', 'topic'],
    ),
    kafkaGroupMembers: gauge('kafka_consumergroup_members', 'Members of a consumer group (kafka_exporter name).', [
      'consumergroup',
    ]),
  };
}

export type Catalogue = ReturnType<typeof createCatalogue>;
