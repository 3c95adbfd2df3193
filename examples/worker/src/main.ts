import { StatsdError } from '@statsd/core';
import { runWorker } from './worker.js';

// Run directly, for example: STATSD_HOST=127.0.0.1 node examples/worker/dist/main.js
runWorker().then(
  (summary) => {
    const { sent, dropped } = summary.stats;
    console.log(
      `worker: ${summary.processed} jobs (${summary.done} done, ${summary.failed} failed); ` +
        `metrics under "${summary.prefix}": ${sent} sent, ${dropped} dropped`,
    );
  },
  (error: unknown) => {
    // A configuration mistake deserves its message, not a stack trace.
    console.error(error instanceof StatsdError ? `worker: ${error.message}` : error);
    process.exitCode = 1;
  },
);
