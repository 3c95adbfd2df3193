/**
 * Unix seconds of 1e11 and beyond (the year 5138) are a millisecond timestamp passed by mistake
 * (`Date.now()`): refused rather than sent 3000 years into the future.
 */
const MAX_SECONDS = 1e11;

/**
 * The whole unix seconds of a `Date` or a number of seconds (fractions cut), or `undefined` when
 * `value` is neither, is before 1970-01-01T00:00:01Z (the Datadog agent refuses a metric
 * timestamp below 1: `comp/dogstatsd/server/parse.go`, "dogstatsd timestamp should be > 0"), or
 * looks like milliseconds.
 */
export function unixSeconds(value: unknown): number | undefined {
  let seconds: number;
  if (typeof value === 'number') seconds = value;
  else if (value instanceof Date) seconds = value.getTime() / 1000;
  else return undefined;
  // NaN (an invalid Date) fails both comparisons.
  if (!(seconds >= 1 && seconds < MAX_SECONDS)) return undefined;
  return Math.floor(seconds);
}

/** What a valid timestamp is, for the messages of refused ones. */
export const TIMESTAMP_EXPECTED =
  'a Date or unix time in seconds from 1 to 1e11 (a larger number is milliseconds: divide by 1000)';
