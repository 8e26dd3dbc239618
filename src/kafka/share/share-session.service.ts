import { Inject, Injectable } from '@nestjs/common';
import type { Acknowledgement, AckResult, TopicPartition } from '@shoal/protocol';
import type { AcquiredStoredRecord } from '../../share-groups/domain/acquired-record.js';
import { type Clock, CLOCK } from '../../platform/clock.js';
import { InvalidRequestError, UnknownMemberError } from '../../platform/errors/index.js';
import { InvalidShareSessionEpochError, ShareSessionNotFoundError } from './share-session.errors.js';
import { publicMemberId } from '../../security/domain/member-id.js';
import { Database } from '../../storage/database.js';
import { type KafkaShareMemberRow, kafkaShareMemberStore as store } from '../storage/kafka-share-member.store.js';
import { shareGroupStore } from '../../share-groups/storage/share-group.store.js';
import { ShareInFlightService } from '../../operations/share-in-flight.service.js';
import { ShareFetchService } from '../../share-groups/share-fetch.service.js';
import { requireOwner } from './share-group-heartbeat.service.js';

/** Kafka's share-session epochs: 0 opens a session, -1 closes it, any other is the one expected next. */
export const INITIAL_SESSION_EPOCH = 0;
export const FINAL_SESSION_EPOCH = -1;

/** A ShareFetch through a share session: partitions added and forgotten, acks, and what to fetch. */
export interface SessionFetch {
  group: string;
  kafkaMemberId: string;
  /** Who asks (SASL/PLAIN), null without API keys. */
  principal: string | null;
  sessionEpoch: number;
  add: TopicPartition[];
  forget: TopicPartition[];
  acks: Acknowledgement[];
  maxRecords: number;
  maxWaitMs: number;
}

export interface SessionFetchAnswer {
  records: AcquiredStoredRecord[];
  ackResults: AckResult[];
  /** How long an acquired record stays locked, in ms. */
  lockDurationMs: number;
}

/** Epochs wrap from the largest int32 back to 1, as in Kafka. */
function nextEpoch(epoch: number): number {
  return epoch >= 2_147_483_647 ? 1 : epoch + 1;
}

/**
 * KIP-932's share sessions over Shoal's share-group engine. A session remembers only its next
 * epoch and its partitions, in the member's database row, so any broker can answer the next
 * request. Fetches and acks go through {@link ShareFetchService}: delivery counts, the delivery
 * limit, dead-letter topics, lock expiry, metrics and the long poll are the HTTP rules. Closing a
 * session (epoch -1) releases what the member still holds, after the acks it carries.
 */
