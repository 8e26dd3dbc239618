import { Inject } from '@nestjs/common';
import { getShoalClientToken } from './shoal.constants.js';

/** Injects the `ShoalClient` that `ShoalModule.registerClient({ name })` registered. */
export const InjectShoalClient = (name?: string): PropertyDecorator & ParameterDecorator =>
  Inject(getShoalClientToken(name));
