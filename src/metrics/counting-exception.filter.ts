import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { ShoalMetrics } from './shoal-metrics.js';

/** Counts storage failures (`shoal_storage_errors_total`) on their way to the HTTP error filter. */
@Catch()
export class CountingExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly metrics: ShoalMetrics,
    private readonly next: ExceptionFilter,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    this.metrics.failed(exception);
    this.next.catch(exception, host);
  }
}
