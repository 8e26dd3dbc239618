/** One group in `GET /v1/consumer-groups` or `GET /v1/share-groups`. */
export interface GroupListing {
  name: string;
  /** Consumer groups: `empty`, `stable` or `reconciling`; share groups: `empty` or `stable`. */
  state: string;
  members: number;
  /** Summed over the group's partitions, as describe counts it. */
  lag: number;
  /** Consumer groups: `http` or `kafka` (who runs the group). */
  protocol?: string;
}

/** A page of groups in name order; `next` is the `after` of the following page, null at the end. */
export interface GroupList {
  groups: GroupListing[];
  next: string | null;
}

/** A record state as the wire names it. */
export type InFlightState = 'available' | 'acquired' | 'acknowledged' | 'archived';

/** One in-flight record of a share-partition. */
export interface InFlightRecordView {
  offset: number;
  state: InFlightState;
  deliveryCount: number;
  /** The member holding its lock, while acquired. */
  memberId: string | null;
  lockExpiresAt: number | null;
  /** A delayed release: not handed out before this time. */
  availableAt: number | null;
}

/** `GET /v1/share-groups/{group}/topics/{topic}/partitions/{p}/in-flight`. */
export interface InFlightRecordList {
  startOffset: number;
  endOffset: number;
  records: InFlightRecordView[];
}

/** `POST /v1/topics/{topic}/redrive` body: every record when no field is given. */
export interface RedriveRequest {
  partition?: number;
  /** First offset to redrive (inclusive). */
  offset?: number;
  /** Last offset to redrive (inclusive). */
  lastOffset?: number;
  /**
   * Redrive into this share group only: the original records it dead-lettered become available
   * again in it (delivery count 0) instead of being copied to the source topic, which every
   * group reading the topic would run again.
   */
  group?: string;
}

/** What a redrive did. */
export interface RedriveResponse {
  /** Records copied back to their source topics (with `group`: made available again in it) by this request. */
  redriven: number;
  /** Records redriven before (not copied again). */
  alreadyRedriven: number;
  /**
   * Records without `shoal.dlq.topic` or whose source topic does not exist (not copied); with
   * `group`, also those another group dead-lettered and those whose original is gone from the
   * log or not archived in the group.
   */
  skipped: number;
}
