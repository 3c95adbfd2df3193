import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { FLUSH_LOG_FILE, FLUSH_RECORDER, FLUSH_RECORDER_FILE } from './flush-recorder.js';
import type { DaemonPorts } from './free-port.js';

/** What a daemon run needs on disk: its private temp folder and the two files inside it. */
export interface DaemonFiles {
  /** The temp folder; removing it removes everything below. */
  readonly dir: string;
  /** The daemon config, passed as the script's argument. */
  readonly configPath: string;
  /** The config file's text, kept for error messages: the file is gone once the daemon exits. */
  readonly configText: string;
  /** A CommonJS file loaded with `--require` before the daemon's own code. */
  readonly preloadPath: string;
  /** Where the flush recorder appends one JSON line per flush, when it is loaded. */
  readonly flushLogPath: string;
}

/**
 * Finds the reference daemon's entry script, `statsd/stats.js`.
 *
 * This file is compiled twice (CommonJS by ts-jest, ESM by tsc), so neither `__dirname` nor
 * `import.meta` exists in both builds. Tests, the demo and benchmarks all run from inside the
 * repository, whose root declares `statsd` as a devDependency, so the search walks up through
 * every `node_modules` folder (what Node's own resolution does) from the working directory, then
 * from the main script's folder (for `node /path/to/repo/examples/demo/dist/demo.js` started
 * elsewhere), and finally asks Node's resolver, which also honours `NODE_PATH`.
 */
export function locateStatsdScript(starts: readonly string[] = defaultSearchStarts()): string {
  for (const start of starts) {
    const found = findUpwards(resolve(start), join('node_modules', 'statsd', 'stats.js'));
    if (found !== undefined) return found;
  }
  const from = resolve(starts[0] ?? '.');
  try {
    return createRequire(join(from, 'noop.js')).resolve('statsd/stats.js');
  } catch (cause) {
    throw new Error(
      `Cannot find the reference StatsD daemon (statsd/stats.js) above ${starts.join(' or ')}: ` +
        'run from inside the repository after `pnpm install` (statsd@0.9.0 is a devDependency ' +
        'of the root).',
      { cause },
    );
  }
}

function defaultSearchStarts(): string[] {
  const main = process.argv[1];
  return main === undefined ? [process.cwd()] : [process.cwd(), dirname(resolve(main))];
}

function findUpwards(from: string, relative: string): string | undefined {
  for (let dir = from; ;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The complete config object the daemon receives for one run. */
export function buildDaemonConfig(
  host: string,
  ports: DaemonPorts,
  flushInterval: number,
  extra: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return {
    // The daemon's console backend would log every flush: tests read state over the
    // management port instead, so no backend is loaded at all.
    backends: [],
    flushInterval,
    // Leaves the title alone: renaming the child would only confuse `ps` output in CI logs.
    title: false,
    // The daemon watches its config file and would re-read it on every change.
    automaticConfigReload: false,
    ...extra,
    // Last, so that nothing in `extra` can make the daemon listen beyond loopback or elsewhere
    // than on the ports reported to the caller.
    servers: [
      { server: './servers/udp', address: host, port: ports.udpPort },
      { server: './servers/tcp', address: host, port: ports.tcpPort },
    ],
    mgmt_address: host,
    mgmt_port: ports.mgmtPort,
  };
}

// Runs inside the daemon before stats.js. It changes how the management port prints, never how
// metrics are handled: util.inspect shows only 100 items of an array by default, which would cut
// off timer lists. It also ties the daemon's life to ours: our end of its stdin closes when this
// process dies by any means (SIGKILL, a crash, or a Jest worker whose sandboxed 'exit' hook never
// runs), and the daemon then removes its own temp folder and exits instead of lingering.
const PRELOAD = `'use strict';
require('node:util').inspect.defaultOptions = {
  maxArrayLength: null,
  maxStringLength: null,
  breakLength: Infinity,
};
const orphaned = () => {
  require('node:fs').rmSync(__dirname, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', orphaned);
process.stdin.on('error', orphaned);
process.stdin.resume();
`;

/**
 * Creates a private temp folder holding the daemon config and the preload script, and with
 * `recordFlushes` the flush recorder backend (see `flush-recorder.ts`), added to `backends`.
 */
export async function writeDaemonFiles(
  config: Record<string, unknown>,
  recordFlushes = false,
): Promise<DaemonFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'statsd-daemon-'));
  const recorderPath = join(dir, FLUSH_RECORDER_FILE);
  // The daemon `require`s a backend from its own folder: only an absolute path reaches ours.
  const backends = Array.isArray(config['backends']) ? (config['backends'] as unknown[]) : [];
  const written = recordFlushes ? { ...config, backends: [...backends, recorderPath] } : config;
  const files: DaemonFiles = {
    dir,
    configPath: join(dir, 'config.js'),
    // The daemon evaluates the file as the expression `config = <file text>`: JSON is a valid one.
    configText: `${JSON.stringify(written, null, 2)}\n`,
    preloadPath: join(dir, 'preload.cjs'),
    flushLogPath: join(dir, FLUSH_LOG_FILE),
  };
  try {
    await writeFile(files.configPath, files.configText);
    await writeFile(files.preloadPath, PRELOAD);
    if (recordFlushes) await writeFile(recorderPath, FLUSH_RECORDER);
    return files;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
