import { ChangeSignal } from '../../src/platform/change-signal.js';

describe(ChangeSignal.name, () => {
  it('counts as waiting only the long polls asleep in wait(), until a change or their time ends it', async () => {
    const signal = new ChangeSignal();
    const woken = signal.waiter(['append:1:0']);
    const timed = signal.waiter(['append:1:1']);
    expect([signal.waiters, signal.waiting]).toEqual([2, 0]); // registered, still reading

    const wokenAnswer = woken.wait(60_000);
    const timedAnswer = timed.wait(1);
    expect(signal.waiting).toBe(2);
    signal.notify('append:1:0');
    expect(await wokenAnswer).toBe(true);
    expect(await timedAnswer).toBe(false);
    expect(signal.waiting).toBe(0);
    woken.cancel();
    timed.cancel();
    expect(signal.waiters).toBe(0);
  });

  it('tells whether a key changed after a version was taken, so a long poll may wait without reading again', () => {
    const signal = new ChangeSignal();
    signal.notify('append:1:0');
    const before = signal.version;
    expect(signal.changedSince(['append:1:0', 'share:7'], before)).toBe(false);

    signal.notify('append:1:1'); // another partition
    expect(signal.changedSince(['append:1:0', 'share:7'], before)).toBe(false);
    signal.notifyLocal('share:7'); // relayed from another broker
    expect(signal.changedSince(['append:1:0', 'share:7'], before)).toBe(true);

    const later = signal.version;
    signal.notifyAll(); // the relay reconnected: anything may have changed
    expect(signal.changedSince(['append:9:9'], later)).toBe(true);
  });
});
