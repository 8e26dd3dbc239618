import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';

/** A registration made before a read, so a change between the read and the wait is not missed. */
export interface ChangeWaiter {
  /** Resolves true when one of the keys changed, false when `ms` ran out or the broker is shutting down. */
  wait(ms: number): Promise<boolean>;
  cancel(): void;
}

/** Where a request adds up the time its long polls spent waiting (its HTTP timing; see app.factory). */
export interface WaitTiming {
  waitedMs: number;
}

/** The key of appends to one partition. */
export const appendKey = (topicId: number, partition: number) => `append:${topicId}:${partition}`;
/** The key of records stored to be appended later (scheduled or delayed). */
export const SCHEDULED_KEY = 'scheduled';
/** The key of a consumer or share group's membership and assignment. */
export const groupKey = (kind: 'consumer' | 'share', groupId: number) => `${kind}:${groupId}`;
/** The key of records of a share group reaching a final state (acknowledged, archived): job waits. */
export const settledKey = (group: string) => `settled:${group}`;

/**
 * Wakes long-polling requests the moment something they wait for commits: an append to a
 * partition, a change of a group. In this process directly; with several brokers on one
 * PostgreSQL a relay (`PgChangeRelay`) carries each change to the other processes and hands
 * theirs to {@link notifyLocal}. {@link close} (shutdown) ends every wait at once, as if its
 * time had run out, and every later wait returns at once.
 */
@Injectable()
export class ChangeSignal {
  private readonly listeners = new Map<string, Set<() => void>>();
  private readonly sleeping = new Set<() => void>();
  private relay: ((key: string) => void) | undefined;
  private relayText: ((keys: string[]) => string | undefined) | undefined;
  private closing = false;
  private registered = 0;
  /** Counts changes; each key remembers the count at its last change (see {@link changedSince}). */
  private changes = 0;
  private readonly changedAt = new Map<string, number>();
  private everythingChangedAt = 0;

  /** True once shutdown began: waits no longer wait. */
  get closed(): boolean {
    return this.closing;
  }

  /** How many waiters are registered and not yet cancelled (long polls between their reads). */
  get waiters(): number {
    return this.registered;
  }

  /**
   * How many long polls are waiting right now: their read found nothing and they sleep until a
   * change wakes them or their time runs out (HTTP reads and fetches, Kafka Fetch, ShareFetch
   * and JoinGroup alike).
   */
  get waiting(): number {
    return this.sleeping.size;
  }

  /** Registers for changes of `keys`; each wait's duration is added to `timing` when given. */
  waiter(keys: string[], timing?: WaitTiming): ChangeWaiter {
    let fired = false;
    let cancelled = false;
    this.registered++;
    let wake: (() => void) | undefined;
    const listener = () => {
      fired = true;
      wake?.();
    };
    for (const key of keys) {
      let set = this.listeners.get(key);
      if (!set) this.listeners.set(key, (set = new Set()));
      set.add(listener);
    }
    return {
      cancel: () => {
        if (cancelled) return;
        cancelled = true;
        this.registered--;
        for (const key of keys) {
          const set = this.listeners.get(key);
          set?.delete(listener);
          if (set?.size === 0) this.listeners.delete(key);
        }
      },
      wait: (ms) =>
        new Promise<boolean>((resolve) => {
          if (fired) return resolve(true);
          if (this.closing) return resolve(false);
          const started = timing ? performance.now() : 0;
          const done = (changed: boolean) => {
            clearTimeout(timer);
            this.sleeping.delete(timeUp);
            if (timing) timing.waitedMs += performance.now() - started;
            resolve(changed);
          };
          const timeUp = () => done(false);
          const timer = setTimeout(timeUp, ms);
          this.sleeping.add(timeUp);
          wake = () => done(true);
        }),
    };
  }

  /** A change committed here: wakes this process's waiters and, through the relay, other brokers'. */
  notify(key: string): void {
    this.notifyLocal(key);
    this.relay?.(key);
  }

  /**
   * A mark to give {@link changedSince}: taken before a read, it tells afterwards whether one of
   * the keys changed since, so a long poll whose read found nothing may register its waiter and
   * wait at once instead of reading again first.
   */
  get version(): number {
    return this.changes;
  }

  /** Whether one of `keys` changed (or everything was woken) after `version` was taken. */
  changedSince(keys: readonly string[], version: number): boolean {
    if (this.everythingChangedAt > version) return true;
    return keys.some((key) => (this.changedAt.get(key) ?? 0) > version);
  }

  /** Wakes this process's waiters on `key` only (a change another broker committed). */
  notifyLocal(key: string): void {
    this.changedAt.set(key, ++this.changes);
    const set = this.listeners.get(key);
    if (set) for (const listener of [...set]) listener();
  }

  /** Wakes every waiter (say, after the relay reconnected and may have missed changes). */
  notifyAll(): void {
    this.everythingChangedAt = ++this.changes;
    for (const set of [...this.listeners.values()]) for (const listener of [...set]) listener();
  }

  /**
   * Sends every change committed here to `publish` as well. `payload`: the text that carries
   * given keys to the other brokers when a commit sends it itself (PostgreSQL: a NOTIFY in the
   * committing statement), undefined when it cannot (see {@link relayPayload}).
   */
  relayTo(publish: ((key: string) => void) | undefined, payload?: (keys: string[]) => string | undefined): void {
    this.relay = publish;
    this.relayText = publish ? payload : undefined;
  }

  /**
   * What a commit may send itself to carry `keys` to the other brokers (PostgreSQL: the
   * NOTIFY payload on `shoal_change`); undefined when there is no relay or it cannot. A commit
   * that sent it wakes this process with {@link notifyLocal} only.
   */
  relayPayload(keys: string[]): string | undefined {
    return this.relayText?.(keys);
  }

  /** Shutdown: every waiting long poll answers now with what there is, as when its `maxWaitMs` runs out. */
  close(): void {
    this.closing = true;
    for (const timeUp of [...this.sleeping]) timeUp();
  }
}
