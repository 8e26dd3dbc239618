import { IsOptional } from 'class-validator';
import { IntegerParam } from '../../http/validation/validators.js';

/** The longest a read may wait for a record. */
export const MAX_WAIT_MS = 300_000;

export class ReadQueryDto {
  @IsOptional() @IntegerParam(0, Number.MAX_SAFE_INTEGER) offset?: number;
  @IsOptional() @IntegerParam(1, 10_000) maxRecords: number = 500;
  @IsOptional() @IntegerParam(1, Number.MAX_SAFE_INTEGER) maxBytes?: number;
  @IsOptional() @IntegerParam(0, MAX_WAIT_MS) maxWaitMs: number = 0;
}

export class OffsetQueryDto {
  @IntegerParam(0, Number.MAX_SAFE_INTEGER) timestamp!: number;
}
