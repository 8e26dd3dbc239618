/**
 * A produce request let through while this broker knew of no API keys, whose check that none
 * exist rides on the produce's own statement instead of a round trip before it (PostgreSQL; see
 * AuthGuard): the statement writes nothing if a key exists by then, the produce fails with
 * {@link KeysAppeared}, and the route runs the whole check (`recheck`: 401/403 as any request
 * gets them) before it produces again. A request whose topic name the guard would not pass is
 * not deferred (its 400 comes after the check, as before). So a key created on any broker still turns auth on at
 * once: no record is written for a request that a key made before its write would refuse.
 *
 * A share fetch (one whose acks produce nothing) is deferred alike: the check rides on the
 * first statement of its first transaction, the one that opens the group ({@link KeyCheck});
 * a key found there ends that transaction before it did anything.
 */
type Recheck = (keySeen: boolean) => Promise<void>;

const deferred = new WeakMap<object, Recheck>();

export const deferredAuth = {
  defer(request: object, recheck: Recheck): void {
    deferred.set(request, recheck);
  },
  /**
   * The check the guard left out, when it did (`keySeen`: a key was found, auth is on): run
   * before any answer but the produce's own, so a request refused for its body, say, gets the
   * 401 or 403 the guard would have given first.
   */
  recheck(request: object): Recheck | undefined {
    return deferred.get(request);
  },
};

/** A produce whose auth check was deferred found an API key: nothing was written. */
export class KeysAppeared extends Error {
  constructor() {
    super('an API key exists: the request must be authenticated');
  }
}

/**
 * A deferred check carried into a request's transactions: the first that opens its share group
 * looks for a key in that statement (throwing {@link KeysAppeared} when there is one) and marks
 * it done; the request's later transactions do not look again.
 */
export class KeyCheck {
  pending = true;
}
