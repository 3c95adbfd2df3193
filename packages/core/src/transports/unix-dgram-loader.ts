import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ErrorCode, StatsdError } from '../errors.js';

/** The part of the `unix-dgram` package the transport uses. */
export interface UnixDgramModule {
  createSocket(type: 'unix_dgram'): UnixDgramSocket;
}

/**
 * A unix datagram socket of `unix-dgram`. Its calls report synchronously: `connect` emits
 * `'connect'` or `'error'` before it returns, and `send` calls back before it returns, with an
 * error whose `code` is a negative errno, or code 1 (`'congestion'`) when the server's queue is
 * full (`EAGAIN`, `EWOULDBLOCK`, `ENOBUFS`), after which the socket emits `'writable'` once it
 * can take more.
 */
export interface UnixDgramSocket {
  connect(path: string): void;
  send(data: Buffer, callback: (error?: UnixDgramError) => void): void;
  close(): void;
  on(event: 'error', listener: (error: UnixDgramError) => void): this;
  on(event: 'connect' | 'writable', listener: () => void): this;
  removeAllListeners(): this;
}

/** An error of `unix-dgram`: `code` is a negative errno, or 1 for congestion. */
export interface UnixDgramError extends Error {
  code?: number | string;
}

const PACKAGE = 'unix-dgram';

let loaded: UnixDgramModule | undefined;

/**
 * Loads the optional peer `unix-dgram` (a native addon) the first time a connector needs it, so
 * that nobody else pays for it. It is resolved from this package's own location, as an import
 * would be; tests replace that location (`from`) or the package's name. Throws a `StatsdError`
 * (`ERR_STATSD_MISSING_DEPENDENCY`) saying what to install when it cannot be loaded.
 */
export function loadUnixDgram(from?: string, name: string = PACKAGE): UnixDgramModule {
  const usual = from === undefined && name === PACKAGE;
  if (usual && loaded !== undefined) return loaded;
  const base = from ?? ownLocation() ?? join(process.cwd(), 'noop.js');
  try {
    const module = createRequire(base)(name) as UnixDgramModule;
    if (typeof module.createSocket !== 'function') throw new Error('it has no createSocket()');
    if (usual) loaded = module;
    return module;
  } catch (cause) {
    throw new StatsdError(
      ErrorCode.MissingDependency,
      "`protocol: 'unixgram'` needs the optional package unix-dgram, which could not be " +
        `loaded (${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}): ` +
        'install it next to @statsd/core with `npm install unix-dgram` (a native addon: ' +
        'building it needs python3, make and a C++ compiler), or use `protocol: ' +
        "'udp'` or 'unix'.",
      { cause },
    );
  }
}

/**
 * This file's own path or URL. It is compiled both as an ES module and (for tests) as CommonJS,
 * and neither `import.meta` nor `__filename` exists in both, so it is read from a V8 stack frame.
 * `undefined` where that is not available: then the working directory is the starting point.
 */
function ownLocation(): string | undefined {
  // Read as a value to be put back as it was; never called here.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_, frames) => frames;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, ownLocation);
    const frames = holder.stack as NodeJS.CallSite[] | undefined;
    const file = frames?.[0]?.getFileName();
    return typeof file === 'string' && file !== '' ? file : undefined;
  } catch {
    return undefined;
  } finally {
    Error.prepareStackTrace = original;
  }
}
