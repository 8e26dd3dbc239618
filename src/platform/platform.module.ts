import { type DynamicModule, Module } from '@nestjs/common';
import { type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { ChangeSignal } from './change-signal.js';
import { type Clock, CLOCK } from './clock.js';
import { LongPollCloser } from './long-poll-closer.js';
import { StoragePressure } from './storage-pressure.js';

export interface PlatformOptions {
  config: ShoalConfig;
  clock: Clock;
}

/** The building blocks every feature uses, global: the configuration, the clock, the change signal, shutdown and disk-pressure state. */
@Module({})
export class PlatformModule {
  static forRoot({ config, clock }: PlatformOptions): DynamicModule {
    const providers = [
      { provide: SHOAL_CONFIG, useValue: config },
      { provide: CLOCK, useValue: clock },
      ChangeSignal,
      LongPollCloser,
      StoragePressure,
    ];
    return { module: PlatformModule, global: true, providers, exports: providers };
  }
}
