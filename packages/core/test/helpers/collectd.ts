import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** Where Debian's `collectd-core` puts the daemon and its types; also looked up on PATH. */
const CANDIDATES = ['/usr/sbin/collectd', '/usr/bin/collectd'];
const TYPES_DB = '/usr/share/collectd/types.db';
const HOST = '127.0.0.1';
/** collectd's own name for the host, the first part of every value's identifier. */
const HOSTNAME = 'statsd-test';
const POLL_MS = 100;

/** The collectd binary, or `undefined` when it is not installed. */
export function findCollectd(): string | undefined {
  const found = CANDIDATES.find((path) => existsSync(path));
  if (found !== undefined) return found;
  const which = spawnSync('sh', ['-c', 'command -v collectd'], { encoding: 'utf8' });
  const path = which.stdout.trim();
  return which.status === 0 && path !== '' ? path : undefined;
}

/**
 * collectd 5.x with its `statsd` plugin on a loopback ephemeral UDP port, writing what it
 * aggregated every second with the `csv` plugin (raw values: counters as running totals, gauges
 * as set, timers in seconds). A second StatsD server, independent of the reference daemon.
 */
export class Collectd {
  readonly host = HOST;
  readonly port: number;
  readonly #dir: string;
  readonly #child: ChildProcess;
  #output = '';

  private constructor(port: number, dir: string, child: ChildProcess) {
    this.port = port;
    this.#dir = dir;
    this.#child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.#output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.#output += chunk.toString('utf8')));
  }

  /** Starts collectd and resolves once its statsd plugin listens. */
  static async start(binary: string): Promise<Collectd> {
    const dir = await mkdtemp(join(tmpdir(), 'statsd-collectd-'));
    const port = await freeUdpPort();
    const config = [
      `Hostname "${HOSTNAME}"`,
      'FQDNLookup false',
      `BaseDir "${dir}"`,
      `PIDFile "${join(dir, 'collectd.pid')}"`,
      `TypesDB "${TYPES_DB}"`,
      'Interval 1',
      'LoadPlugin statsd',
      'LoadPlugin csv',
      '<Plugin statsd>',
      `  Host "${HOST}"`,
      `  Port "${port}"`,
      '  DeleteCounters false',
      '  DeleteGauges false',
      '</Plugin>',
      '<Plugin csv>',
      `  DataDir "${join(dir, 'csv')}"`,
      '  StoreRates false',
      '</Plugin>',
      '',
    ].join('\n');
    const file = join(dir, 'collectd.conf');
    await writeFile(file, config);
    const child = spawn(binary, ['-f', '-C', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const collectd = new Collectd(port, dir, child);
    await collectd.#until(() => collectd.#output.includes('statsd plugin: Listening'), 'start');
    return collectd;
  }

  /** What collectd has written so far: the last value of each of its statsd values. */
  async values(): Promise<Record<string, number>> {
    const folder = join(this.#dir, 'csv', HOSTNAME, 'statsd');
    const values: Record<string, number> = {};
    if (!existsSync(folder)) return values;
    for (const file of await readdir(folder)) {
      const rows = (await readFile(join(folder, file), 'utf8')).trim().split('\n');
      const last = rows.at(-1)?.split(',').at(-1);
      // `derive-counters.hits-2026-12-03` → `derive-counters.hits`.
      if (last !== undefined) values[file.replace(/-\d{4}-\d\d-\d\d$/, '')] = Number(last);
    }
    return values;
  }

  /** Polls {@link values} (collectd writes once a second) until `done` holds; bounded. */
  async waitFor(
    done: (values: Record<string, number>) => boolean,
    timeout = 10_000,
  ): Promise<Record<string, number>> {
    let values: Record<string, number> = {};
    await this.#until(async () => done((values = await this.values())), 'values', timeout);
    return values;
  }

  /** Lines collectd refused (`Unable to parse line`). */
  get refused(): string[] {
    return [...this.#output.matchAll(/Unable to parse line: "(.*)"/g)].map((m) => m[1] ?? '');
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null) {
      const exited = new Promise((resolve) => this.#child.once('exit', resolve));
      this.#child.kill('SIGTERM');
      await exited;
    }
    await rm(this.#dir, { recursive: true, force: true });
  }

  async #until(
    condition: () => boolean | Promise<boolean>,
    what: string,
    timeout = 10_000,
  ): Promise<void> {
    const deadline = Date.now() + timeout;
    while (!(await condition())) {
      if (this.#child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`collectd: no ${what} within ${timeout} ms; its output:\n${this.#output}`);
      }
      await delay(POLL_MS);
    }
  }
}

/** An ephemeral UDP port on loopback, free when this returns. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}
