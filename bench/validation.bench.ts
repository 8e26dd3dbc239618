import { parseProduceBody } from '../src/log/http/produce.dto.js';
import { fmt, printTable } from './harness.js';

/** What validating and encoding a 1,000-record batch costs, next to parsing its JSON. */
export function benchValidation(): void {
  const body = JSON.stringify({
    records: Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(98), headers: { a: 'b' } })),
  });
  const rounds = 300;
  let parseMs = 0;
  let validateMs = 0;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const parsed: unknown = JSON.parse(body);
    const t1 = performance.now();
    parseProduceBody(parsed, 1024 * 1024);
    validateMs += performance.now() - t1;
    parseMs += t1 - t0;
  }
  printTable(
    'Validating a 1,000-record produce body (in process)',
    ['JSON.parse ms', 'validate + encode ms'],
    [[fmt(parseMs / rounds, 3), fmt(validateMs / rounds, 3)]],
  );
}
