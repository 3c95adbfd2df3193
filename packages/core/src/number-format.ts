/**
 * Writes a finite number as a plain decimal, the only form every StatsD server parses:
 * never exponent notation (`1e+21`, `1e-7`), never `NaN` or `Infinity` (callers reject those).
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

function formatTiny(value: number): string {
  let text = value.toFixed(20);
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48 /* 0 */) end--;
  if (text.charCodeAt(end - 1) === 46 /* . */) end--;
  text = text.slice(0, end);
  return text === '-0' ? '0' : text;
}

/** Converts seconds to milliseconds rounded to the microsecond, so float noise never reaches the wire. */
export function secondsToMilliseconds(seconds: number): number {
  return Math.round(seconds * 1_000_000) / 1000;
}
