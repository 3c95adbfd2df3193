import { describeValue } from './errors.js';
import { LineFault } from './metric-formatter.js';
import type { Pipeline } from './pipeline.js';

// Metric calls never throw on bad input: it is counted as an `invalid` drop and reported
// through the pipeline's throttled error channel. The messages are built only when the throttle
// lets a report through.

/** Drops a call whose value (or, with `what`, another argument) cannot be written. */
export function rejectValue(
  pipeline: Pipeline,
  call: string,
  path: unknown,
  value: unknown,
  what: string = 'value',
): void {
  pipeline.reject(
    () =>
      `${call}(${describeValue(path)}): ${what} ${describeValue(value)} cannot be sent; metric dropped`,
  );
}

/** Drops a call whose path is not a string, or is empty once sanitized. */
export function rejectPath(pipeline: Pipeline, path: unknown): void {
  pipeline.reject(
    () => `metric path ${describeValue(path)} is empty or not a string; metric dropped`,
  );
}

/** Drops a call the formatter could not write, for the `fault` it gave. */
export function rejectLine(
  pipeline: Pipeline,
  fault: LineFault,
  path: unknown,
  tags: unknown,
): void {
  if (fault === LineFault.path) return rejectPath(pipeline, path);
  pipeline.reject(
    () =>
      `tags ${describeValue(tags)} of ${describeValue(path)} cannot be written: expected an ` +
      'object of tag names to strings, numbers or booleans, or an array of strings; metric dropped',
  );
}

/**
 * Drops a call whose options or tags threw when read (a getter, a `Proxy` trap). Only the type
 * of what was thrown is shown: its message could hold anything.
 */
export function rejectThrown(pipeline: Pipeline, path: unknown, thrown: unknown): void {
  const what = thrown instanceof Error ? thrown.name : typeof thrown;
  pipeline.reject(
    () => `reading the options or tags of ${describeValue(path)} threw (${what}); metric dropped`,
  );
}

/** Drops a call whose own `sampleRate` option is out of range. */
export function rejectSampleRate(pipeline: Pipeline, path: string, sampleRate: unknown): void {
  pipeline.reject(
    () =>
      `sampleRate ${describeValue(sampleRate)} for ${describeValue(path)} is not above 0 and at most 1; metric dropped`,
  );
}

/**
 * Drops a call the server's dialect cannot express (`unsupported`). `what` says what the call
 * asked for and how to get it another way.
 */
export function rejectUnsupported(
  pipeline: Pipeline,
  call: string,
  path: unknown,
  dialect: string,
  what: string,
): void {
  pipeline.unsupported(
    () =>
      `${call}(${describeValue(path)}): the '${dialect}' dialect has no ${what}; metric dropped`,
  );
}
