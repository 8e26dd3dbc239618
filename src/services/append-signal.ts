import { Injectable } from '@nestjs/common';

/** A registration made before a read, so an append between the read and the wait is not missed. */
export interface AppendWaiter {
  /** Resolves true when the partition was appended to, false when `ms` ran out. */
  wait(ms: number): Promise<boolean>;
  cancel(): void;
}

/**
 * Wakes long-polling readers the moment an append to their partition commits, in this
 * process. (Several broker processes on one database: a reader on another process answers
 * at the end of its wait.)
 */
@Injectable()
export class AppendSignal {
  private readonly waiters = new Map<string, Set<() => void>>();

  waiter(topicId: number, partition: number): AppendWaiter {
    const key = `${topicId}:${partition}`;
    let fired = false;
    let wake: (() => void) | undefined;
    const listener = () => {
      fired = true;
      wake?.();
    };
    let set = this.waiters.get(key);
    if (!set) this.waiters.set(key, (set = new Set()));
    set.add(listener);
    const cancel = () => {
      set.delete(listener);
      if (set.size === 0 && this.waiters.get(key) === set) this.waiters.delete(key);
    };
    return {
      cancel,
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

  notify(topicId: number, partition: number): void {
    const set = this.waiters.get(`${topicId}:${partition}`);
    if (set) for (const listener of [...set]) listener();
  }
}
