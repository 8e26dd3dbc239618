import { Injectable, type PipeTransform } from '@nestjs/common';
import { assertValidName } from '../domain/log/names.js';

/** A topic name from the path, checked before anything looks it up. */
@Injectable()
export class TopicNamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    assertValidName('topic', value);
    return value;
  }
}

/** A group name from the path, checked before anything looks it up. */
@Injectable()
export class GroupNamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    assertValidName('group', value);
    return value;
  }
}
