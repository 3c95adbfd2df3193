import fc from 'fast-check';

/** Characters that mean something on the wire, break lines, or are whitespace. */
export const HOSTILE_CHARACTERS: readonly string[] = [
  ':',
  '|',
  '@',
  '#',
  ',',
  ';',
  '=',
  '\n',
  '\r',
  '\t',
  ' ',
  '\u0000',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '.',
  '/',
  '-',
  '_',
  '+',
];

/**
 * Strings built to break a StatsD line: wire characters, line breaks, any UTF-16 code unit (lone
 * surrogates included), and any code point (astral characters included).
 */
export function hostileString(maxLength = 40, minLength = 0): fc.Arbitrary<string> {
  return fc.string({
    minLength,
    maxLength,
    unit: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_CHARACTERS) },
      { weight: 3, arbitrary: fc.constantFrom('a', 'b', 'Z', '9', 'ä', '名', '😀') },
      {
        weight: 1,
        arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    ),
  });
}

/** Every kind of double: NaN, ±Infinity, -0, subnormals, the largest. */
export function anyNumber(): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.double() },
    { weight: 2, arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        NaN,
        Infinity,
        -Infinity,
        -0,
        0,
        5e-324,
        -5e-324,
        Number.MAX_VALUE,
        1e21,
        1e-7,
      ),
    },
  );
}

/** Tags in both forms, with hostile keys and values. */
export function hostileTags(): fc.Arbitrary<
  Record<string, string | number | boolean | null> | string[]
> {
  return fc.oneof(
    fc.dictionary(
      hostileString(12),
      fc.oneof(hostileString(12), fc.double(), fc.boolean(), fc.constant(null)),
      { maxKeys: 4 },
    ),
    fc.array(hostileString(16), { maxLength: 4 }),
  );
}
