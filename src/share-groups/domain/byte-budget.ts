/**
 * The record bytes one share fetch may still hand out, shared by every share-partition it
 * fills from: records are taken in order while their stored sizes fit, and the answer's
 * first record is always taken however large, so a member is never stuck behind it.
 */
export class ByteBudget {
  private spent = 0;
  private taken = 0;

  constructor(readonly maxBytes: number) {}

  /** Nothing more can be taken: the answer has records and no bytes are left. */
  get exhausted(): boolean {
    return this.taken > 0 && this.spent >= this.maxBytes;
  }

  /** Takes the longest prefix of `sizes` that fits; answers how many were taken. */
  take(sizes: readonly number[]): number {
    let count = 0;
    for (const size of sizes) {
      if (this.taken > 0 && this.spent + size > this.maxBytes) break;
      this.spent += size;
      this.taken += 1;
      count += 1;
    }
    return count;
  }
}
