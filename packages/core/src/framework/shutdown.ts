import { constants } from 'node:os';
import type { Connector } from '../connector.js';
import { invalidOption } from '../errors.js';

/** Anything that emits `'close'` once, like Node's `http.Server`. */
export interface ClosableServer {
  once(event: 'close', listener: () => void): unknown;
  removeListener(event: 'close', listener: () => void): unknown;
}

/** Options of {@link stopOnShutdown}. */
export interface ShutdownOptions {
  /** Stop the connector when this server closes. @default undefined (no server) */
  server?: ClosableServer;
  /**
   * Stop the connector when the process receives one of these signals. `false` for none.
   * @default ['SIGTERM', 'SIGINT']
   */
  signals?: readonly NodeJS.Signals[] | false;
}

/** The options of a middleware's `stopOnShutdown(server, options)`, which takes the server apart. */
export type ShutdownSignalOptions = Omit<ShutdownOptions, 'server'>;

/** One `stopOnShutdown` call: its connector, and how to undo it. */
interface Binding {
  readonly connector: Connector;
  readonly detach: () => void;
}

/** The one handler this module has on a signal, and the bindings it serves. */
interface SignalWatch {
  readonly handler: () => void;
  readonly bindings: Set<Binding>;
}

// One handler per signal for the whole process, however many connectors are bound (an Express
// app and a Koa app in one process): a handler per connector would take the others' handlers
// for the application's own, and never raise the signal again, or raise it before the others
// had stopped.
const watches = new Map<NodeJS.Signals, SignalWatch>();

// The operating system delivers these to no handler.
const UNCATCHABLE: readonly string[] = ['SIGKILL', 'SIGSTOP'];

/**
 * Ties a connector to the application's lifecycle: when the server closes or the process is
 * asked to terminate, the connector delivers its queue and stops (bounded by `stopTimeout`).
 * On a signal, every connector bound to it stops, and only then does the process go on: when
 * the application has a handler of its own for the signal, that handler decides what happens
 * next; when it has none, the signal is raised again once all of them have stopped, so the
 * process ends the way it would have without this call. Returns a function that undoes the
 * binding. Bad options throw a `StatsdError` (`ERR_STATSD_INVALID_OPTION`) naming the option.
 */
export function stopOnShutdown(connector: Connector, options: ShutdownOptions = {}): () => void {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', options, 'an object such as { server, signals }, or nothing');
  }
  const { server, signals = ['SIGTERM', 'SIGINT'] } = options;
  requireServer(server);
  requireSignals(signals);
  const watched = new Set(signals === false ? [] : signals);
  const binding: Binding = {
    connector,
    detach: () => {
      server?.removeListener('close', onClose);
      for (const signal of watched) unwatch(signal, binding);
      watched.clear();
    },
  };
  const onClose = (): void => {
    binding.detach();
    void connector.stop();
  };
  server?.once('close', onClose);
  for (const signal of watched) watch(signal, binding);
  return binding.detach;
}

function watch(signal: NodeJS.Signals, binding: Binding): void {
  let entry = watches.get(signal);
  if (entry === undefined) {
    entry = { handler: () => onSignal(signal), bindings: new Set() };
    watches.set(signal, entry);
    // First in line, so that the application's `once` handlers are still registered when it runs.
    process.prependListener(signal, entry.handler);
  }
  entry.bindings.add(binding);
}

function unwatch(signal: NodeJS.Signals, binding: Binding): void {
  const entry = watches.get(signal);
  if (entry === undefined || !entry.bindings.delete(binding) || entry.bindings.size > 0) return;
  watches.delete(signal);
  process.removeListener(signal, entry.handler);
}

function onSignal(signal: NodeJS.Signals): void {
  const entry = watches.get(signal);
  if (entry === undefined) return;
  const connectors = new Set<Connector>();
  for (const binding of [...entry.bindings]) {
    connectors.add(binding.connector);
    binding.detach();
  }
  // Decided now, with this module's handler gone, not after the stops: an application handler
  // added with `once` is gone by then, and raising the signal again would end its graceful
  // shutdown midway.
  const applicationHandles = process.listenerCount(signal) > 0;
  void Promise.allSettled(Array.from(connectors, (connector) => connector.stop())).then(() => {
    if (!applicationHandles) process.kill(process.pid, signal);
  });
}

function requireServer(server: ClosableServer | undefined): void {
  if (server === undefined) return;
  const emitter = server as { once?: unknown; removeListener?: unknown } | null;
  if (typeof emitter?.once !== 'function' || typeof emitter.removeListener !== 'function') {
    throw invalidOption('server', server, "a server that emits 'close', such as an http.Server");
  }
}

function requireSignals(signals: unknown): void {
  const valid =
    signals === false ||
    (Array.isArray(signals) &&
      signals.every(
        (signal) =>
          typeof signal === 'string' &&
          Object.hasOwn(constants.signals, signal) &&
          !UNCATCHABLE.includes(signal),
      ));
  if (!valid) {
    throw invalidOption(
      'signals',
      signals,
      "an array of signal names the process can handle, such as ['SIGTERM', 'SIGINT'], or false",
    );
  }
}
