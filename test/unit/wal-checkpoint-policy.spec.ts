import { WalCheckpointPolicy } from '../../src/storage/sqlite-thread/wal-checkpoint-policy.js';

describe(WalCheckpointPolicy.name, () => {
  // The broker's settings: 100 frames once writes pause for 100 ms, 1,000 while they go on.
  const policy = () => new WalCheckpointPolicy(100, 1_000, 100);

  it('copies what a burst left once the writes pause', () => {
    const p = policy();
    expect(p.due(300, 0, 0)).toBe(false); // just written
    expect(p.due(300, 0, 50)).toBe(false); // quiet for 50 ms only
    expect(p.due(300, 0, 100)).toBe(true); // quiet for 100 ms
  });

  it('leaves a few frames alone however long the writes pause', () => {
    const p = policy();
    expect(p.due(99, 0, 0)).toBe(false);
    expect(p.due(99, 0, 10_000)).toBe(false);
  });

  it('counts only the frames not yet copied', () => {
    const p = policy();
    expect(p.due(3_000, 2_950, 0)).toBe(false);
    expect(p.due(3_000, 2_950, 500)).toBe(false); // 50 waiting
    expect(p.due(3_100, 2_950, 600)).toBe(false); // 150 waiting, but just written
    expect(p.due(3_100, 2_950, 700)).toBe(true);
  });

  it('under writes that never pause, copies once 1,000 frames wait', () => {
    const p = policy();
    let due = false;
    let frames = 0;
    for (let now = 0; !due; now += 10) {
      frames += 50; // a write every 10 ms: never 100 ms quiet
      due = p.due(frames, 0, now);
      if (!due) expect(frames).toBeLessThan(1_000);
    }
    expect(frames).toBe(1_000);
  });

  it('sees a log started over as a write', () => {
    const p = policy();
    expect(p.due(500, 0, 0)).toBe(false);
    expect(p.due(500, 500, 200)).toBe(false); // copied
    expect(p.due(200, 0, 210)).toBe(false); // the writer started it over: a change
    expect(p.due(200, 0, 310)).toBe(true);
  });
});
