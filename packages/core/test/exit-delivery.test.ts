import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Connector } from '../src/connector.js';
import { compileCore, removeCompiledCore } from './helpers/compiled-core.js';
import { closedPort, serverFor, stopServers } from './helpers/connector-harness.js';

/** The transports of the test kit's fake server. */
type Protocol = 'udp' | 'tcp';

/**
 * A script that records `count` metrics and returns without `stop()`, as scripts and jobs do.
 * argv: protocol, port, count, mode. Modes: `connected` records once the connection is up;
 * `refused` once the first connection attempt was refused; `at-once` right after `start()`;
 * `never-started` without ever calling `start()`. Reports go to stderr, one per line.
 */
const SCRIPT = `
const { Connector } = await import(process.env.STATSD_CORE);
const [protocol, port, count, mode] = process.argv.slice(2);
let refused = false;
const statsd = new Connector({
  host: '127.0.0.1',
  port: Number(port),
  protocol,
  // Far longer than the test may take: the exit must not wait for it on a server that is down.
  stopTimeout: 600000,
  reconnectMinDelay: 600000,
  reconnectMaxDelay: 600000,
  onError: (error) => {
    if (error.code === 'ERR_STATSD_TRANSPORT') refused = true;
    process.stderr.write(error.code + ' ' + error.message + '\\n');
  },
});
if (mode !== 'never-started') await statsd.start();
if (mode === 'connected') {
  while (!statsd.stats().connected) await new Promise((resolve) => setTimeout(resolve, 5));
}
if (mode === 'refused') {
  while (!refused) await new Promise((resolve) => setTimeout(resolve, 5));
}
for (let i = 0; i < Number(count); i++) statsd.incr('exit.jobs');
`;

let compiled: { dir: string; index: string };
let script: string;
/** Scripts still running: a failed test must not leave one behind. */
const children = new Set<ChildProcess>();

beforeAll(async () => {
  compiled = await compileCore();
  script = join(compiled.dir, 'script.mjs');
  await writeFile(script, SCRIPT);
});

afterAll(async () => {
  await removeCompiledCore(compiled.dir);
});

afterEach(async () => {
  for (const child of children) child.kill();
  children.clear();
  await stopServers();
});

/** Runs the script to its end; resolves its exit code and what it wrote to stderr. */
async function run(
  protocol: Protocol,
  port: number,
  count: number,
  mode: string,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [script, protocol, String(port), String(count), mode], {
    env: { ...process.env, STATSD_CORE: pathToFileURL(compiled.index).href },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderr += text));
  const [code] = (await once(child, 'exit')) as [number | null];
  children.delete(child);
  return { code, stderr };
}

describe('a script that returns without stop()', () => {
  it.each<Protocol>(['udp', 'tcp'])(
    'delivers all 1000 metrics recorded once connected over %s',
    async (protocol) => {
      const server = await serverFor({ protocol });

      const { code, stderr } = await run(protocol, server.port, 1000, 'connected');

      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const lines = await server.waitForLines(1000);
      expect(lines).toHaveLength(1000);
      expect(new Set(lines)).toEqual(new Set(['counters.exit.jobs:1|c']));
    },
  );

  it('delivers metrics recorded while the first connection was still being made', async () => {
    const server = await serverFor({ protocol: 'tcp' });

    const { code } = await run('tcp', server.port, 10, 'at-once');

    expect(code).toBe(0);
    expect(await server.waitForLines(10)).toHaveLength(10);
  });

  it('exits without waiting when the server refused the last connection attempt', async () => {
    const port = await closedPort('tcp');

    const { code, stderr } = await run('tcp', port, 1000, 'refused');

    expect(code).toBe(0);
    expect(stderr).toMatch(/ERR_STATSD_TRANSPORT cannot connect/);
  });

  it('exits once the connection attempt under way at exit is refused', async () => {
    const port = await closedPort('tcp');

    const { code, stderr } = await run('tcp', port, 1000, 'at-once');

    expect(code).toBe(0);
    expect(stderr).toMatch(/ERR_STATSD_TRANSPORT cannot connect/);
  });

  it('exits at once when a started connector has nothing to deliver', async () => {
    const server = await serverFor({ protocol: 'tcp' });

    expect(await run('tcp', server.port, 0, 'connected')).toEqual({ code: 0, stderr: '' });
  });

  it('reports metrics left on a connector that was never started', async () => {
    const port = await closedPort('tcp');

    const { code, stderr } = await run('tcp', port, 3, 'never-started');

    expect(code).toBe(0);
    expect(stderr).toMatch(
      /^ERR_STATSD_NOT_STARTED 3 metrics wait in the queue of a connector that was never started.*await statsd.start\(\)/,
    );
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the beforeExit listener', () => {
  it('is one for every started connector, and gone once none is started', async () => {
    const port = await closedPort('tcp');
    const options = { host: '127.0.0.1', port, onError: () => {} };
    const first = new Connector(options);
    const second = new Connector(options);
    const before = process.listenerCount('beforeExit');

    await first.start();
    await second.start();
    const whileStarted = process.listenerCount('beforeExit');
    await first.stop();
    const withOneLeft = process.listenerCount('beforeExit');
    await second.stop();

    expect([whileStarted, withOneLeft]).toEqual([before + 1, before + 1]);
    expect(process.listenerCount('beforeExit')).toBe(before);
  });
});
