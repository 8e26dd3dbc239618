import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsDefined,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import type { AutoOffsetReset } from '@shoal/protocol';
import { MAX_SESSION_TIMEOUT_MS, MIN_SESSION_TIMEOUT_MS } from '../domain/consumer-group.js';
import { OptionalInt, OptionalOffsetReset, TopicName, TopicNames } from '../../http/validation/validators.js';
import { MAX_FETCH_RECORDS, MAX_WAIT_MS } from '../../platform/limits.js';

export class JoinGroupDto {
  @TopicNames(true) topics!: string[];
  @OptionalInt(MIN_SESSION_TIMEOUT_MS, MAX_SESSION_TIMEOUT_MS) sessionTimeoutMs?: number;
  @OptionalOffsetReset() autoOffsetReset?: AutoOffsetReset;
}

export class GroupFetchDto {
  @OptionalInt(1, MAX_FETCH_RECORDS) maxRecords?: number;
  @OptionalInt(0, MAX_WAIT_MS) maxWaitMs?: number;
}

export class OffsetCommitDto {
  @TopicName() topic!: string;
  @IsInt() @Min(0) partition!: number;
  @IsInt() @Min(0) offset!: number;
  /** Kafka's `offset.metadata.max.bytes` (4096): checked in bytes by the service. */
  @IsOptional() @IsString() @MaxLength(4096) metadata?: string;
}

export class CommitOffsetsDto {
  @IsString() @MaxLength(200) memberId!: string;
  @IsInt() @Min(0) generation!: number;
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => OffsetCommitDto)
  offsets!: OffsetCommitDto[];
}

export class ResetOffsetsDto {
  @TopicName() topic!: string;
  @IsOptional() @IsInt() @Min(0) partition?: number;
  /** "earliest" | "latest" | {offset} | {timestamp}: checked by parseResetTarget. */
  @IsDefined() to!: unknown;
}
