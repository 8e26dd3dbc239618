import { Injectable, type PipeTransform } from '@nestjs/common';
import { assertName } from './validators.js';

/** A topic name from the path, checked before anything looks it up. */
@Injectable()
export class TopicNamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    assertName('topic', value);
    return value;
  }
}

/** A group name from the path, checked before anything looks it up. */
@Injectable()
export class GroupNamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    assertName('group', value);
    return value;
  }
}
