const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** More keys than this in one object: its text is not checked for repeated keys, and not kept. */
const MAX_CHECKED_KEYS = 32;

/**
 * The text of each record's `value` in a produce body, cut from the body's own JSON text
 * wherever that text is exactly what `JSON.stringify` gives for the parsed value, so the broker
 * stores it without serialising it again (1,000 `JSON.stringify` calls cost more than the
 * parse of the whole body). `undefined` for a record whose value text differs from that form
 * or is absent: whitespace, a `\` escape in a string, a number not written as JavaScript
 * prints it (`1.0`, `1e3`, `-0`), a key repeated or led by a digit (`JSON.parse` keeps the
 * last of a repeat; integer keys come first in an object), a key spelled with an escape, or
 * `__proto__`/`constructor` (which the JSON parser may refuse or remove).
 * Answers `undefined` altogether when the body is not the plain `{"records": [...]}` of
 * `count` elements. `text` must be JSON that `JSON.parse` accepted.
 */
export function produceValueTexts(text: string, count: number): (string | undefined)[] | undefined {
  try {
    return scan(text, count);
  } catch {
    return undefined; // nothing here should throw; if it did, the values are serialised as before
  }
}

function scan(text: string, count: number): (string | undefined)[] | undefined {
  const scanner = new Scanner(text);
  scanner.space();
  if (scanner.peek() !== OPEN_BRACE) return undefined;
  scanner.at++;
  scanner.space();
  let texts: (string | undefined)[] | undefined;
  while (scanner.peek() === QUOTE) {
    scanner.string();
    const records = scanner.is('records');
    scanner.colon();
    if (!records || scanner.peek() !== OPEN_BRACKET) return undefined;
    texts = scanner.records(); // a repeated "records": JSON.parse keeps the last, and so do we
    if (!scanner.comma()) break;
  }
  return texts?.length === count ? texts : undefined;
}

/** A cursor over JSON text known to be valid. */
class Scanner {
  at = 0;
  /** Whether the last string scanned held a `\` escape. */
  escaped = false;
  /** The first backslash at or after `at`, found once per stretch (-1: none left). */
  private backslash = -2;

  constructor(private readonly text: string) {}

  peek(): number {
    return this.text.charCodeAt(this.at);
  }

