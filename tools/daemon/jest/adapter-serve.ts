import type { RequestListener } from 'node:http';
import type { AdapterConnector, AdapterOptions, StartedApp } from './adapter-driver.js';
import { close, listen } from './http.js';

/**
 * Serves `listener` (an app with a middleware adapter) on an ephemeral loopback port for the
 * shared suite. Closing it closes the server, then stops `connector` unless the suite gave it
 * to the adapter (`options.connector`): that one belongs to the test.
 */
export async function serveAdapterApp(
  listener: RequestListener,
  connector: AdapterConnector & { stop(): Promise<void> },
  options: AdapterOptions,
): Promise<StartedApp> {
  const server = await listen(listener);
  return {
    server,
    connector,
    close: async () => {
      await close(server);
      if (options.connector === undefined) await connector.stop();
    },
  };
}
