import type { TopicConfig } from '@shoal/protocol';

/** A topic as the log keeps it. `id` is what records refer to. */
export interface Topic {
  id: number;
  name: string;
  partitionCount: number;
  config: TopicConfig;
}

/** One partition's window: `startOffset` is the first stored offset, `endOffset` the next to assign. */
export interface PartitionWindow {
  partition: number;
  startOffset: number;
  endOffset: number;
}
