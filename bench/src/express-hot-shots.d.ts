declare module 'express-hot-shots' {
  import type { RequestHandler } from 'express';
  import type { StatsD } from 'hot-shots';

  interface ExpressHotShotsOptions {
    /** The request property holding the metric key (set by a route); `statsdKey` by default. */
    requestKey?: string;
    /** A ready client; without it the middleware creates its own from `hotShots`. */
    client?: StatsD;
    hotShots?: ConstructorParameters<typeof StatsD>[0];
  }

  function expressStatsd(options?: ExpressHotShotsOptions): RequestHandler;
  export = expressStatsd;
}
