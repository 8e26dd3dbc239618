/** Kafka's version ranges: `0+`, `3-5`, `7`, `none`. */
export interface VersionRange {
  min: number;
  max: number;
}

const cache = new Map<string, VersionRange | null>();

export function parseVersions(text: string | undefined): VersionRange | null {
  if (text === undefined || text === 'none' || text === '') return null;
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  let range: VersionRange;
  if (text.endsWith('+')) range = { min: Number(text.slice(0, -1)), max: Number.MAX_SAFE_INTEGER };
  else if (text.includes('-')) {
    const [min, max] = text.split('-');
    range = { min: Number(min), max: Number(max) };
  } else range = { min: Number(text), max: Number(text) };
  cache.set(text, range);
  return range;
}

export function inVersions(text: string | undefined, version: number): boolean {
  const range = parseVersions(text);
  return range !== null && version >= range.min && version <= range.max;
}
