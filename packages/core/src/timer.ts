import { monotonicMs } from './clock.js';
import { ErrorCode, StatsdError } from './errors.js';
import type { MetricOptions } from './types.js';

/** The one call a timer needs from its connector. */
export interface TimingSink {
  timing(path: string, seconds: number, options?: MetricOptions): void;
}

/** Options of {@link Timer.stop}. */
export interface TimerStopOptions {
  /** Record the duration now; with `false`, call {@link Timer.send} later. @default true */
  send?: boolean;
}

/**
 * Measures one duration with a monotonic clock and records it as a timer. Reusable: `start()`
 * again after `send()`. Misuse (stop before start, send before stop, send twice) throws a
 * {@link StatsdError} with code `ERR_STATSD_TIMER_MISUSE`: it is a bug at the call site.
 */
export class Timer {
  readonly #sink: TimingSink;
  readonly #path: string;
  readonly #options: MetricOptions | undefined;
  #startedAt = -1;
  #seconds = -1;
  #sent = false;

  constructor(sink: TimingSink, path: string, options?: MetricOptions) {
    this.#sink = sink;
    this.#path = path;
    this.#options = options;
  }

  /** Starts (or restarts) the clock. */
  start(): this {
    this.#startedAt = monotonicMs();
    this.#seconds = -1;
    this.#sent = false;
    return this;
  }

  /** Stops the clock and, unless `send: false`, records the duration. Returns it in seconds. */
  stop(options?: TimerStopOptions): number {
    if (this.#startedAt < 0) throw misuse(`stop() on timer "${this.#path}" before start()`);
    // A monotonic clock should never go back; a negative duration would be a bad timer line.
    this.#seconds = Math.max(0, monotonicMs() - this.#startedAt) / 1000;
    this.#startedAt = -1;
    if (options?.send !== false) this.send();
    return this.#seconds;
  }

  /** Records the stopped duration. */
  send(): void {
    if (this.#seconds < 0) throw misuse(`send() on timer "${this.#path}" before stop()`);
    if (this.#sent)
      throw misuse(`send() on timer "${this.#path}" twice; start() it again to reuse it`);
    this.#sent = true;
    this.#sink.timing(this.#path, this.#seconds, this.#options);
  }

  /** The measured duration in seconds, or `undefined` before `stop()`. */
  get seconds(): number | undefined {
    return this.#seconds < 0 ? undefined : this.#seconds;
  }
}

/**
 * Times `fn` (sync or async) with a new timer recorded on `sink`, also when `fn` throws or
 * rejects. Returns what `fn` returns; see `Connector.time`.
 */
export function timeCall<T>(
  sink: TimingSink,
  path: string,
  fn: () => T,
  options?: MetricOptions,
): T {
  const timer = new Timer(sink, path, options).start();
  let result: T;
  try {
    result = fn();
  } catch (error) {
    timer.stop();
    throw error;
  }
  if (isPromiseLike(result)) {
    return Promise.resolve(result).finally(() => timer.stop()) as T;
  }
  timer.stop();
  return result;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

function misuse(message: string): StatsdError {
  return new StatsdError(ErrorCode.TimerMisuse, `Timer misuse: ${message}.`);
}
