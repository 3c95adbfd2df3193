import { formatNumber } from './number-format.js';
import { sanitize } from './sanitize.js';
import type { MetricType } from './types.js';

/** Types whose sample rate the server uses to scale counts back up. */
export const RATED: Readonly<Record<MetricType, boolean>> = {
  c: true,
  ms: true,
  h: true,
  d: true,
  g: false,
  s: false,
};

/** A decimal as StatsD servers parse it: no exponent, no `NaN`, no `Infinity`. */
const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;

/** Whether `value` can be written as a number at all. */
export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * The wire text of a value given to `injectMetric` as a number or a numeric string, or
 * `undefined` when it is neither (or negative where the type needs `nonNegative`).
 */
export function numericText(value: unknown, nonNegative: boolean): string | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && (!nonNegative || value >= 0) ? formatNumber(value) : undefined;
  }
  if (typeof value !== 'string' || !NUMERIC.test(value)) return undefined;
  return nonNegative && value.startsWith('-') ? undefined : value;
}

/** A gauge change always carries its sign: `+3`, `-0.5`; a bare `3` would set the gauge. */
export function deltaText(value: number): string {
  return value < 0 ? formatNumber(value) : '+' + formatNumber(value);
}

/**
 * The wire text of a set member: a finite number, or a string that is not empty once sanitized.
 * `undefined` for anything else.
 */
export function memberText(value: unknown, ascii: boolean): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? formatNumber(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = sanitize(value, ascii);
  return text === '' ? undefined : text;
}

/**
 * Whether a histogram or distribution value can be sent: any finite number, and >= 0 where the
 * dialect says so (a timer, or Telegraf's `h`, must not be negative, or the server rejects the
 * line).
 */
export function validDistributionValue(value: unknown, negative: boolean): boolean {
  return isFiniteNumber(value) && (negative || value >= 0);
}

/**
 * The type suffixes of every rated type with `|@<rate>` appended, built once per connector family
 * so that a call sampled at the default rate builds no string for it. Empty when `rate` is 1,
 * which is never written.
 */
export function sampledTypes(rate: number): ReadonlyMap<string, string> {
  const types = new Map<string, string>();
  if (rate < 1) {
    const suffix = '|@' + formatNumber(rate);
    for (const type of ['|c', '|ms', '|h', '|d']) types.set(type, type + suffix);
  }
  return types;
}