  /** Skips whitespace; answers whether there was any. */
  space(): boolean {
    const start = this.at;
    for (;;) {
      const c = this.text.charCodeAt(this.at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return this.at !== start;
      this.at++;
    }
  }

  /** Past `:` and the whitespace around it; answers whether there was any. */
  colon(): boolean {
    const before = this.space();
    this.at++;
    return this.space() || before;
  }

  /** Past whitespace and a `,` (true) or the closing `}`/`]` (false). */
  comma(): boolean {
    this.space();
    const c = this.text.charCodeAt(this.at++);
    if (c !== COMMA) return false;
    this.space();
    return true;
  }

  /** Where the last string scanned began and ended (inside its quotes). */
  start = 0;
  end = 0;

  /** Past a string (its content between {@link start} and {@link end}); whether it held no escape. */
  string(): boolean {
    const start = ++this.at;
    let close = this.text.indexOf('"', start);
    if (this.backslash !== -1 && this.backslash < start) this.backslash = this.text.indexOf('\\', start);
    this.escaped = this.backslash !== -1 && this.backslash < close;
    if (this.escaped) {
      let i = start;
      for (;;) {
        const c = this.text.charCodeAt(i);
        if (c === QUOTE) break;
        i += c === BACKSLASH ? 2 : 1;
      }
      close = i;
    }
    this.at = close + 1;
    this.start = start;
    this.end = close;
    return !this.escaped;
  }

  /** Whether the last string scanned is `word`, written without escapes. */
  is(word: string): boolean {
    return !this.escaped && this.end - this.start === word.length && this.text.startsWith(word, this.start);
  }

  /** The records array: each element's value text, or undefined. */
  records(): (string | undefined)[] {
    const texts: (string | undefined)[] = [];
    this.at++;
    this.space();
    if (this.peek() === CLOSE_BRACKET) {
      this.at++;
      return texts;
    }
    do {
      if (this.peek() === OPEN_BRACE) texts.push(this.record());
      else {
        this.value();
        texts.push(undefined);
      }
    } while (this.comma());
    return texts;
  }

  /** One record object: its `value`'s text when it is in `JSON.stringify`'s form. */
  private record(): string | undefined {
    this.at++;
    this.space();
    if (this.peek() === CLOSE_BRACE) {
      this.at++;
      return undefined;
    }
    let found: string | undefined;
    let values = 0;
    do {
      if (!this.string()) values++; // a key spelled with an escape may be "value": keep none
      const isValue = this.is('value');
      this.colon();
      const start = this.at;
      const plain = this.value();
      if (isValue) {
        values++;
        found = plain ? this.text.slice(start, this.at) : undefined;
      }
    } while (this.comma());
    return values === 1 ? found : undefined;
  }

  /** Past one value; answers whether its text is what `JSON.stringify` makes of its parse. */
  private value(): boolean {
    const c = this.peek();
    if (c === QUOTE) return this.string();
    if (c === OPEN_BRACE || c === OPEN_BRACKET) return this.container(c === OPEN_BRACE);
    if (c === 0x74 || c === 0x6e)
      this.at += 4; // true, null
    else if (c === 0x66)
      this.at += 5; // false
    else return this.number();
    return true;
  }

  /** An object (`keyed`) or an array. */
  private container(keyed: boolean): boolean {
    this.at++;
    let plain = !this.space();
    if (this.peek() === (keyed ? CLOSE_BRACE : CLOSE_BRACKET)) {
      this.at++;
      return plain;
    }
    // An object's keys by start and end in the text, to find a repeat without a string per key.
    const keys = keyed ? ([] as number[]) : undefined;
    for (;;) {
      if (keys !== undefined) {
        if (!this.string() || !this.newKey(keys)) plain = false;
        if (this.colon()) plain = false;
      }
      if (!this.value()) plain = false;
      if (this.space()) plain = false;
      if (this.text.charCodeAt(this.at++) !== COMMA) return plain;
      if (this.space()) plain = false;
    }
  }

  /** Whether the key just scanned is none of `keys` (then added), nor led by a digit, nor a poisoning one. */
  private newKey(keys: number[]): boolean {
    const { text, start, end } = this;
    const length = end - start;
    const first = text.charCodeAt(start);
    if (keys.length >= 2 * MAX_CHECKED_KEYS || (first >= ZERO && first <= NINE)) return false;
    if (this.is('__proto__') || this.is('constructor')) return false;
    for (let k = 0; k < keys.length; k += 2) {
      if (keys[k + 1] - keys[k] !== length) continue;
      let same = true;
      for (let i = 0; i < length && same; i++) same = text.charCodeAt(keys[k] + i) === text.charCodeAt(start + i);
      if (same) return false;
    }
    keys.push(start, end);
    return true;
  }

  /** A number: plain when it is a short integer JavaScript prints as written, or prints so anyway. */
  private number(): boolean {
    const start = this.at;
    let digitsOnly = true;
    if (this.peek() === MINUS) this.at++;
    for (;;) {
      const c = this.text.charCodeAt(this.at);
      if (c >= ZERO && c <= NINE) this.at++;
      else if (c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS) {
        digitsOnly = false;
        this.at++;
      } else break;
    }
    const length = this.at - start;
    const negative = this.text.charCodeAt(start) === MINUS;
    const digits = length - (negative ? 1 : 0);
    if (digitsOnly && digits <= 15) {
      // An integer below 2^53: printed as written unless it has a leading zero or is -0.
      if (this.text.charCodeAt(start + (negative ? 1 : 0)) !== ZERO) return true;
      return digits === 1 && !negative;
    }
    const token = this.text.slice(start, this.at);
    return String(Number(token)) === token;
  }
}
