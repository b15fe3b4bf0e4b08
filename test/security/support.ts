/** A small seeded PRNG (mulberry32) and helpers, so a failing fuzz run can be replayed by seed. */
export class Random {
  #state: number;

  constructor(readonly seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)] as T;
  }

  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }

  string(maxLength: number): string {
    const alphabet = 'abcXYZ019 _-.\'"<>&;%$\\/{}[]()\u0000\u00e9\u4e2d\u{1f600}\n\t';
    const chars = [...alphabet];
    let out = '';
    const length = this.int(maxLength + 1);
    for (let i = 0; i < length; i++) out += this.pick(chars);
    return out;
  }
}

/** Text that a chat service must store and return byte for byte, never interpret. */
export const HOSTILE_STRINGS: readonly string[] = [
  "'; DROP TABLE history.messages; --",
  "' OR '1'='1",
  '" OR 1=1 -- ',
  "Robert'); DELETE FROM users;--",
  '<script>alert(1)</script>',
  '<img src=x onerror="alert(document.cookie)">',
  'javascript:alert(1)',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection probe, kept literal.
  '{{7*7}} ${7*7} #{7*7}',
  '%s%s%s%n',
  '\\x00\\u0000 \\" \\\\',
  '../../../../etc/passwd',
  'e\u0301 \u202eevil\u202c \u{1f4a9} \u4e2d\u6587',
  '$1 $& $` \\1',
  'NULL',
  '__proto__',
];
