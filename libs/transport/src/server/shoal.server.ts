import { Logger } from '@nestjs/common';
import {
  type AsyncMicroserviceOptions,
  type CustomTransportStrategy,
  type MessageHandler,
  type ReadPacket,
  Server,
} from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { ShoalHttpClient } from '@shoal/client';
import type { WireRecord } from '@shoal/protocol';
import { ShoalContext } from '../ctx-host/shoal.context.js';
import { SHOAL_MODULE_OPTIONS } from '../module/shoal.constants.js';
import type {
  ShoalClientOptions,
  ShoalHandlerOptions,
  ShoalProcessorOptions,
  ShoalServerOptions,
  ShoalStatus,
  ShoalWorkerOptions,
  ShoalWorkerSettings,
} from '../shoal-transport.options.js';
import { Replier, replyAddress } from '../reply/replier.js';
import { ConsumerSubscriber } from './consumer-subscriber.js';
import { ShareWorker } from './share-worker.js';
import { SHOAL_PROCESSOR } from './shoal-processor.decorator.js';

/** The transport id of Shoal handlers. */
export const SHOAL_TRANSPORT = Symbol('SHOAL_TRANSPORT');

/** One worker of the server: its group's settings and the handlers of its topics. */
interface WorkerPlan {
  options: ShoalWorkerOptions;
  handlers: Map<string, MessageHandler>;
  /** Per topic: the handler's own `attempts`. */
  attempts: Map<string, number>;
  /** The processor options it came from (conflicting ones for one group are refused). */
  from?: ShoalProcessorOptions;
}

/** How the server reaches the broker: not a worker setting. */
const CONNECTION = ['url', 'apiKey', 'ca', 'retry'] as const;

/** Settings that belong to one group and are not handed down from the server to a processor's. */
const GROUP_OWN = ['groupConfig', 'topicPriority', 'lowerPriorityShare', 'maxRecordsPerSecond'] as const;

/**
 * A NestJS microservice transport for Shoal. Each handler's pattern is a topic
 * (`@EventPattern('emails')`). In `share` mode the server is a job-queue worker in a share
 * group; in `consumer` mode a pub/sub subscriber in a consumer group. Handlers of a
 * `@ShoalProcessor({ group, … })` class run in that processor's group with its settings, each
 * group its own worker receiving only its own topics; the others run in the server's `group`.
 *
 * ```ts
 * const app = await NestFactory.createMicroservice(AppModule, {
 *   strategy: new ShoalServer({ url: 'http://localhost:8080', mode: 'share', group: 'mailers' }),
 * });
 * await app.listen();
 * ```
 */
export class ShoalServer extends Server<Record<string, never>, ShoalStatus> implements CustomTransportStrategy {
  override transportId = SHOAL_TRANSPORT;
  // handleEvent awaits the handler, so its failure becomes a release or a retry.
  override readonly propagatesEventHandlerErrors = true;
  protected override readonly logger = new Logger(ShoalServer.name);
  private readonly http: ShoalHttpClient;
  private runners: (ShareWorker | ConsumerSubscriber)[] = [];
  /** The workers of `@ShoalProcessor` classes, by mode and group. */
  private readonly processors = new Map<string, WorkerPlan>();
  /** Answers the requests of `ShoalClient.send` to `@MessagePattern` handlers. */
  private readonly replier: Replier;

  constructor(private readonly options: ShoalServerOptions) {
    super();
    this.http = new ShoalHttpClient({
      url: options.url,
      apiKey: options.apiKey,
      ca: options.ca,
      retry: options.retry,
    });
    this.replier = new Replier(options, this.logger as Logger, (result) => this.transformToObservable(result));
  }

  /**
   * The microservice options of a server that reaches the broker as `ShoalModule.forRoot` (or
   * `forRootAsync`) says — URL, API key, CA, retries and `autoCreateTopics` are not repeated:
   * `NestFactory.createMicroservice(AppModule, ShoalServer.fromModule({ group: 'mailers' }))`.
   */
  static fromModule(options: Partial<ShoalServerOptions> = {}): AsyncMicroserviceOptions {
    return {
      inject: [SHOAL_MODULE_OPTIONS],
      useFactory: (root: ShoalClientOptions) => {
        const { url, apiKey, ca, retry, autoCreateTopics } = root;
        return { strategy: new ShoalServer({ url, apiKey, ca, retry, autoCreateTopics, ...options }) };
      },
    };
  }

  /** Registers a handler: in its processor's worker if its class has `@ShoalProcessor`, else in the server's. */
  override addHandler(
    pattern: unknown,
    callback: MessageHandler,
    isEventHandler = false,
    extras: Record<string, unknown> = {},
  ): void {
    const processor = extras[SHOAL_PROCESSOR] as ShoalProcessorOptions | undefined;
    if (processor === undefined) return super.addHandler(pattern, callback, isEventHandler, extras);
    const topic = this.normalizePattern(pattern as string);
    const plan = this.processorPlan(processor);
    callback.isEventHandler = isEventHandler;
    callback.extras = extras;
    const head = plan.handlers.get(topic);
    if (head && isEventHandler) {
      let tail = head;
      while (tail.next) tail = tail.next;
      tail.next = callback;
    } else plan.handlers.set(topic, callback);
    const attempts = (extras as ShoalHandlerOptions).attempts;
    if (attempts !== undefined && !plan.attempts.has(topic)) plan.attempts.set(topic, attempts);
  }

