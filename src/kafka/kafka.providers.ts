import type { Provider } from '@nestjs/common';
import { KAFKA_HANDLERS } from './handlers/index.js';
import type { KafkaApiHandler } from './kafka-api.js';
import { KafkaHandlerRegistry, KAFKA_HANDLER_LIST } from './kafka-handler.registry.js';
import { KafkaListener } from './kafka.listener.js';
import { KafkaSessions } from './kafka-sessions.js';
import { KafkaAuthorizer } from './kafka-authorizer.js';
import { ProducerSequences } from './records/producer-sequences.js';
import { PartitionReader } from '../log/partition-reader.js';
import { NameHashShareTopicIds } from './share/name-hash-topic-ids.js';
import { ShareTopicIds } from './share/share-topic-ids.js';
import { ShareAccess } from './share/share-access.js';
import { ShareGroupHeartbeatService } from './share/share-group-heartbeat.service.js';
import { ShareSessionService } from './share/share-session.service.js';
import { KafkaTransactions } from './transactions/kafka-transactions.service.js';

/** Everything the Kafka front door adds to the application's providers. */
export const KAFKA_PROVIDERS: Provider[] = [
  ...KAFKA_HANDLERS,
  { provide: KAFKA_HANDLER_LIST, useFactory: (...handlers: KafkaApiHandler[]) => handlers, inject: KAFKA_HANDLERS },
  KafkaHandlerRegistry,
  KafkaSessions,
  KafkaAuthorizer,
  ProducerSequences,
  PartitionReader,
  KafkaListener,
  { provide: ShareTopicIds, useClass: NameHashShareTopicIds },
  ShareAccess,
  ShareGroupHeartbeatService,
  ShareSessionService,
  KafkaTransactions,
];
