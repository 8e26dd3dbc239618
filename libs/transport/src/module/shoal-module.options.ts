import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
import type { ShoalClientOptions } from '../shoal-transport.options.js';

/** What `ShoalModule.forRoot` takes: how every registered client reaches the broker. */
export type ShoalModuleOptions = ShoalClientOptions;

/** `ShoalModule.forRootAsync`: the options built by a factory, e.g. from `ConfigService`. */
export interface ShoalModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Builds the options; its arguments are the providers named in `inject`. */
  useFactory: (...args: never[]) => ShoalModuleOptions | Promise<ShoalModuleOptions>;
  /** Providers handed to `useFactory`, in order. */
  inject?: FactoryProvider['inject'];
}

/** `ShoalModule.registerClient`: a named client, optionally overriding the root options. */
export interface ShoalClientRegistration extends Partial<ShoalClientOptions> {
  /** The name `@InjectShoalClient(name)` asks for. Default `"default"`. */
  name?: string;
}
