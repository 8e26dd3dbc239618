import { Injectable, type PipeTransform } from '@nestjs/common';
import { assertName } from './validators.js';

/** A schedule name from the path (Kafka's naming rule), checked before anything looks it up. */
@Injectable()
export class ScheduleNamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    assertName('schedule', value);
    return value;
  }
}
