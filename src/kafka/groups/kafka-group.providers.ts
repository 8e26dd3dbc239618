import type { Provider } from '@nestjs/common';
import { KafkaGroupCoordinator } from './kafka-group.coordinator.js';
import { KafkaGroupService } from './kafka-group.service.js';
import { KafkaGroupView } from './kafka-group-view.js';
import { KafkaOffsetsService } from './kafka-offsets.service.js';
import { KafkaConsumerGroupDoor } from './kafka-consumer-group-door.js';

/** The Kafka classic group protocol's services (the Kafka listener's group handlers use them). */
export const KAFKA_GROUP_PROVIDERS: Provider[] = [
  KafkaGroupCoordinator,
  KafkaGroupService,
  KafkaOffsetsService,
  KafkaGroupView,
  KafkaConsumerGroupDoor,
];
