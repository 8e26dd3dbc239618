import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { assertTopicQuota } from '../security/quotas.js';
import type { TopicConfig, TopicDescription, TopicList } from '@shoal/protocol';
import { type Clock, CLOCK } from '../platform/clock.js';
import { TopicAlreadyExistsError, UnknownTopicError } from '../platform/errors/index.js';
import type { Topic } from './domain/topic.js';
import { assertPartitionGrowth, DEFAULT_TOPIC_CONFIG, mergeTopicConfig } from './domain/topic-rules.js';
import { Database, type Sql } from '../storage/database.js';
import { topicPurgeStore } from './storage/topic-purge.store.js';
import { topicStore } from './storage/topic.store.js';
import { TopicPurger } from './topic-purger.js';
import { LogAppender } from './log-appender.js';

/** A change of partitions or retention; in range (checked at the edge). */
export interface TopicChange {
  partitions?: number;
  config?: Partial<TopicConfig>;
}

/** Creating, describing, growing and deleting topics. */
@Injectable()
export class TopicService {
  private readonly logger = new Logger(TopicService.name);

  constructor(
    private readonly database: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly purger: TopicPurger,
    private readonly appender: LogAppender,
    @Optional() @Inject(SHOAL_CONFIG) private readonly config?: ShoalConfig,
  ) {}

  async create(name: string, partitions: number, config: Partial<TopicConfig> | undefined): Promise<TopicDescription> {
    const merged = mergeTopicConfig(DEFAULT_TOPIC_CONFIG, config);
    const { topic, description } = await this.database.transaction(async (sql) => {
      if (!(await topicStore.findByName(sql, name))) await assertTopicQuota(sql, this.config, 1, partitions);
      const created = await topicStore.insert(sql, name, partitions, merged, this.clock.now());
      if (!created) throw new TopicAlreadyExistsError(name);
      return { topic: created, description: await describe(sql, created) };
    });
    // Its first produce here needs no read of it first (one statement on PostgreSQL).
    this.appender.know(topic);
    this.logger.log(`created topic ${name} with ${partitions} partitions`);
    return description;
  }

  async list(): Promise<TopicList> {
    const topics = await this.database.run((sql) => topicStore.list(sql));
    return { topics: topics.map((t) => ({ name: t.name, partitions: t.partitionCount })) };
  }

  async describe(name: string): Promise<TopicDescription> {
    return this.database.run(async (sql) => describe(sql, await requireTopic(sql, name)));
  }

  async update(name: string, change: TopicChange): Promise<TopicDescription> {
    return this.database.transaction(async (sql) => {
      const topic = await requireTopic(sql, name, true);
      const partitions = change.partitions ?? topic.partitionCount;
      assertPartitionGrowth(topic.partitionCount, partitions);
      if (partitions > topic.partitionCount)
        await assertTopicQuota(sql, this.config, 0, partitions - topic.partitionCount);
      const updated: Topic = {
        ...topic,
        partitionCount: partitions,
        config: mergeTopicConfig(topic.config, change.config),
      };
      await topicStore.update(sql, updated, this.clock.now());
      await topicStore.addPartitions(sql, topic.id, topic.partitionCount, updated.partitionCount);
      return describe(sql, updated);
    });
  }

  /** Gone for every route at the commit; its records are removed in the background (`TopicPurger`). */
  async delete(name: string): Promise<void> {
    await this.database.transaction(async (sql) => {
      const topic = await requireTopic(sql, name, true);
      await this.remove(sql, topic);
    });
    this.logger.log(`deleted topic ${name}`);
    this.purger.kick();
  }

  /**
   * Deletes the topics whose `deleteAfterIdleMs` passed unused as of `now` (see
   * `topicStore.listIdle`), each checked again under its row lock; answers their names.
   */
  async deleteIdle(now: number): Promise<string[]> {
    const deleted: string[] = [];
    for (const name of await this.database.run((sql) => topicStore.listIdle(sql, now))) {
      const gone = await this.database.transaction(async (sql) => {
        const topic = await topicStore.findByName(sql, name, true);
        if (!topic || (await topicStore.listIdle(sql, now, name)).length === 0) return null;
        await this.remove(sql, topic);
        return topic;
      });
      if (!gone) continue;
      deleted.push(name);
      this.logger.log(`deleted topic ${name}: unused for ${gone.config.deleteAfterIdleMs} ms (deleteAfterIdleMs)`);
    }
    if (deleted.length > 0) this.purger.kick();
    return deleted;
  }

  private async remove(sql: Sql, topic: Topic): Promise<void> {
    await topicStore.delete(sql, topic.id);
    await topicPurgeStore.add(sql, topic.id, this.clock.now());
  }
}

/** The topic, or UNKNOWN_TOPIC. */
export async function requireTopic(sql: Sql, name: string, forUpdate = false): Promise<Topic> {
  const topic = await topicStore.findByName(sql, name, forUpdate);
  if (!topic) throw new UnknownTopicError(name);
  return topic;
}

async function describe(sql: Sql, topic: Topic): Promise<TopicDescription> {
  return { name: topic.name, config: topic.config, partitions: await topicStore.partitions(sql, topic.id) };
}
