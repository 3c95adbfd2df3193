import type { Server } from 'node:http';
import type { Readable } from 'node:stream';

/**
 * What the shared adapter suite needs of a connector: the part of `@statsd/core`'s `Connector`
 * it reads. Structural, so this test-only package needs no dependency on the core.
 */
export interface AdapterConnector {
  readonly prefix: string;
  readonly enabled: boolean;
  incr(name: string): void;
  stats(): { readonly enqueued: number; readonly sent: number; readonly connected: boolean };
}

/** What a handler of the shared suite is given, however its framework hands it over. */
export interface HandlerContext {
  /** The connector the adapter gave the handler (`ctx.state.statsd`, `request.statsd`, …). */
  readonly statsd: AdapterConnector;
  /** Resolves when the response's socket has closed (the client left, or it was answered). */
  readonly closed: () => Promise<void>;
}

/**
 * A handler's answer: text (sent as `text/plain`), a stream (sent as `text/plain` too), or
 * `undefined` for "not mine" (only a fallback may say so; the framework then answers 404).
 * A thrown error carries the status to answer in `status` and `statusCode`, or none (500).
 */
export type Reply = string | Readable | undefined;

/** A route handler of the shared suite, in no framework's terms. */
export type Handler = (context: HandlerContext) => Reply | Promise<Reply>;

/** A GET route: a template in the `:name` syntax every framework reads, and its handler. */
export interface Route {
  readonly path: string;
  readonly handler: Handler;
}

/** The application a scenario needs; the driver builds it the framework's usual way. */
export interface AppSpec {
  /** GET routes served at the top level. */
  readonly routes?: readonly Route[];
  /**
   * GET routes mounted under nested prefixes (`['/api', '/v1']`: a router or plugin at `/api`
   * holding one at `/v1`), behind a guard of that innermost level (router middleware, plugin
   * hook) that answers 401 when the request has no `authorization` header.
   */
  readonly guarded?: { readonly mounts: readonly string[]; readonly routes: readonly Route[] };
  /** An application error handler that answers every error with this status and body. */
  readonly replaceErrors?: { readonly status: number; readonly body: string };
  /** Serves what no route matched, given its path; `undefined` leaves the framework's 404. */
  readonly fallback?: (path: string) => Reply;
  /** A step that runs before the adapter on every request and waits for what it returns. */
  readonly beforeAdapter?: (closed: Promise<void>) => Promise<void>;
}

/** The adapter options the shared suite sets, in no framework's terms. */
export interface AdapterOptions {
  readonly service?: string;
  readonly environment?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly status?: 'code' | 'class' | 'both';
  readonly onError?: (error: { readonly code: string; readonly cause?: unknown }) => void;
  /** The adapter's `skip`, given the request's path. */
  readonly skip?: (path: string) => boolean;
  /** A connector {@link AdapterDriver.createConnector} made, for the adapter to record with. */
  readonly connector?: AdapterConnector;
  /** The adapter's `routeName`, given the request's path and the response's status. */
  readonly routeName?: (path: string, status: number) => string | undefined;
}

/** An application the driver started on an ephemeral loopback port. */
export interface StartedApp {
  readonly server: Server;
  /** The connector the adapter records with. */
  readonly connector: AdapterConnector;
  /** Closes the server, and stops the connector the adapter created (never one it was given). */
  close(): Promise<void>;
}

/** An application the driver started over HTTP/2 (cleartext) on an ephemeral loopback port. */
export interface StartedHttp2App {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * How the shared suite drives one adapter on one framework version. The adapter's own test
 * directory implements it with the adapter's public API.
 */
export interface AdapterDriver {
  /** Names the framework (and version) in the suite's titles. */
  readonly name: string;
  /** The status the framework answers for a known path with a method it has no route for. */
  readonly wrongMethodStatus: number;
  /** Builds the application with the adapter set up from `options`, and serves it. */
  start(options: AdapterOptions, spec: AppSpec): Promise<StartedApp>;
  /** A connector of the application's own, over TCP, to hand adapters as their `connector`. */
  createConnector(settings: {
    readonly host: string;
    readonly port: number;
    readonly prefix: string;
  }): AdapterConnector & { stop(): Promise<void> };
  /**
   * Sets the adapter up with `options`, unchecked (the factory, or the plugin's registration
   * and the app's boot), and returns what that fails with; rejects if it succeeds.
   */
  setUpError(options: unknown): Promise<unknown>;
  /** The class of the adapter's errors (`StatsdError`). */
  readonly errorClass: abstract new (...args: never[]) => Error;
  /** The same over HTTP/2, for frameworks that serve it. */
  startHttp2?(options: AdapterOptions, spec: AppSpec): Promise<StartedHttp2App>;
}

/** {@link AdapterOptions} with `skip` and `routeName` taking what a framework's hooks take. */
export type FrameworkHookOptions<Args extends unknown[]> = Omit<
  AdapterOptions,
  'skip' | 'routeName' | 'connector'
> & {
  skip?: (...args: Args) => boolean;
  routeName?: (...args: Args) => string | undefined;
};

/**
 * Turns the suite's options into a framework's: its `skip` and `routeName` take what the
 * framework's hooks take, read with `pathOf` and `statusOf`. `connector` is left to the driver,
 * which alone knows the connector's type.
 */
export function frameworkHookOptions<Args extends unknown[]>(
  options: AdapterOptions,
  pathOf: (...args: Args) => string,
  statusOf: (...args: Args) => number,
): FrameworkHookOptions<Args> {
  // Every other option passes as it is, so a field added to AdapterOptions needs nothing here.
  const { skip, routeName, connector, ...passed } = options;
  return {
    ...passed,
    ...(skip && { skip: (...args: Args) => skip(pathOf(...args)) }),
    ...(routeName && {
      routeName: (...args: Args) => routeName(pathOf(...args), statusOf(...args)),
    }),
  };
}
