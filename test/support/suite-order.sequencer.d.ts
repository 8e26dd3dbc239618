export const HEAVY_SUITES: Map<string, number>;
export function keepHeavyApart<T extends { path: string; duration?: number }>(
  tests: T[],
  rootDir: string,
  heavy?: Map<string, number>,
): T[];
export default class SuiteOrderSequencer {}
