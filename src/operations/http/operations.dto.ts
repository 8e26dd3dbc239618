import { IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { NAME_PATTERN } from '@shoal/protocol';
import { IntegerParam, OptionalInt, TopicName } from '../../http/validation/validators.js';
import { DEFAULT_FETCH_RECORDS, MAX_FETCH_RECORDS } from '../../platform/limits.js';

/** `GET /v1/consumer-groups` and `GET /v1/share-groups`: a page after a name. */
export class GroupListQueryDto {
  @IsOptional() @IntegerParam(1, 1_000) limit: number = 100;
  @IsOptional() @IsString() @MaxLength(249) @Matches(NAME_PATTERN) after?: string;
}

/** `GET …/in-flight`: records from an offset. */
export class InFlightQueryDto {
  @IsOptional() @IntegerParam(0, Number.MAX_SAFE_INTEGER) offset: number = 0;
  @IsOptional() @IntegerParam(1, MAX_FETCH_RECORDS) maxRecords: number = DEFAULT_FETCH_RECORDS;
}

/** `POST /v1/topics/{topic}/redrive`: every record when no field is given; `group` (a group name, INVALID_NAME) redrives into that share group. */
export class RedriveDto {
  @OptionalInt(0, 2 ** 31 - 1) partition?: number;
  @OptionalInt(0, Number.MAX_SAFE_INTEGER) offset?: number;
  @OptionalInt(0, Number.MAX_SAFE_INTEGER) lastOffset?: number;
  @ValidateIf((_o, value) => value !== undefined) @TopicName() group?: string;
}
