import type { Connector } from '../connector.js';

/** Anything that emits `'close'` once, like Node's `http.Server`. */
export interface ClosableServer {
  once(event: 'close', listener: () => void): unknown;
  removeListener(event: 'close', listener: () => void): unknown;
}

/** Options of {@link stopOnShutdown}. */
export interface ShutdownOptions {
  /** Stop the connector when this server closes. */
  server?: ClosableServer;
  /**
   * Stop the connector when the process receives one of these signals. `false` for none.
   * @default ['SIGTERM', 'SIGINT']
   */
  signals?: readonly NodeJS.Signals[] | false;
}

/**
 * Ties a connector to the application's lifecycle: when the server closes or the process is
 * asked to terminate, the connector delivers its queue and stops (bounded by `stopTimeout`).
 * The application's own signal handling is kept: when it has a handler for the signal, that
 * handler decides what happens next; when the connector's was the only one, the signal is
 * raised again after the stop, so the process ends the way it would have without this call.
 * Returns a function that undoes the binding.
 */
export function stopOnShutdown(connector: Connector, options: ShutdownOptions = {}): () => void {
  const { server, signals = ['SIGTERM', 'SIGINT'] } = options;
  const handlers = new Map<NodeJS.Signals, () => void>();
  const detach = (): void => {
    server?.removeListener('close', onClose);
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    handlers.clear();
  };
  const onClose = (): void => {
    detach();
    void connector.stop();
  };
  server?.once('close', onClose);
  for (const signal of signals === false ? [] : signals) {
    const handler = (): void => {
      detach();
      // Decided now, not after the stop: an application handler added with `once` is already
      // gone by then, and raising the signal again would end its graceful shutdown midway.
      const applicationHandles = process.listenerCount(signal) > 0;
      void connector.stop().finally(() => {
        if (!applicationHandles) process.kill(process.pid, signal);
      });
    };
    handlers.set(signal, handler);
    // First in line, so that the application's `once` handlers are still registered when it runs.
    process.prependOnceListener(signal, handler);
  }
  return detach;
}
