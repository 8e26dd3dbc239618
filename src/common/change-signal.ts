import { Injectable } from '@nestjs/common';

/** A registration made before a read, so a change between the read and the wait is not missed. */
export interface ChangeWaiter {
  /** Resolves true when one of the keys changed, false when `ms` ran out. */
  wait(ms: number): Promise<boolean>;
  cancel(): void;
}

/** The key of appends to one partition. */
export const appendKey = (topicId: number, partition: number) => `append:${topicId}:${partition}`;
/** The key of a consumer or share group's membership and assignment. */
export const groupKey = (kind: 'consumer' | 'share', groupId: number) => `${kind}:${groupId}`;

/**
 * Wakes long-polling requests the moment something they wait for commits in this process:
 * an append to a partition, a change of a group. (With several broker processes on one
 * database, a waiter on another process answers at the end of its wait.)
 */
@Injectable()
export class ChangeSignal {
  private readonly listeners = new Map<string, Set<() => void>>();

  waiter(keys: string[]): ChangeWaiter {
    let fired = false;
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
        for (const key of keys) {
          const set = this.listeners.get(key);
          set?.delete(listener);
          if (set?.size === 0) this.listeners.delete(key);
        }
      },
      wait: (ms) =>
        new Promise<boolean>((resolve) => {
          if (fired) return resolve(true);
          const timer = setTimeout(() => resolve(false), ms);
          wake = () => {
            clearTimeout(timer);
            resolve(true);
          };
        }),
    };
  }

  notify(key: string): void {
    const set = this.listeners.get(key);
    if (set) for (const listener of [...set]) listener();
  }
}
