/**
 * Where byte retention cuts a partition: walking from the oldest record, everything up to
 * and including the record that brings the removed total to `excess` goes. Answers the new
 * start offset, or null when `sizes` (a page) ran out before enough was removed.
 */
export function byteRetentionCut(
  sizes: { offset: number; size: number }[],
  excess: number,
  removedSoFar: number,
): { cut: number | null; removed: number } {
  let removed = removedSoFar;
  for (const { offset, size } of sizes) {
    removed += size;
    if (removed >= excess) return { cut: offset + 1, removed };
  }
  return { cut: null, removed };
}
