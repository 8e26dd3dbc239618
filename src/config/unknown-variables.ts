/** `SHOAL_*` variables read elsewhere (the example apps, the test support), so not a typo. */
const READ_ELSEWHERE = new Set(['SHOAL_URL', 'SHOAL_GROUP', 'SHOAL_TEST_POSTGRES_URL']);

/** Levenshtein distance, small strings only. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * One warning per `SHOAL_*` variable the broker does not read, with the closest known name
 * when it is a plausible misspelling (within a third of its length, at least 2 edits).
 */
export function unknownVariableWarnings(env: NodeJS.ProcessEnv, known: readonly string[]): string[] {
  const names = Object.keys(env).filter(
    (name) => name.startsWith('SHOAL_') && !known.includes(name) && !READ_ELSEWHERE.has(name),
  );
  return names.sort().map((name) => {
    const [closest] = [...known]
      .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
      .sort((x, y) => x.distance - y.distance);
    const close = closest !== undefined && closest.distance <= Math.max(2, Math.floor(closest.candidate.length / 3));
    return `unknown environment variable ${name} is ignored${close ? ` (did you mean ${closest.candidate}?)` : ''}`;
  });
}