  /** Joins each worker's group with its handled topics and starts consuming. */
  listen(callback: (error?: unknown) => void): void {
    let plans: WorkerPlan[];
    try {
      plans = this.plans();
    } catch (error) {
      return callback(error);
    }
    const setStatus = (status: ShoalStatus) => this._status$.next(status);
    const logger = this.logger as Logger;
    const started = plans.map((plan) => {
      const dispatch = (record: WireRecord, context: ShoalContext) => this.run(plan.handlers, record, context);
      const runner =
        plan.options.mode === 'share'
          ? new ShareWorker(this.http, plan.options, dispatch, logger, setStatus, (topic) =>
              plan.attempts.has(topic) ? plan.attempts.get(topic) : plan.options.attempts,
            )
          : new ConsumerSubscriber(this.http, plan.options, dispatch, logger, setStatus);
      this.runners.push(runner);
      return runner.begin([...plan.handlers.keys()]);
    });
    Promise.all(started).then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** Graceful shutdown: stop fetching, let handlers finish within the grace period, release the rest, leave. */
  async close(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
    await this.replier.close();
    await this.http.close();
  }

  /** The HTTP client the server talks to the broker with. */
  unwrap<T>(): T {
    return this.http as T;
  }

  on(): never {
    throw new Error('ShoalServer has no events: subscribe to `status` instead');
  }

  /**
   * Runs the handler of the server's own group and waits for its outcome (the base class only
   * logs a failure), so the worker can accept, release or reject the record.
   */
  override async handleEvent(pattern: string, packet: ReadPacket, context: ShoalContext): Promise<void> {
    // Patterns are topic names: look them up directly (getHandlerByPattern first tries to
    // parse each pattern as JSON, and a thrown parse error per record is measurable).
    const handler = this.messageHandlers.get(pattern) ?? this.getHandlerByPattern(pattern);
    if (!handler) throw new Error(`no handler for topic ${pattern}`);
    const result = await handler(packet.data, context);
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }

  /**
   * Runs a worker's handler of the record's topic; a request (from `send`) is answered. Answers
   * the handler's return value (an Observable's last), the job's result in share mode.
   */
  private async run(
    handlers: Map<string, MessageHandler>,
    record: WireRecord,
    context: ShoalContext,
  ): Promise<unknown> {
    const handler = handlers.get(record.topic);
    if (!handler) throw new Error(`no handler for topic ${record.topic}`);
    const address = replyAddress(record.headers);
    if (address) return this.replier.answer(handler, recordData(record), context, address);
    const result: unknown = await handler(recordData(record), context);
    return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
  }

  /** The server's settings every worker starts from: all but the connection and group-own ones. */
  private inherited(): ShoalWorkerSettings {
    const settings: ShoalWorkerSettings & Partial<ShoalServerOptions> = { ...this.options };
    for (const key of [...CONNECTION, ...GROUP_OWN, 'group'] as const) delete settings[key];
    return settings;
  }

  private processorPlan(processor: ShoalProcessorOptions): WorkerPlan {
    const mode = processor.mode ?? this.options.mode ?? 'share';
    const key = `${mode}\u0000${processor.group}`;
    const existing = this.processors.get(key);
    if (existing) {
      if (existing.from !== processor && JSON.stringify(existing.from) !== JSON.stringify(processor))
        throw new Error(`@ShoalProcessor classes of group ${processor.group} give it different settings`);
      return existing;
    }
    const plan: WorkerPlan = {
      options: { ...this.inherited(), ...processor, mode },
      handlers: new Map(),
      attempts: new Map(),
      from: processor,
    };
    this.processors.set(key, plan);
    return plan;
  }

  /** Every worker to start: the server's own group (its handlers outside processors), then each processor's. */
  private plans(): WorkerPlan[] {
    const plans = [...this.processors.values()];
    if (this.messageHandlers.size === 0) {
      if (plans.length === 0) throw new Error('ShoalServer has no handlers: add @EventPattern(topic) handlers');
      return plans;
    }
    const { group, mode = 'share' } = this.options;
    if (!group)
      throw new Error(
        `ShoalServer has handlers outside any @ShoalProcessor (topics ${[...this.messageHandlers.keys()].join(', ')}) and no group`,
      );
    const attempts = new Map<string, number>();
    for (const [topic, handler] of this.messageHandlers) {
      const given = (handler.extras as ShoalHandlerOptions | undefined)?.attempts;
      if (given !== undefined) attempts.set(topic, given);
    }
    const own: WorkerPlan = { options: { ...this.options, mode, group }, handlers: this.messageHandlers, attempts };
    const same = this.processors.get(`${mode}\u0000${group}`);
    if (same) {
      // The server's group has processor classes too: one worker, the processor's settings.
      for (const [topic, handler] of own.handlers) if (!same.handlers.has(topic)) same.handlers.set(topic, handler);
      for (const [topic, count] of attempts) if (!same.attempts.has(topic)) same.attempts.set(topic, count);
      return plans;
    }
    return [own, ...plans];
  }
}

/** A handler's data: the JSON value, the bytes of a raw record, or null for a tombstone. */
function recordData(record: WireRecord): unknown {
  if (record.tombstone === true) return null;
  return record.valueBase64 !== undefined ? Buffer.from(record.valueBase64, 'base64') : record.value;
}
