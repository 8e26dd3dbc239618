import { Module } from '@nestjs/common';
import { ConsumerGroupsModule } from '../consumer-groups/consumer-groups.module.js';
import { LogModule } from '../log/log.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { OperationsModule } from '../operations/operations.module.js';
import { SecurityModule } from '../security/security.module.js';
import { ShareGroupsModule } from '../share-groups/share-groups.module.js';
import { StorageModule } from '../storage/storage.module.js';
import { KAFKA_GROUP_PROVIDERS } from './groups/kafka-group.providers.js';
import { KafkaConsumerGroupSide, KafkaShareMembers } from './kafka-group-sides.js';
import { KAFKA_PROVIDERS } from './kafka.providers.js';

/**
 * The Kafka protocol front door. Always loaded (its group state is shared with the HTTP groups,
 * through their hooks); the listener opens a port only when `SHOAL_KAFKA_PORT` is set.
 */
@Module({
  imports: [
    StorageModule,
    LogModule,
    SecurityModule,
    ConsumerGroupsModule,
    ShareGroupsModule,
    OperationsModule,
    MetricsModule,
  ],
  providers: [...KAFKA_PROVIDERS, ...KAFKA_GROUP_PROVIDERS, KafkaConsumerGroupSide, KafkaShareMembers],
})
export class KafkaModule {}
