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
});
