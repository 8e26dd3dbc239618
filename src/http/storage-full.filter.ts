import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { StoragePressure } from '../platform/storage-pressure.js';
import { storageErrorKind } from '../storage/storage-error-kind.js';

/** Notes a "disk full" failure for `/health` on its way to the error answer (503 STORAGE_FULL). */
@Catch()
export class StorageFullFilter implements ExceptionFilter {
  constructor(
    private readonly pressure: StoragePressure,
    private readonly next: ExceptionFilter,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (storageErrorKind(exception) === 'disk_full') this.pressure.full();
    this.next.catch(exception, host);
  }
}
