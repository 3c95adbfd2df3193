import fc from 'fast-check';
import { formatNumber, millisecondsText, secondsToMilliseconds } from '../src/number-format.js';

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

describe('millisecondsText', () => {
  const general = (seconds: number): string | undefined => {
    const milliseconds = secondsToMilliseconds(seconds);
    return milliseconds === Infinity ? undefined : formatNumber(milliseconds);
  };

  it.each<[number, string]>([
    [0, '0'],
    [-0, '0'],
    [1e-10, '0'],
    [0.25, '250'],
    [0.0123456789, '12.346'],
    [0.0005, '0.5'],
    [0.00000049, '0'],
    [0.0000005, '0.001'],
    [1.000001, '1000.001'],
    [2147.483647, '2147483.647'],
    [2147.483648, '2147483.648'],
    [1e9, '1000000000000'],
  ])('writes %p seconds as %p milliseconds', (seconds, text) => {
    expect(millisecondsText(seconds)).toBe(text);
  });

  it('returns undefined when the milliseconds are beyond the largest double', () => {
    expect(millisecondsText(1e306)).toBeUndefined();
  });

  it('writes what formatNumber writes for the rounded milliseconds, for any duration', () => {
    const seconds = fc.oneof(
      fc.double({ min: 0, max: 1e6, noNaN: true }),
      fc.double({ min: 0, max: 1e308, noNaN: true }),
      fc.integer({ min: 0, max: 2 ** 32 }).map((micros) => micros / 1e6),
    );
    fc.assert(
      fc.property(seconds, (value) => {
        expect(millisecondsText(value)).toBe(general(value));
      }),
      { numRuns: 20_000 },
    );
  });
});
