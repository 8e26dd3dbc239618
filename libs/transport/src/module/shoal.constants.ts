/** The injection token of the options given to `ShoalModule.forRoot` / `forRootAsync`. */
export const SHOAL_MODULE_OPTIONS = 'SHOAL_MODULE_OPTIONS';

/** The name of the client `ShoalModule.registerClient()` registers when given none. */
export const DEFAULT_SHOAL_CLIENT = 'default';

/** The injection token of the `ShoalClient` registered under `name`. */
export function getShoalClientToken(name: string = DEFAULT_SHOAL_CLIENT): string {
  return `ShoalClient:${name}`;
}
