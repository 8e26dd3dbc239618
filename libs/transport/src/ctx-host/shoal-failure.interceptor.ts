import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { type Observable, catchError, throwError } from 'rxjs';
import { ShoalContext } from './shoal.context.js';

/**
 * Keeps a Shoal handler's original error on its context before Nest's RPC exception filter
 * replaces any error that is not an `RpcException` with "Internal server error", so the
 * worker can send the real message as the failure's reason (the dead-letter copy's
 * `shoal.dlq.error`). `ShoalModule` installs it for the whole app; without the module, add
 * it with `app.useGlobalInterceptors(new ShoalFailureInterceptor())`.
 */
@Injectable()
export class ShoalFailureInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const shoal: unknown = context.getType() === 'rpc' ? context.getArgByIndex(1) : undefined;
    if (!(shoal instanceof ShoalContext)) return next.handle();
    return next.handle().pipe(
      catchError((error: unknown) => {
        shoal.failure = error;
        return throwError(() => error);
      }),
    );
  }
}
