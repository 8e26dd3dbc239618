import { PATTERN_EXTRAS_METADATA, PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import type { ShoalProcessorOptions } from '../shoal-transport.options.js';

/** The key of a handler's pattern extras under which `@ShoalProcessor` puts its options. */
export const SHOAL_PROCESSOR = 'shoal:processor';

/**
 * Makes a controller class its own worker, as `@Processor('emails')` does in `@nestjs/bullmq`:
 * each of the class's `@EventPattern(topic)` handlers runs in `options.group`, with that
 * worker's concurrency and group settings, and receives only its own topics' records. Several
 * processors (several groups) run in one application under one {@link ShoalServer}, which
 * reaches the broker for all of them; settings a processor leaves out are the server's, but for
 * `groupConfig`, `topicPriority`, `lowerPriorityShare` and `maxRecordsPerSecond` (a group's own).
 *
 * ```ts
 * @ShoalProcessor({ group: 'mailers', concurrency: 20, groupConfig: { deadLetterTopic: 'emails-dlq' } })
 * @Controller()
 * class EmailsProcessor {
 *   @EventPattern('emails') send(@Payload() email: Email) { … }
 * }
 * ```
 */
export function ShoalProcessor(options: ShoalProcessorOptions): ClassDecorator {
  if (!options?.group) throw new Error('@ShoalProcessor needs a group');
  return (target) => {
    const prototype = (target as unknown as { prototype: object }).prototype;
    for (const key of Object.getOwnPropertyNames(prototype)) {
      const method = Object.getOwnPropertyDescriptor(prototype, key)?.value as unknown;
      if (key === 'constructor' || typeof method !== 'function') continue;
      if (!Reflect.hasMetadata(PATTERN_METADATA, method)) continue;
      const extras = (Reflect.getMetadata(PATTERN_EXTRAS_METADATA, method) ?? {}) as Record<string, unknown>;
      Reflect.defineMetadata(PATTERN_EXTRAS_METADATA, { ...extras, [SHOAL_PROCESSOR]: options }, method);
    }
  };
}
