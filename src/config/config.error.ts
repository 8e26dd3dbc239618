/** The environment cannot start a broker: one line per bad variable, printed without a stack by `main.ts`. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid environment: ${problems.join('; ')}`);
    this.name = ConfigError.name;
  }
}
