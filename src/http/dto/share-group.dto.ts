import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { type AckType, type AutoOffsetReset, ErrorCode, NAME_PATTERN } from '../../../libs/protocol/src/index.js';
import { MAX_SESSION_TIMEOUT_MS, MIN_SESSION_TIMEOUT_MS } from '../../domain/consumer-group/consumer-group.js';
import { SHARE_CONFIG_RANGES } from '../../domain/share-group/share-group-config.js';
import { withCode } from '../validation.js';
import { InvalidRequestError } from '../../domain/errors/index.js';
import { MAX_WAIT_MS } from './read.dto.js';

/** The longest delay a release may ask for: a day. */
export const MAX_RELEASE_DELAY_MS = 86_400_000;
/** The widest range one ack entry may cover. */
export const MAX_ACK_RANGE = 10_000;

export class JoinShareGroupDto {
  @IsArray() @ArrayMaxSize(1_000) @IsString(withCode(ErrorCode.InvalidName, { each: true })) @Matches(NAME_PATTERN, withCode(ErrorCode.InvalidName, { each: true }))
  topics!: string[];
  @IsOptional() @IsInt() @Min(MIN_SESSION_TIMEOUT_MS) @Max(MAX_SESSION_TIMEOUT_MS) sessionTimeoutMs?: number;
}

export class AcknowledgementDto {
  @IsString(withCode(ErrorCode.InvalidName)) @Matches(NAME_PATTERN, withCode(ErrorCode.InvalidName)) topic!: string;
  @IsInt() @Min(0) partition!: number;
  @IsInt() @Min(0) offset!: number;
  @IsOptional() @IsInt() @Min(0) lastOffset?: number;
  @IsIn(['accept', 'release', 'reject', 'renew']) type!: AckType;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_RELEASE_DELAY_MS) delayMs?: number;
}

function Acks(optional: boolean): PropertyDecorator {
  return (target, property) => {
    if (optional) IsOptional()(target, property);
    IsArray()(target, property);
    ArrayMaxSize(10_000)(target, property);
    ValidateNested({ each: true })(target, property);
    Type(() => AcknowledgementDto)(target, property);
  };
}

export class AcknowledgeDto {
  @Acks(false) acks!: AcknowledgementDto[];
}

export class ShareFetchDto {
  @IsOptional() @IsInt() @Min(1) @Max(10_000) maxRecords?: number;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_WAIT_MS) maxWaitMs?: number;
  @Acks(true) acks?: AcknowledgementDto[];
}

const config = withCode(ErrorCode.InvalidConfig);

function ConfigInt(range: readonly [number, number]): PropertyDecorator {
  return (target, property) => {
    IsOptional(config)(target, property);
    IsInt(config)(target, property);
    Min(range[0], config)(target, property);
    Max(range[1], config)(target, property);
  };
}

export class ShareGroupConfigDto {
  @ConfigInt(SHARE_CONFIG_RANGES.recordLockDurationMs) recordLockDurationMs?: number;
  @ConfigInt(SHARE_CONFIG_RANGES.deliveryCountLimit) deliveryCountLimit?: number;
  @ConfigInt(SHARE_CONFIG_RANGES.maxInFlightRecordsPerPartition) maxInFlightRecordsPerPartition?: number;
  @IsOptional(config) @IsIn(['latest', 'earliest'], config) autoOffsetReset?: AutoOffsetReset;
  @IsOptional() @ValidateIf((_o, v) => v !== null) @IsString(withCode(ErrorCode.InvalidName)) @Matches(NAME_PATTERN, withCode(ErrorCode.InvalidName))
  deadLetterTopic?: string | null;
}

/** What a decorator cannot say: a range runs forward and is not too wide; only a release has a delay. */
export function assertAckShapes(acks: AcknowledgementDto[] | undefined): void {
  acks?.forEach((ack, i) => {
    if (ack.lastOffset !== undefined && (ack.lastOffset < ack.offset || ack.lastOffset - ack.offset >= MAX_ACK_RANGE)) {
      throw new InvalidRequestError(`acks[${i}]: lastOffset must be from offset to offset + ${MAX_ACK_RANGE - 1}`);
    }
    if (ack.delayMs !== undefined && ack.type !== 'release') throw new InvalidRequestError(`acks[${i}]: delayMs goes with release only`);
  });
}
