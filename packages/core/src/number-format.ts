/**
 * Writes a finite number as a plain decimal, the only form every StatsD server parses:
 * never exponent notation (`1e+21`, `1e-7`), never `NaN` or `Infinity` (callers reject those).
 * The digits are the shortest that read back as the same double, so `Number(text) === value`
 * (`-0` is written `0`).
 */
export function formatNumber(value: number): string {
  // Integers below 1e21 and fractions above 1e-6 print without an exponent: the common case.
  if (value < 1e21 && value > -1e21) {
    if (value >= 1e-6 || value <= -1e-6 || value === Math.trunc(value)) return '' + value;
    return formatTiny(value);
  }
  // Doubles this large are integers: BigInt prints their exact decimal digits.
  return BigInt(value).toString();
}

/**
 * Moves the decimal point of `1.2345e-7` by hand (`0.00000012345`). `toFixed` cannot be used:
 * it keeps 20 decimals at most, which turns `1e-21` into `0` and a sample rate into `@0`.
 */
function formatTiny(value: number): string {
  const text = '' + value;
  const e = text.indexOf('e');
  const negative = text.charCodeAt(0) === 45; /* - */
  const mantissa = text.slice(negative ? 1 : 0, e);
  const digits = mantissa.length > 1 ? mantissa[0] + mantissa.slice(2) : mantissa;
  // `d.ddd` × 10^exponent with exponent <= -7: the first digit sits -exponent places after the point.
  const zeros = -Number(text.slice(e + 1)) - 1;
  return (negative ? '-0.' : '0.') + '0'.repeat(zeros) + digits;
}

/** Microseconds from which every double is an integer: rounding to the microsecond changes nothing. */
const EXACT_MICROSECONDS = 2 ** 53;

/**
 * Converts seconds to milliseconds rounded to the microsecond, so float noise never reaches the
 * wire. Returns `Infinity` when the result is beyond the largest double; callers reject it.
 */
export function secondsToMilliseconds(seconds: number): number {
  const micros = seconds * 1_000_000;
  // Past 2^53 µs rounding is a no-op, and the product may already have overflowed to Infinity.
  return micros < EXACT_MICROSECONDS ? Math.round(micros) / 1000 : seconds * 1000;
}

/** Microseconds below which {@link millisecondsText} writes the digits itself: small integers. */
const FAST_MICROSECONDS = 2 ** 31;

/** `''`, `.001`, `.002` … `.999`, trailing zeros left out (`.5`, `.25`): indexed by microseconds. */
const FRACTIONS: readonly string[] = Array.from({ length: 1000 }, (_, micros) =>
  micros === 0 ? '' : ('.' + String(micros).padStart(3, '0')).replace(/0+$/, ''),
);

/**
 * `seconds` (not negative) as milliseconds rounded to the microsecond, written as
 * `formatNumber(secondsToMilliseconds(seconds))` writes them, or `undefined` when that is
 * `Infinity`. A request's duration is a double whose shortest decimal costs V8 a slow
 * conversion; as whole milliseconds and a looked-up fraction it costs two small integers.
 */
export function millisecondsText(seconds: number): string | undefined {
  const micros = Math.round(seconds * 1_000_000);
  // Below 2^31 µs, k / 1000 prints as its three decimals: no shorter decimal reads back the same.
  if (micros < FAST_MICROSECONDS) {
    const whole = Math.floor(micros / 1000);
    return '' + whole + (FRACTIONS[micros - whole * 1000] as string);
  }
  const milliseconds = secondsToMilliseconds(seconds);
  return milliseconds === Infinity ? undefined : formatNumber(milliseconds);
}
