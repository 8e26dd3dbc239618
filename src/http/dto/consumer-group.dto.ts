import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { type AutoOffsetReset, ErrorCode, NAME_PATTERN } from '@shoal/protocol';
import { MAX_SESSION_TIMEOUT_MS, MIN_SESSION_TIMEOUT_MS } from '../../domain/consumer-group/consumer-group.js';
import { MAX_WAIT_MS } from './read.dto.js';
import { withCode } from '../validation.js';

const invalidName = withCode(ErrorCode.InvalidName, { each: true });

/** A list of topic names: each one INVALID_NAME if it breaks Kafka's rule. */
function TopicNames(): PropertyDecorator {
  return (target, property) => {
    IsArray()(target, property);
    ArrayNotEmpty()(target, property);
    ArrayMaxSize(1_000)(target, property);
    IsString(invalidName)(target, property);
    Matches(NAME_PATTERN, invalidName)(target, property);
  };
}

/** An optional integer body field in [min, max]. */
function OptionalInt(min: number, max: number): PropertyDecorator {
  return (target, property) => {
    IsOptional()(target, property);
    IsInt()(target, property);
    Min(min)(target, property);
    Max(max)(target, property);
  };
}

export class JoinGroupDto {
  @TopicNames() topics!: string[];
  @OptionalInt(MIN_SESSION_TIMEOUT_MS, MAX_SESSION_TIMEOUT_MS) sessionTimeoutMs?: number;
  @IsOptional() @IsIn(['latest', 'earliest']) autoOffsetReset?: AutoOffsetReset;
}

export class GroupFetchDto {
  @OptionalInt(1, 10_000) maxRecords?: number;
  @OptionalInt(0, MAX_WAIT_MS) maxWaitMs?: number;
}

export class OffsetCommitDto {
  @IsString(withCode(ErrorCode.InvalidName)) @Matches(NAME_PATTERN, withCode(ErrorCode.InvalidName)) topic!: string;
  @IsInt() @Min(0) partition!: number;
  @IsInt() @Min(0) offset!: number;
}

export class CommitOffsetsDto {
  @IsString() @MaxLength(200) memberId!: string;
  @IsInt() @Min(0) generation!: number;
  @IsArray() @ArrayNotEmpty() @ArrayMaxSize(10_000) @ValidateNested({ each: true }) @Type(() => OffsetCommitDto) offsets!: OffsetCommitDto[];
}

export class ResetOffsetsDto {
  @IsString(withCode(ErrorCode.InvalidName)) @Matches(NAME_PATTERN, withCode(ErrorCode.InvalidName)) topic!: string;
  @IsOptional() @IsInt() @Min(0) partition?: number;
  /** "earliest" | "latest" | {offset} | {timestamp}: checked by parseResetTarget. */
  @IsDefined() to!: unknown;
}
