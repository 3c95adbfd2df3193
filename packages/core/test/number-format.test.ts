import fc from 'fast-check';
import { formatNumber, secondsToMilliseconds } from '../src/number-format.js';

describe('formatNumber', () => {
  it.each<[number, string]>([
    [0, '0'],
    [-0, '0'],
    [1, '1'],
    [-12.5, '-12.5'],
    [0.1, '0.1'],
    [1e-6, '0.000001'],
    [1e-7, '0.0000001'],
    [-2.5e-7, '-0.00000025'],
    [1.2345e-15, '0.0000000000000012345'],
    [1e-21, '0.000000000000000000001'],
    [1e21, '1000000000000000000000'],
    [-1e21, '-1000000000000000000000'],
    [2 ** 53 + 2, '9007199254740994'],
  ])('writes %p as %p', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });

  it('writes the smallest subnormal with every digit, not as 0', () => {
    const text = formatNumber(5e-324);
    expect(text).toBe('0.' + '0'.repeat(323) + '5');
    expect(Number(text)).toBe(5e-324);
  });

  it('writes the largest double as its exact integer digits', () => {
    const text = formatNumber(Number.MAX_VALUE);
    expect(text).toMatch(/^\d{309}$/);
    expect(Number(text)).toBe(Number.MAX_VALUE);
  });

  it('writes every finite double as a plain decimal that reads back as the same number', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const text = formatNumber(value);
        expect(text).toMatch(/^-?(?:\d+|\d+\.\d+)$/);
        expect(Number(text)).toBe(value === 0 ? 0 : value);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('secondsToMilliseconds', () => {
  it('rounds to the microsecond so float noise never reaches the wire', () => {
    expect(secondsToMilliseconds(0.1 + 0.2)).toBe(300);
    expect(secondsToMilliseconds(0.0123456789)).toBe(12.346);
    expect(secondsToMilliseconds(1e-10)).toBe(0);
  });

  it('stays finite for seconds whose microseconds would overflow', () => {
    expect(secondsToMilliseconds(1e303)).toBe(1e306);
  });

  it('returns Infinity only when the milliseconds themselves are beyond the largest double', () => {
    expect(secondsToMilliseconds(1e306)).toBe(Infinity);
  });
});
