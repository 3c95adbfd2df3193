import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnixgramListener } from '../helpers/unixgram-listener.js';

/**
 * Agents on unix datagram sockets in a temporary directory, for the fault tests: each is a real
 * listener that can stop reading ({@link UnixgramListener.pause}) or die
 * ({@link UnixgramListener.kill}). {@link UnixgramAgents.cleanUp} kills them all and removes the
 * directory.
 */
export class UnixgramAgents {
  readonly #dir = mkdtempSync(join(tmpdir(), 'statsd-unixgram-faults-'));
  readonly #listeners: UnixgramListener[] = [];

  /** A socket path in the directory; nothing is bound there until {@link UnixgramAgents.start}. */
  path(name: string = 'dsd.socket'): string {
    return join(this.#dir, name);
  }

  /** Binds a new agent at `path`, replacing a socket file left behind by a dead one. */
  async start(path: string = this.path()): Promise<UnixgramListener> {
    const listener = await UnixgramListener.start(path);
    this.#listeners.push(listener);
    return listener;
  }

  async cleanUp(): Promise<void> {
    await Promise.all(this.#listeners.splice(0).map((listener) => listener.kill()));
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
