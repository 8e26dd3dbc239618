import { Injectable } from '@nestjs/common';
import { publicMemberId } from '../../security/domain/member-id.js';
import { type KafkaGroup, KafkaGroupState, type KafkaMember, metadataFor } from './domain/kafka-group.js';
import { encodeAssignment, encodeSubscription } from './domain/consumer-protocol.js';
import { consumerGroupStore } from '../../consumer-groups/storage/consumer-group.store.js';
import { Database, type Sql } from '../../storage/database.js';
import { kafkaGroupStore } from '../storage/kafka-group.store.js';
import { topicStore } from '../../log/storage/topic.store.js';

/** What Kafka's DescribeGroups says of one group. */
export interface DescribedGroup {
  groupId: string;
  exists: boolean;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: {
    memberId: string;
    /** Static members' `group.instance.id` (DescribeGroups v4+). */
    groupInstanceId?: string | null;
    clientId: string;
    clientHost: string;
    memberMetadata: Buffer;
    memberAssignment: Buffer;
  }[];
}

/** DescribeGroups and ListGroups over every consumer group, HTTP ones included (as protocol type `consumer`). */
@Injectable()
export class KafkaGroupView {
  constructor(private readonly database: Database) {}

  describe(names: string[]): Promise<DescribedGroup[]> {
    return this.database.run(async (sql) => {
      const described: DescribedGroup[] = [];
      for (const name of names) described.push(await this.describeOne(sql, name));
      return described;
    });
  }

  /** Every consumer group with Kafka's state name, in name order. */
  list(): Promise<{ groupId: string; protocolType: string; groupState: string }[]> {
    return this.database.run(async (sql) => {
      const groups = await kafkaGroupStore.groupStates(sql);
      const http = await this.httpStates(sql);
      return groups.map((g) => ({
        groupId: g.name,
        protocolType: g.protocolType ?? 'consumer',
        groupState: g.state ?? http.get(g.name) ?? KafkaGroupState.Empty,
      }));
    });
  }

  private async describeOne(sql: Sql, name: string): Promise<DescribedGroup> {
    const row = await consumerGroupStore.find(sql, name);
    if (!row)
      return { groupId: name, exists: false, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
    const kafka = await kafkaGroupStore.find(sql, row.id);
    if (kafka) return describeKafka(name, kafka, await kafkaGroupStore.members(sql, row.id));
    const members = await consumerGroupStore.members(sql, row.id);
    const partitions = await consumerGroupStore.partitions(sql, row.id);
    const ids = [...new Set(partitions.map((p) => p.topicId))];
    const topics = new Map((ids.length === 0 ? [] : await topicStore.findByIds(sql, ids)).map((t) => [t.id, t.name]));
    return {
      groupId: name,
      exists: true,
      groupState: members.length === 0 ? KafkaGroupState.Empty : KafkaGroupState.Stable,
      protocolType: 'consumer',
      protocolData: members.length === 0 ? '' : 'shoal-http',
      members: members.map((m) => {
        const owned = partitions.filter((p) => p.owner === m.memberId && topics.has(p.topicId));
        const byTopic = [...new Set(owned.map((p) => topics.get(p.topicId)!))].map((topic) => ({
          topic,
          partitions: owned.filter((p) => topics.get(p.topicId) === topic).map((p) => p.partition),
        }));
        return {
          memberId: publicMemberId(m.memberId),
          clientId: 'shoal-http',
          clientHost: '',
          memberMetadata: encodeSubscription(m.topics),
          memberAssignment: encodeAssignment(byTopic),
        };
      }),
    };
  }

  private async httpStates(sql: Sql): Promise<Map<string, string>> {
    const counts = await sql.rows<{ name: string; n: number }>(
      `SELECT g.name, COUNT(m.member_id) AS n FROM shoal_consumer_group g
       JOIN shoal_consumer_member m ON m.group_id = g.id GROUP BY g.name`,
    );
    return new Map(counts.map((c) => [c.name, Number(c.n) > 0 ? KafkaGroupState.Stable : KafkaGroupState.Empty]));
  }
}

function describeKafka(name: string, kafka: KafkaGroup, members: KafkaMember[]): DescribedGroup {
  const settled = kafka.state === KafkaGroupState.Stable || kafka.state === KafkaGroupState.CompletingRebalance;
  return {
    groupId: name,
    exists: true,
    groupState: kafka.state,
    protocolType: kafka.protocolType ?? '',
    protocolData: settled ? (kafka.protocolName ?? '') : '',
    members: members
      .filter((m) => !m.pending)
      .map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId ?? null,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: settled ? metadataFor(m, kafka.protocolName) : Buffer.alloc(0),
        memberAssignment: kafka.state === KafkaGroupState.Stable ? (m.assignment ?? Buffer.alloc(0)) : Buffer.alloc(0),
      })),
  };
}