@Injectable()
export class ShareSessionService {
  constructor(
    private readonly database: Database,
    private readonly fetches: ShareFetchService,
    private readonly inFlight: ShareInFlightService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async fetch(request: SessionFetch): Promise<SessionFetchAnswer> {
    const member = await this.member(request.group, request.kafkaMemberId, request.sessionEpoch, request.principal);
    if (request.sessionEpoch === FINAL_SESSION_EPOCH) {
      const ackResults = await this.closeSession(member, request.acks);
      return { records: [], ackResults, lockDurationMs: await this.lockDuration(request.group, []) };
    }
    const partitions = await this.advance(member, request);
    const answer = await this.memberCall(member, () =>
      this.fetches.fetch(request.group, member.memberId, {
        maxRecords: request.maxRecords,
        maxWaitMs: request.maxWaitMs,
        acks: request.acks,
        wholePartitionAcks: true,
        partitions,
      }),
    );
    return { ...answer, lockDurationMs: await this.lockDuration(request.group, answer.records) };
  }

  /**
   * A ShareAcknowledge: epoch 0 is not valid here; -1 applies the acks, then closes the session.
   * Answers the acks' results and the group's lock duration (renewed locks run that long).
   */
  async acknowledge(
    group: string,
    kafkaMemberId: string,
    sessionEpoch: number,
    acks: Acknowledgement[],
    principal: string | null,
  ): Promise<{ ackResults: AckResult[]; lockDurationMs: number }> {
    if (sessionEpoch === INITIAL_SESSION_EPOCH) throw new InvalidShareSessionEpochError(null, sessionEpoch);
    const member = await this.member(group, kafkaMemberId, sessionEpoch, principal);
    let ackResults: AckResult[];
    if (sessionEpoch === FINAL_SESSION_EPOCH) ackResults = await this.closeSession(member, acks);
    else {
      await this.moveEpoch(member, sessionEpoch, member.sessionPartitions);
      ackResults = await this.memberCall(member, () => this.fetches.acknowledge(group, member.memberId, acks, true));
    }
    return { ackResults, lockDurationMs: await this.lockDuration(group, []) };
  }

  /** The member, checked against the request's session epoch (before anything applies). */
  private async member(
    group: string,
    kafkaMemberId: string,
    epoch: number,
    principal: string | null,
  ): Promise<KafkaShareMemberRow> {
    const member = await this.database.run((sql) => store.find(sql, group, kafkaMemberId));
    if (!member) {
      if (epoch === INITIAL_SESSION_EPOCH) throw new UnknownMemberError(group, kafkaMemberId);
      throw new ShareSessionNotFoundError(group, kafkaMemberId);
    }
    requireOwner(member, principal);
    if (epoch === INITIAL_SESSION_EPOCH) return member;
    if (member.sessionEpoch === null) throw new ShareSessionNotFoundError(group, kafkaMemberId);
    if (epoch !== FINAL_SESSION_EPOCH && epoch !== member.sessionEpoch)
      throw new InvalidShareSessionEpochError(member.sessionEpoch, epoch);
    return member;
  }

  /** Opens (epoch 0) or moves the session on; answers the partitions it now fetches from. */
  private async advance(member: KafkaShareMemberRow, request: SessionFetch): Promise<TopicPartition[]> {
    if (request.sessionEpoch === INITIAL_SESSION_EPOCH) {
      if (request.acks.length > 0) throw new InvalidRequestError('a share session cannot open with acknowledgements');
      const partitions = unique(request.add);
      await this.database.run((sql) =>
        store.setSession(sql, member.group, member.kafkaMemberId, null, { epoch: 1, partitions }),
      );
      return partitions;
    }
    const forgotten = new Set(request.forget.map(key));
    const partitions = unique([...member.sessionPartitions, ...request.add]).filter((p) => !forgotten.has(key(p)));
    await this.moveEpoch(member, request.sessionEpoch, partitions);
    return partitions;
  }

  /**
   * Moves the session to the next epoch with its partitions, committed before the fetch or acks
   * run, as Kafka's broker moves it (SharePartitionManager.newContext) before it fetches: KIP-932's
   * client takes the next epoch after any answer but SHARE_SESSION_NOT_FOUND or
   * INVALID_SHARE_SESSION_EPOCH — a fetch that then fails included — so the session moves on with
   * it, and the failed request's epoch is spent (a retry of it is INVALID_SHARE_SESSION_EPOCH). A
   * conditional update: of two requests with one epoch, only the first moves it.
   */
  private async moveEpoch(member: KafkaShareMemberRow, epoch: number, partitions: TopicPartition[]): Promise<void> {
    const moved = await this.database.run((sql) =>
      store.setSession(sql, member.group, member.kafkaMemberId, epoch, { epoch: nextEpoch(epoch), partitions }),
    );
    // Another request with the same epoch got there first.
    if (!moved) throw new InvalidShareSessionEpochError(nextEpoch(epoch), epoch);
  }

  /** Applies the acks, closes the session, and releases every record the member still holds. */
  private async closeSession(member: KafkaShareMemberRow, acks: Acknowledgement[]): Promise<AckResult[]> {
    const results =
      acks.length === 0
        ? []
        : await this.memberCall(member, () => this.fetches.acknowledge(member.group, member.memberId, acks, true));
    await this.database.run((sql) => store.setSession(sql, member.group, member.kafkaMemberId, null, null));
    const held = await this.heldBy(member);
    if (held.length > 0)
      await this.memberCall(member, () => this.fetches.acknowledge(member.group, member.memberId, held));
    return results;
  }

  /** Release acks for every record the member holds in its assigned and session partitions. */
  private async heldBy(member: KafkaShareMemberRow): Promise<Acknowledgement[]> {
    const holder = publicMemberId(member.memberId);
    const partitions = unique([
      ...member.sessionPartitions,
      ...member.assignment.map((k) => {
        const at = k.lastIndexOf(':');
        return { topic: k.slice(0, at), partition: Number(k.slice(at + 1)) };
      }),
    ]);
    const acks: Acknowledgement[] = [];
    for (const { topic, partition } of partitions) {
      let list;
      try {
        list = await this.inFlight.list(member.group, topic, partition, 0, 10_000);
      } catch {
        continue; // the topic or partition is gone: nothing is held there
      }
      for (const r of list.records)
        if (r.state === 'acquired' && r.memberId === holder)
          acks.push({ topic, partition, offset: r.offset, type: 'release' });
    }
    return acks;
  }

  /** Runs a member call; a member whose Shoal session ran out loses its Kafka row too. */
  private async memberCall<T>(member: KafkaShareMemberRow, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof UnknownMemberError)
        await this.database.run((sql) => store.delete(sql, member.group, member.kafkaMemberId, member.memberId));
      throw error;
    }
  }

  /** The lock the answer's records got, else the group's configured lock duration. */
  private async lockDuration(group: string, records: AcquiredStoredRecord[]): Promise<number> {
    if (records.length > 0) return Math.max(0, records[0].lockExpiresAt - this.clock.now());
    const row = await this.database.run((sql) => shareGroupStore.find(sql, group));
    return row?.config.recordLockDurationMs ?? 30_000;
  }
}

function key(p: TopicPartition): string {
  return `${p.topic}\u0000${p.partition}`;
}

function unique(partitions: TopicPartition[]): TopicPartition[] {
  const seen = new Map(partitions.map((p) => [key(p), { topic: p.topic, partition: p.partition }]));
  return [...seen.values()];
}
