import { Lookahead, LOOKAHEAD_FACTOR } from '../../libs/transport/src/server/lookahead.js';

describe(Lookahead.name, () => {
  it('holds nothing ahead until it has seen a handler and a fetch', () => {
    const lookahead = new Lookahead();
    expect(lookahead.records(10)).toBe(0);
    lookahead.jobDone(0.01);
    expect(lookahead.records(10)).toBe(0);
    lookahead.fetched(2);
    expect(lookahead.records(10)).toBeGreaterThan(0);
  });

  it('holds nothing ahead for jobs longer than a round trip, so slow jobs spread over the workers', () => {
    const lookahead = new Lookahead();
    lookahead.fetched(3);
    lookahead.jobDone(500);
    expect(lookahead.records(1)).toBe(0);
    expect(lookahead.records(50)).toBe(0);
  });

  it('holds what the handlers start within a round trip, at most LOOKAHEAD_FACTOR x concurrency', () => {
    const lookahead = new Lookahead(1);
    lookahead.fetched(4);
    lookahead.jobDone(2);
    expect(lookahead.records(10)).toBe(20);
    lookahead.jobDone(0.001);
    expect(lookahead.records(10)).toBe(LOOKAHEAD_FACTOR * 10);
  });

  it('follows a change of job length', () => {
    const lookahead = new Lookahead();
    lookahead.fetched(2);
    for (let i = 0; i < 50; i++) lookahead.jobDone(0.01);
    expect(lookahead.records(4)).toBe(LOOKAHEAD_FACTOR * 4);
    for (let i = 0; i < 50; i++) lookahead.jobDone(1_000);
    expect(lookahead.records(4)).toBe(0);
  });
});
