import { ackNotes, archivedNotes } from '../../src/share-groups/domain/job-notes.js';
import { coalesceAccepts } from '../../libs/transport/src/server/ack-flusher.js';
import type { AckEntry } from '../../src/share-groups/domain/acknowledge.js';

const entry = (e: Partial<AckEntry> & { offset: number }): AckEntry => ({
  lastOffset: e.offset,
  type: 'accept',
  ...e,
});

describe(ackNotes.name, () => {
  const now = 1_000;

  it('writes nothing for plain accepts while the group keeps no results (the hot path)', () => {
    const entries = [entry({ offset: 0, lastOffset: 99 }), entry({ offset: 100, result: { x: 1 } })];
    expect(ackNotes(entries, [null, null], new Map(), now, 0)).toEqual([]);
  });

  it('keeps reasons always, results and outcomes while the group keeps results, for applied entries only', () => {
    const entries = [
      entry({ offset: 0, result: { sum: 6 } }),
      entry({ offset: 1, type: 'release', reason: 'busy' }),
      entry({ offset: 2, lastOffset: 3, type: 'reject', reason: 'bad' }),
      entry({ offset: 4, type: 'renew' }),
      entry({ offset: 5, result: 'refused' }),
    ];
    const errors = [null, null, null, null, 'INVALID_RECORD_STATE'];
    const archived = new Map([
      [2, 'rejected'],
      [3, 'rejected'],
    ]);
    expect(ackNotes(entries, errors, archived, now, 0)).toEqual([
      { offset: 1, reason: 'busy' },
      { offset: 2, reason: 'bad' },
      { offset: 3, reason: 'bad' },
    ]);
    expect(ackNotes(entries, errors, archived, now, 500)).toEqual([
      { offset: 0, result: '{"sum":6}', outcome: 'accepted', expiresAt: 1_500 },
      { offset: 1, reason: 'busy' },
      { offset: 2, reason: 'bad', outcome: 'rejected', expiresAt: 1_500 },
      { offset: 3, reason: 'bad', outcome: 'rejected', expiresAt: 1_500 },
    ]);
  });

  it('records a release at the delivery limit as rejected; lock expiries at the limit too', () => {
    const entries = [entry({ offset: 7, type: 'release' })];
    expect(ackNotes(entries, [null], new Map([[7, 'delivery_limit']]), now, 100)).toEqual([
      { offset: 7, outcome: 'rejected', expiresAt: 1_100 },
    ]);
    expect(archivedNotes([8, 9], now, 100)).toEqual([
      { offset: 8, outcome: 'rejected', expiresAt: 1_100 },
      { offset: 9, outcome: 'rejected', expiresAt: 1_100 },
    ]);
    expect(archivedNotes([8], now, 0)).toEqual([]);
  });
});

describe(coalesceAccepts.name, () => {
  it('keeps an accept carrying a result out of the ranges', () => {
    const at = (offset: number) => ({ topic: 't', partition: 0, offset, type: 'accept' as const });
    expect(coalesceAccepts([at(0), { ...at(1), result: 1 }, at(2), at(3)])).toEqual([
      { ...at(1), result: 1 },
      { ...at(0) },
      { ...at(2), lastOffset: 3 },
    ]);
  });
});
