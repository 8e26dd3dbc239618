import { Inject, Injectable } from '@nestjs/common';
import { type Clock, CLOCK } from './clock.js';

/** How long after the last "disk full" `/health` keeps reporting it. */
export const STORAGE_FULL_REPORT_MS = 30_000;

/** Remembers when the storage last refused a write for lack of space, for `/health`. */
@Injectable()
export class StoragePressure {
  private lastFullAt: number | null = null;

  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  full(): void {
    this.lastFullAt = this.clock.now();
  }

  /** Whether a write failed for lack of space in the last {@link STORAGE_FULL_REPORT_MS}. */
  isFull(): boolean {
    return this.lastFullAt !== null && this.clock.now() - this.lastFullAt < STORAGE_FULL_REPORT_MS;
  }
}
