import { WalCheckpointPolicy } from '../../src/storage/sqlite-thread/wal-checkpoint-policy.js';

describe(WalCheckpointPolicy.name, () => {
  // 1,000 frames once writes pause for 50 ms; 4,000 while they go on.
  const policy = () => new WalCheckpointPolicy(1_000, 4_000, 50);

  it('waits for a pause in the writes once enough frames wait', () => {
    const p = policy();
    expect(p.due(1_200, 0, 0)).toBe(false); // just written
    expect(p.due(1_200, 0, 30)).toBe(false); // quiet for 30 ms only
    expect(p.due(1_200, 0, 50)).toBe(true); // quiet for 50 ms
  });

  it('leaves a small log alone however long the writes pause', () => {
    const p = policy();
    expect(p.due(999, 0, 0)).toBe(false);
    expect(p.due(999, 0, 10_000)).toBe(false);
  });

  it('counts only the frames not yet copied', () => {
    const p = policy();
    expect(p.due(3_000, 2_500, 0)).toBe(false);
    expect(p.due(3_000, 2_500, 100)).toBe(false); // 500 waiting
    expect(p.due(3_600, 2_500, 200)).toBe(false); // 1,100 waiting, but just written
    expect(p.due(3_600, 2_500, 250)).toBe(true);
  });

  it('under writes that never pause, copies once the larger count waits', () => {
    const p = policy();
    let due = false;
    let frames = 0;
    for (let now = 0; !due; now += 10) {
      frames += 50; // a write every 10 ms: never 50 ms quiet
      due = p.due(frames, 0, now);
      if (!due) expect(frames).toBeLessThan(4_000);
    }
    expect(frames).toBe(4_000);
  });

  it('sees a log started over as a write', () => {
    const p = policy();
    expect(p.due(1_500, 0, 0)).toBe(false);
    expect(p.due(1_500, 1_500, 100)).toBe(false); // copied
    expect(p.due(1_100, 0, 110)).toBe(false); // the writer started it over: a change
    expect(p.due(1_100, 0, 160)).toBe(true);
  });
});
