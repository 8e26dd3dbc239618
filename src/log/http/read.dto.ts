import { IsOptional } from 'class-validator';
import { IntegerParam } from '../../http/validation/validators.js';
import { DEFAULT_FETCH_RECORDS, MAX_FETCH_RECORDS, MAX_WAIT_MS } from '../../platform/limits.js';

export class ReadQueryDto {
  @IsOptional() @IntegerParam(0, Number.MAX_SAFE_INTEGER) offset?: number;
  @IsOptional() @IntegerParam(1, MAX_FETCH_RECORDS) maxRecords: number = DEFAULT_FETCH_RECORDS;
  @IsOptional() @IntegerParam(1, Number.MAX_SAFE_INTEGER) maxBytes?: number;
  @IsOptional() @IntegerParam(0, MAX_WAIT_MS) maxWaitMs: number = 0;
}

export class OffsetQueryDto {
  @IntegerParam(0, Number.MAX_SAFE_INTEGER) timestamp!: number;
}
