import { holdsLoneSurrogate, loneSurrogateAt } from '../../src/http/validation/well-formed-json.js';

describe(loneSurrogateAt.name, () => {
  it('finds a lone surrogate in a string or key at any depth, and names where', () => {
    expect(loneSurrogateAt({ records: [{ value: 'ok' }, { value: { a: ['x', '\ud800'] } }] })).toBe(
      'records[1].value.a[1]',
    );
    expect(loneSurrogateAt({ records: [{ headers: { ['h\udc00']: 'v' } }] })).toBe('a key in records[0].headers');
    expect(loneSurrogateAt('\udfff')).toBe('the body');
    expect(holdsLoneSurrogate([[['\ud83d']]])).toBe(true);
  });

  it('passes well-formed text, pairs included, and values that are not strings', () => {
    const fine = { records: [{ key: '😀', value: { n: 1, t: true, z: null, s: ['é', '\ud83d\ude00'] } }] };
    expect(loneSurrogateAt(fine)).toBeUndefined();
    expect(holdsLoneSurrogate(fine)).toBe(false);
    expect(holdsLoneSurrogate(42)).toBe(false);
  });
});
