import { Injectable, Logger } from '@nestjs/common';
import type { ShareGroupDescription, TopicPartition } from '@shoal/protocol';
import { DEFAULT_SESSION_TIMEOUT_MS, heartbeatIntervalMs } from '../../consumer-groups/domain/consumer-group.js';
import { FencedError, ForbiddenError, InvalidRequestError, UnknownMemberError } from '../../platform/errors/index.js';
import { publicMemberId } from '../../security/domain/member-id.js';
import { Database } from '../../storage/database.js';
import { type KafkaShareMemberRow, kafkaShareMemberStore as store } from '../storage/kafka-share-member.store.js';
import { ApiKeyService } from '../../security/api-key.service.js';
import { ShareGroupService } from '../../share-groups/share-group.service.js';

/** A ShareGroupHeartbeat (KIP-932): 0 joins, -1 leaves, any other epoch is the member's current (or previous) one. */
export interface ShareHeartbeat {
  group: string;
  /** The member id the Kafka client chose (kept for its whole life). */
  kafkaMemberId: string;
  memberEpoch: number;
  /** Null: unchanged since the last heartbeat. */
  subscribedTopicNames: string[] | null;
  clientId: string | null;
  /** Who asks (SASL/PLAIN), null without API keys: only the principal that joined may act as the member. */
  principal: string | null;
}

export interface ShareHeartbeatAnswer {
  memberEpoch: number;
  heartbeatIntervalMs: number;
  /** Null when leaving. */
  assignment: TopicPartition[] | null;
}

/** Kafka's epoch for leaving, and for joining. */
export const LEAVE_EPOCH = -1;
export const JOIN_EPOCH = 0;

const HEARTBEAT_INTERVAL_MS = heartbeatIntervalMs(DEFAULT_SESSION_TIMEOUT_MS);

/**
 * Share-group membership for members that speak Kafka: each is a Shoal share-group member (so
 * assignment, session expiry and the release of what it held are the same rules as over HTTP)
 * plus a member epoch that moves on whenever its assignment changes, as in KIP-848/KIP-932.
 * A heartbeat with an epoch that is neither the current nor the previous one is fenced.
 */
@Injectable()
export class ShareGroupHeartbeatService {
  private readonly logger = new Logger(ShareGroupHeartbeatService.name);

  constructor(
    private readonly database: Database,
    private readonly shareGroups: ShareGroupService,
    private readonly keys: ApiKeyService,
  ) {}

  async heartbeat(request: ShareHeartbeat): Promise<ShareHeartbeatAnswer> {
    if (request.kafkaMemberId.length === 0) throw new InvalidRequestError('MemberId must not be empty');
    if (request.memberEpoch === JOIN_EPOCH) return this.join(request);
    const member = await this.database.run((sql) => store.find(sql, request.group, request.kafkaMemberId));
    if (!member) throw new UnknownMemberError(request.group, request.kafkaMemberId);
    requireOwner(member, request.principal);
    if (request.memberEpoch === LEAVE_EPOCH) return this.leave(member);
    if (request.memberEpoch < JOIN_EPOCH)
      throw new InvalidRequestError(`MemberEpoch ${request.memberEpoch} is not valid`);
    if (request.memberEpoch !== member.memberEpoch && request.memberEpoch !== member.previousEpoch)
      throw new FencedError(
        `member epoch ${request.memberEpoch} is fenced (current ${member.memberEpoch}): leave your partitions and join again`,
      );
    return this.beat(member, request.subscribedTopicNames);
  }

  /** The group as HTTP describes it, with the Kafka members' rows by their public member id. */
  async describe(
    group: string,
  ): Promise<{ description: ShareGroupDescription; kafka: Map<string, KafkaShareMemberRow> }> {
    // Rows first: a row's Shoal member joined before the row was written, so it is in the describe after.
    const rows = await this.database.run((sql) => store.inGroup(sql, group));
    const description = await this.shareGroups.describe(group);
    const live = new Set(description.members.map((m) => m.memberId));
    // Rows of members whose session ran out (and that never came back) are forgotten here.
    for (const gone of rows.filter((r) => !live.has(publicMemberId(r.memberId))))
      await this.database.run((sql) => store.delete(sql, gone.group, gone.kafkaMemberId, gone.memberId));
    return {
      description,
      kafka: new Map(
        rows.filter((r) => live.has(publicMemberId(r.memberId))).map((r) => [publicMemberId(r.memberId), r]),
      ),
    };
  }

