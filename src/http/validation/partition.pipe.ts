import { Injectable, type PipeTransform } from '@nestjs/common';
import { InvalidRequestError } from '../../platform/errors/index.js';
import { isPartitionText } from './validators.js';

/** A partition number from the path: plain digits only. */
@Injectable()
export class PartitionPipe implements PipeTransform<string, number> {
  transform(value: string | number): number {
    // The global ValidationPipe may already have turned the text into a number (NaN for "x").
    const text = String(value);
    if (!isPartitionText(text)) throw new InvalidRequestError(`partition must be a non-negative integer, got ${text}`);
    return Number(text);
  }
}
