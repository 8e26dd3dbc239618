import { type DynamicModule, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ShoalClient } from '../client/shoal.client.js';
import { ShoalFailureInterceptor } from '../ctx-host/shoal-failure.interceptor.js';
import type { ShoalClientOptions } from '../shoal-transport.options.js';
import { DEFAULT_SHOAL_CLIENT, getShoalClientToken, SHOAL_MODULE_OPTIONS } from './shoal.constants.js';
import type { ShoalClientRegistration, ShoalModuleAsyncOptions, ShoalModuleOptions } from './shoal-module.options.js';

/**
 * Shoal in a Nest application, in the shape of `BullModule`: `forRoot` (or `forRootAsync`)
 * once, globally, says how to reach the broker; `registerClient` in any module provides a
 * {@link ShoalClient}, injected with `@InjectShoalClient(name?)` (the default one also as the
 * `ShoalClient` class). Clients send what they hold and close when the application shuts down.
 * `forRoot` also installs {@link ShoalFailureInterceptor}, so a worker's failure reasons carry
 * the handler's own error message.
 */
@Module({})
export class ShoalModule {
  /** The broker's address for every client registered afterwards. */
  static forRoot(options: ShoalModuleOptions): DynamicModule {
    const provider: Provider = { provide: SHOAL_MODULE_OPTIONS, useValue: options };
    return { module: ShoalModule, global: true, providers: [provider, failureInterceptor], exports: [provider] };
  }

  /** As {@link forRoot}, with the options from a factory (e.g. `ConfigService`). */
  static forRootAsync(options: ShoalModuleAsyncOptions): DynamicModule {
    const provider: Provider = {
      provide: SHOAL_MODULE_OPTIONS,
      useFactory: options.useFactory,
      inject: options.inject ?? [],
    };
    return {
      module: ShoalModule,
      global: true,
      imports: options.imports ?? [],
      providers: [provider, failureInterceptor],
      exports: [provider],
    };
  }

  /** One injectable `ShoalClient` per registration; without `forRoot`, each needs its own `url`. */
  static registerClient(...registrations: ShoalClientRegistration[]): DynamicModule {
    const providers = (registrations.length > 0 ? registrations : [{}]).flatMap(clientProviders);
    return { module: ShoalModule, providers, exports: providers };
  }
}

const failureInterceptor: Provider = { provide: APP_INTERCEPTOR, useClass: ShoalFailureInterceptor };

function clientProviders({ name = DEFAULT_SHOAL_CLIENT, ...overrides }: ShoalClientRegistration): Provider[] {
  const token = getShoalClientToken(name);
  const client: Provider = {
    provide: token,
    useFactory: (root?: ShoalModuleOptions) => createClient(name, { ...root, ...overrides }),
    inject: [{ token: SHOAL_MODULE_OPTIONS, optional: true }],
  };
  return name === DEFAULT_SHOAL_CLIENT ? [client, { provide: ShoalClient, useExisting: token }] : [client];
}

function createClient(name: string, options: Partial<ShoalClientOptions>): ShoalClient & OnApplicationShutdown {
  if (!options.url)
    throw new Error(`Shoal client "${name}" has no url: give one to ShoalModule.forRoot or registerClient`);
  const client = new ShoalClient({ ...options, url: options.url });
  // As ClientsModule does: Nest calls this hook on the provider's instance at shutdown.
  return Object.assign(client, { onApplicationShutdown: () => client.close() });
}
