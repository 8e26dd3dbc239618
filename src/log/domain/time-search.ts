/**
 * The first offset in [from, to) whose running-max timestamp is at or after `timestamp`, or
 * `to` when there is none. The running max never decreases along the log, so a binary search
 * over point reads finds it in O(log n) seeks and the log needs no time index (an index on
 * every append costs a third of insert throughput). `probe` answers null for an offset that
 * is no longer stored: only the oldest are ever removed, so that counts as "before".
 */
export async function searchFirstAtOrAfter(
  from: number,
  to: number,
  timestamp: number,
  probe: (offset: number) => Promise<number | null>,
): Promise<number> {
  let low = from;
  let high = to;
  while (low < high) {
    const middle = low + Math.floor((high - low) / 2);
    const maxTimestamp = await probe(middle);
    if (maxTimestamp !== null && maxTimestamp >= timestamp) high = middle;
    else low = middle + 1;
  }
  return low;
}
