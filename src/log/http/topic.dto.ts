import { Type } from 'class-transformer';
import { IsObject, ValidateIf, ValidateNested } from 'class-validator';
import { ErrorCode } from '@shoal/protocol';
import { ErrorCodeFor, withCode } from '../../http/validation/validation.pipe.js';
import {
  CompletedCleanup,
  IdempotencyWindow,
  PartitionCount,
  Retention,
  TopicFlag,
  TopicName,
} from '../../http/validation/validators.js';

const config = withCode(ErrorCode.InvalidConfig);

function TopicConfigField(): PropertyDecorator {
  return (target, property) => {
    // Absent is the default; null is refused (it would reach the service as a config).
    ValidateIf((_object, value) => value !== undefined, config)(target, property);
    IsObject(config)(target, property);
    ValidateNested(config)(target, property);
    Type(() => TopicConfigDto)(target, property);
  };
}

@ErrorCodeFor(ErrorCode.InvalidConfig)
export class TopicConfigDto {
  @Retention() retentionMs?: number | null;
  @Retention() retentionBytes?: number | null;
  @IdempotencyWindow() idempotencyWindowMs?: number | null;
  @TopicFlag() retentionRespectsShareGroups?: boolean | null;
  @CompletedCleanup() completedMaxAgeMs?: number | null;
  @CompletedCleanup() completedMaxCount?: number | null;
}

export class CreateTopicDto {
  @TopicName() name!: string;
  @PartitionCount(false) partitions!: number;
  @TopicConfigField() config?: TopicConfigDto;
}

export class UpdateTopicDto {
  @PartitionCount(true) partitions?: number;
  @TopicConfigField() config?: TopicConfigDto;
}
