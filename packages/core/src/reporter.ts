import { StatsdError, type ErrorCode } from './errors.js';
import type { ErrorHandler, Logger } from './types.js';

/** Reports this many problems of a kind at once; the rest wait for the summary. */
const FIRST_REPORTS = 5;
/** Milliseconds between two summaries of the problems of a kind that were not reported at once. */
const SUMMARY_INTERVAL = 10_000;

/** One kind of problem (an error code) while it keeps happening. */
interface Episode {
  /** Problems of this code since the connector was made. */
  total: number;
  /** Reported at once since the episode began. */
  reported: number;
  /** Counted and not reported since the last summary. */
  waiting: number;
  /** The latest of those, described for the summary. */
  describe: () => string;
  cause: unknown;
}

/**
 * The connector's one error channel: runtime problems go to `onError` (or the logger), throttled
 * per error code so that an outage or a bad call in a hot loop cannot flood the application.
 * The first few problems of a code are reported at once; while the code keeps happening, the
 * rest are counted and summed up in one line per interval (`SUMMARY_INTERVAL`), which names the
 * latest of them; an interval without any ends the episode, so the next problem is reported at
 * once again. A throwing handler is contained: reporting never throws into a metric call.
 */
export class Reporter {
  readonly #onError: ErrorHandler;
  readonly #totals = new Map<ErrorCode, number>();
  readonly #episodes = new Map<ErrorCode, Episode>();
  #timer: NodeJS.Timeout | undefined;

  constructor(onError: ErrorHandler | undefined, logger: Logger) {
    this.#onError = onError ?? ((error) => logger.warn(`@statsd/core: ${error.message}`));
  }

  /**
   * Counts one problem of `code` and reports it now, or in the next summary. `describe` builds
   * the message only when it is reported, so counting a flood costs almost nothing.
   */
  report(code: ErrorCode, describe: () => string, cause?: unknown): void {
    const total = (this.#totals.get(code) ?? 0) + 1;
    this.#totals.set(code, total);
    let episode = this.#episodes.get(code);
    if (episode === undefined) {
      episode = { total, reported: 0, waiting: 0, describe, cause };
      this.#episodes.set(code, episode);
      this.#schedule();
    }
    episode.total = total;
    if (episode.reported < FIRST_REPORTS) {
      episode.reported++;
      this.#emit(code, describe, total > 1 ? ` (${total} times so far)` : '', cause);
      return;
    }
    episode.waiting++;
    episode.describe = describe;
    episode.cause = cause;
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => this.#summarize(), SUMMARY_INTERVAL);
    // A summary is never a reason to keep the process alive.
    this.#timer.unref();
  }

  #summarize(): void {
    this.#timer = undefined;
    const seconds = SUMMARY_INTERVAL / 1000;
    for (const [code, episode] of this.#episodes) {
      if (episode.waiting === 0) {
        // A quiet interval: the episode is over.
        this.#episodes.delete(code);
        continue;
      }
      const suffix = ` (${episode.waiting} more times in the last ${seconds} s, ${episode.total} times so far)`;
      episode.waiting = 0;
      this.#emit(code, episode.describe, suffix, episode.cause);
    }
    if (this.#episodes.size > 0) this.#schedule();
  }

  #emit(code: ErrorCode, describe: () => string, suffix: string, cause: unknown): void {
    try {
      // Describing odd input (an object with no toString, say) must not throw either.
      const error = new StatsdError(
        code,
        describe() + suffix,
        cause === undefined ? undefined : { cause },
      );
      this.#onError(error);
    } catch {
      // A failing handler must not turn a metric call into an exception.
    }
  }
}
