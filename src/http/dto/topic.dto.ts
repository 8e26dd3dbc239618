import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsPositive, IsString, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { ErrorCode, MAX_PARTITIONS, MIN_PARTITIONS, NAME_PATTERN } from '@shoal/protocol';
import { ErrorCodeFor, withCode } from '../validation.js';

const config = withCode(ErrorCode.InvalidConfig);
const partitions = withCode(ErrorCode.InvalidPartitions);

/** A retention field: a positive integer, or null to keep forever. */
function Retention(): PropertyDecorator {
  return (target, property) => {
    IsOptional(config)(target, property);
    ValidateIf((_o, value) => value !== null, config)(target, property);
    IsInt(config)(target, property);
    IsPositive(config)(target, property);
  };
}

function PartitionCount(optional: boolean): PropertyDecorator {
  return (target, property) => {
    if (optional) IsOptional(partitions)(target, property);
    IsInt(partitions)(target, property);
    Min(MIN_PARTITIONS, partitions)(target, property);
    Max(MAX_PARTITIONS, partitions)(target, property);
  };
}

function TopicConfigField(): PropertyDecorator {
  return (target, property) => {
    IsOptional(config)(target, property);
    IsObject(config)(target, property);
    ValidateNested(config)(target, property);
    Type(() => TopicConfigDto)(target, property);
  };
}

@ErrorCodeFor(ErrorCode.InvalidConfig)
export class TopicConfigDto {
  @Retention() retentionMs?: number | null;
  @Retention() retentionBytes?: number | null;
}

export class CreateTopicDto {
  @IsString(withCode(ErrorCode.InvalidName)) @Matches(NAME_PATTERN, withCode(ErrorCode.InvalidName)) name!: string;
  @PartitionCount(false) partitions!: number;
  @TopicConfigField() config?: TopicConfigDto;
}

export class UpdateTopicDto {
  @PartitionCount(true) partitions?: number;
  @TopicConfigField() config?: TopicConfigDto;
}