  private async join(request: ShareHeartbeat): Promise<ShareHeartbeatAnswer> {
    const topics = request.subscribedTopicNames ?? [];
    if (topics.length === 0) throw new InvalidRequestError('SubscribedTopicNames must name a topic when joining');
    const existing = await this.database.run((sql) => store.find(sql, request.group, request.kafkaMemberId));
    // Joining again under the same id starts over: the old member leaves, releasing what it held.
    if (existing) requireOwner(existing, request.principal);
    if (existing) await this.leaveQuietly(existing);
    const joined = await this.joinOwned(request.group, topics, request.principal);
    const member: KafkaShareMemberRow = {
      group: request.group,
      kafkaMemberId: request.kafkaMemberId,
      memberId: joined.memberId,
      memberEpoch: 1,
      previousEpoch: 0,
      topics: [...new Set(topics)],
      assignment: keys(joined.assignment),
      clientId: request.clientId,
      principal: request.principal,
      sessionEpoch: null,
      sessionPartitions: [],
    };
    await this.database.run((sql) => store.put(sql, member));
    this.logger.log(
      `Kafka member ${request.kafkaMemberId} is share-group member ${publicMemberId(joined.memberId)} of ${request.group}`,
    );
    return { memberEpoch: 1, heartbeatIntervalMs: joined.heartbeatIntervalMs, assignment: joined.assignment };
  }

  private async beat(member: KafkaShareMemberRow, topics: string[] | null): Promise<ShareHeartbeatAnswer> {
    let current = member;
    let assignment: TopicPartition[];
    try {
      if (topics !== null && !sameSet(topics, member.topics)) {
        // A new subscription: the member joins again under its Kafka id (what it held is released).
        await this.leaveQuietly(member);
        const joined = await this.joinOwned(member.group, topics, member.principal);
        current = { ...member, memberId: joined.memberId, topics: [...new Set(topics)] };
        await this.database.run((sql) => store.put(sql, current));
        assignment = joined.assignment;
      } else {
        assignment = (await this.shareGroups.heartbeat(member.group, member.memberId)).assignment;
      }
    } catch (error) {
      if (error instanceof UnknownMemberError)
        await this.database.run((sql) => store.delete(sql, member.group, member.kafkaMemberId, member.memberId));
      throw error;
    }
    const now = keys(assignment);
    let epoch = current.memberEpoch;
    if (!sameList(now, current.assignment)) {
      const moved = await this.database.run((sql) => store.bumpEpoch(sql, current, now));
      epoch = moved ? current.memberEpoch + 1 : epoch;
    }
    return { memberEpoch: epoch, heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS, assignment };
  }

  private async leave(member: KafkaShareMemberRow): Promise<ShareHeartbeatAnswer> {
    await this.leaveQuietly(member);
    await this.database.run((sql) => store.delete(sql, member.group, member.kafkaMemberId));
    return { memberEpoch: LEAVE_EPOCH, heartbeatIntervalMs: 0, assignment: null };
  }

  /** A Shoal member joins, owned (with API keys on) by the principal: HTTP member routes refuse others too. */
  private async joinOwned(group: string, topics: string[], principal: string | null) {
    const joined = await this.shareGroups.join(group, { topics });
    if (principal !== null) await this.keys.recordOwner(joined.memberId, principal);
    return joined;
  }

  /** The Shoal member leaves; one whose session already ran out is gone already. */
  private async leaveQuietly(member: KafkaShareMemberRow): Promise<void> {
    try {
      await this.shareGroups.leave(member.group, member.memberId);
    } catch (error) {
      if (!(error instanceof UnknownMemberError)) throw error;
    }
  }
}

/** With API keys on, only the principal that joined may act as the member. */
export function requireOwner(member: KafkaShareMemberRow, principal: string | null): void {
  if (member.principal !== null && member.principal !== principal)
    throw new ForbiddenError(
      `member ${member.kafkaMemberId} of share group ${member.group} belongs to another principal`,
    );
}

function keys(assignment: TopicPartition[]): string[] {
  return assignment.map((p) => `${p.topic}:${p.partition}`);
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameSet(a: string[], b: string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}
