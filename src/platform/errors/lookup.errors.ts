import { ErrorCode } from '@shoal/protocol';
import { ShoalError } from './shoal.error.js';

export class UnknownTopicError extends ShoalError {
  constructor(topic: string) {
    super(ErrorCode.UnknownTopic, `topic ${topic} does not exist`);
  }
}

export class UnknownPartitionError extends ShoalError {
  constructor(topic: string, partition: number) {
    super(ErrorCode.UnknownPartition, `topic ${topic} has no partition ${partition}`);
  }
}

export class TopicAlreadyExistsError extends ShoalError {
  constructor(topic: string) {
    super(ErrorCode.TopicAlreadyExists, `topic ${topic} already exists`);
  }
}

export class OffsetOutOfRangeError extends ShoalError {
  constructor(offset: number, startOffset: number, endOffset: number) {
    super(ErrorCode.OffsetOutOfRange, `offset ${offset} is outside [${startOffset}, ${endOffset}]`);
  }
}
