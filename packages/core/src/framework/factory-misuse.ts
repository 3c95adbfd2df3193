import { ErrorCode, StatsdError } from '../errors.js';

/**
 * Refuses a middleware factory that the framework is calling as a middleware: the application
 * wrote `app.use(statsdMiddleware)` instead of `app.use(statsdMiddleware())`, so every request
 * calls the factory with the framework's arguments (`req, res, next`; `ctx, next`). A factory
 * takes one argument, its options, so any `extra` argument means exactly that mistake. Thrown
 * before the request reaches the options, whose contents (headers, cookies) must never be
 * printed as "options". Its types already refuse the mistake (see the factories' `never` rest
 * parameter); this is for JavaScript callers and casts.
 */
export function refuseMountedFactory(factory: string, extra: readonly unknown[]): void {
  if (extra.length === 0) return;
  throw new StatsdError(
    ErrorCode.MiddlewareNotCalled,
    `${factory} was given to app.use without being called, so it received a request ` +
      `(${extra.length + 1} arguments) instead of its options: call ${factory}() and pass ` +
      `its result to app.use, as in app.use(${factory}({ service, environment })).`,
  );
}
