import { produceValueTexts } from '../../src/log/http/produce-value-texts.js';
import { parseProduceBody } from '../../src/log/http/produce.dto.js';

/** What the broker stored before: each record's value parsed, then serialised again. */
function stringified(text: string): (string | undefined)[] {
  const { records } = JSON.parse(text) as { records: { value?: unknown }[] };
  return records.map((record) =>
    typeof record === 'object' && record !== null && 'value' in record ? JSON.stringify(record.value) : undefined,
  );
}

/** Every text the scanner kept is exactly JSON.stringify of the parsed value. */
function expectFaithful(text: string): (string | undefined)[] | undefined {
  const expected = stringified(text);
  const texts = produceValueTexts(text, expected.length);
  if (texts !== undefined) {
    expect(texts).toHaveLength(expected.length);
    texts.forEach((kept, i) => {
      if (kept !== undefined) expect(kept).toBe(expected[i]);
    });
  }
  return texts;
}

/** A small deterministic generator (the same inputs on every run). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

/** JSON text for a random value, written in any of the forms JSON allows (spaces, escapes, numbers). */
function writeRandom(next: () => number, depth: number): string {
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
  const space = () => pick(['', '', '', ' ', '\n  ', '\t']);
  const kind = depth > 3 ? pick(['s', 'n', 'l']) : pick(['s', 'n', 'l', 'o', 'a', 'o']);
  if (kind === 's')
    return pick([
      '"plain"',
      '""',
      '"ü €"',
      '"a\\"b"',
      '"\\u0041"',
      '"\\/"',
      '"line\\n"',
      '"\\ud83d\\ude00"',
      '"😀"',
      '"\\\\"',
    ]);
  if (kind === 'n')
    return pick([
      '0',
      '-0',
      '1',
      '-17',
      '1.5',
      '1.50',
      '1e3',
      '1E+2',
      '0.1',
      '123456789012345',
      '12345678901234567890',
      '-0.0',
      '2.5e-7',
    ]);
  if (kind === 'l') return pick(['true', 'false', 'null']);
  if (kind === 'a') {
    const items = Array.from(
      { length: Math.floor(next() * 4) },
      () => space() + writeRandom(next, depth + 1) + space(),
    );
    return `[${items.join(',')}]`;
  }
  const keys = ['a', 'b', 'value', '1', '10', 'x y', '__proto__', 'constructor', 'k\\u0065y', 'a'];
  const members = Array.from(
    { length: Math.floor(next() * 4) },
    () =>
      `${space()}"${pick(keys.filter((k) => k !== '__proto__' && k !== 'constructor'))}"${space()}:${space()}${writeRandom(next, depth + 1)}${space()}`,
  );
  return `{${members.join(',')}}`;
}

describe('produceValueTexts', () => {
  it('keeps the plain values of a produce body as written, the same text JSON.stringify gives', () => {
    const records = Array.from({ length: 50 }, (_, i) => ({
      value: { i, s: 'x'.repeat(i), nested: [i, { ok: true }] },
    }));
    const text = JSON.stringify({ records });
    const texts = expectFaithful(text);
    expect(texts).toEqual(records.map((r) => JSON.stringify(r.value)));
  });

  it('keeps values beside keys, headers and other fields, and strings, numbers and literals alone', () => {
    const text =
      '{"records":[{"key":"k","value":"text","headers":{"h":"v"}},{"value":-12},{"value":null},' +
      '{"partition":1,"value":[1,2.5,"ü"],"timestamp":5},{"valueBase64":"AA=="},{"tombstone":true},{"value":{}}]}';
    expect(expectFaithful(text)).toEqual(['"text"', '-12', 'null', '[1,2.5,"ü"]', undefined, undefined, '{}']);
  });

  it('gives up on a value whose text differs from JSON.stringify of its parse', () => {
    const cases = [
      '{ "a": 1 }',
      '{"a":1,"a":2}',
      '{"2":1,"1":2}',
      '{"k\\u0065y":1}',
      '"a\\"b"',
      '"\\u00e9"',
      '1.0',
      '1e3',
      '-0',
      '12345678901234567890',
      '[1, 2]',
      '{"a":[ ]}',
    ];
    for (const value of cases) {
      const text = `{"records":[{"value":${value}}]}`;
      expect(expectFaithful(text)).toEqual([undefined]);
    }
  });

  it('keeps no value of a record that has two, or a key spelled with an escape', () => {
    expect(expectFaithful('{"records":[{"value":1,"value":2}]}')).toEqual([undefined]);
    expect(expectFaithful('{"records":[{"valu\\u0065":1}]}')).toEqual([undefined]);
    expect(expectFaithful('{"records":[{"v\\u0061lue":1,"value":2}]}')).toEqual([undefined]);
  });

  it('answers nothing for a body that is not the plain {"records": [...]}', () => {
    expect(produceValueTexts('[]', 0)).toBeUndefined();
    expect(produceValueTexts('{"other":[]}', 0)).toBeUndefined();
    expect(produceValueTexts('{"records":[{"value":1}]}', 2)).toBeUndefined();
    // JSON.parse keeps the last "records"; so does the scanner
    expect(expectFaithful('{"records":[{"value":1},{"value":2}], "records" : [{"value":3}]}')).toEqual(['3']);
    expect(expectFaithful(' \n{ "records" : [ { "value" : {"a":1} } , 7, "s" ] } ')).toEqual([
      '{"a":1}',
      undefined,
      undefined,
    ]);
  });

  it('never keeps a text JSON.stringify would not give, over 3,000 random bodies', () => {
    const next = random(29);
    let kept = 0;
    for (let n = 0; n < 3_000; n++) {
      const records = Array.from({ length: 1 + Math.floor(next() * 4) }, () =>
        next() < 0.2 ? `{"key":"k","value":${writeRandom(next, 0)}}` : `{"value":${writeRandom(next, 0)}}`,
      );
      const text = `{"records":[${records.join(',')}]}`;
      kept += (expectFaithful(text) ?? []).filter((t) => t !== undefined).length;
    }
    expect(kept).toBeGreaterThan(1_000); // the scanner did keep texts, not only give up
  });

  it('makes parseProduceBody store exactly what it stored before', () => {
    const text = '{"records":[{"value":{"b":1,"a":[true]}},{"value":{ "spaced" : 1 }},{"key":"k","value":"v"}]}';
    const withText = parseProduceBody(JSON.parse(text), 1024, text);
    const without = parseProduceBody(JSON.parse(text), 1024);
    expect(withText).toEqual(without);
  });
});
