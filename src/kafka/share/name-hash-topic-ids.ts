import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TopicService } from '../../log/topic.service.js';
import { ShareTopicIds } from './share-topic-ids.js';

/** A topic's Kafka id: a UUID (version 8, RFC 9562) from the SHA-256 of its name — the same on every broker. */
export function topicIdOfName(name: string): string {
  const bytes = createHash('sha256').update(`shoal-topic:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x80;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Topic ids derived from names; ids are looked up among the topics that exist (one list per miss). */
@Injectable()
export class NameHashShareTopicIds extends ShareTopicIds {
  constructor(private readonly topics: TopicService) {
    super();
  }

  async idsOf(names: string[]): Promise<Map<string, string>> {
    const existing = new Set((await this.topics.list()).topics.map((t) => t.name));
    return new Map(names.filter((n) => existing.has(n)).map((n) => [n, topicIdOfName(n)]));
  }

  async namesOf(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const byId = new Map((await this.topics.list()).topics.map((t) => [topicIdOfName(t.name), t.name]));
    return new Map(ids.filter((id) => byId.has(id)).map((id) => [id, byId.get(id)!]));
  }
}
