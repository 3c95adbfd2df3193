import {
  connectorFor,
  errorLog,
  expectBalanced,
  serverFor,
  stopConnectors,
  stopServers,
} from './helpers/connector-harness.js';

afterEach(async () => {
  await stopConnectors();
  await stopServers();
});

describe('Connector queue bound', () => {
  it('keeps the first maxQueueSize metrics and drops the newest when the queue is full', async () => {
    const server = await serverFor({ protocol: 'tcp' });
    const statsd = connectorFor({ host: server.host, port: server.port, maxQueueSize: 10 });
    for (let i = 0; i < 25; i++) statsd.incr(`jobs.${i}`);
    const full = statsd.stats();
    expect(full).toMatchObject({ enqueued: 25, queued: 10, dropped: 15 });
    expect(full.dropReasons.queueFull).toBe(15);
    expectBalanced(full);
    await statsd.start();
    const expected = Array.from({ length: 10 }, (_, i) => `counters.jobs.${i}:1|c`);
    expect(await server.waitForLines(10)).toEqual(expected);
    await statsd.stop();
    expect(server.received).toBe(10);
    expect(statsd.stats()).toMatchObject({ enqueued: 25, sent: 10, dropped: 15, queued: 0 });
  });

  it('drops the newest metrics when maxQueueBytes is reached', async () => {
    const server = await serverFor({ protocol: 'tcp' });
    // Each line is 20 bytes plus its "\n": three fit in 64 bytes, the fourth does not.
    const statsd = connectorFor({
      host: server.host,
      port: server.port,
      maxPacketSize: 64,
      maxQueueBytes: 64,
    });
    for (let i = 10; i < 16; i++) statsd.incr(`jobs.${i}`);
    expect(statsd.stats()).toMatchObject({ queued: 3, queuedBytes: 63, dropped: 3 });
    expect(statsd.stats().dropReasons.queueFull).toBe(3);
    await statsd.start();
    expect(await server.waitForLines(3)).toEqual([
      'counters.jobs.10:1|c',
      'counters.jobs.11:1|c',
      'counters.jobs.12:1|c',
    ]);
  });

  it('reports the first five overflows at once, then one summary per interval with the count', () => {
    jest.useFakeTimers();
    try {
      const { errors, onError } = errorLog();
      // Never started: nothing leaves the queue of one metric, and no socket is opened.
      const statsd = connectorFor({ host: '127.0.0.1', port: 9, maxQueueSize: 1, onError });
      const queueFull = (): string[] =>
        errors.filter((error) => error.code === 'ERR_STATSD_QUEUE_FULL').map((e) => e.message);
      for (let i = 0; i <= 200_000; i++) statsd.incr('jobs');
      expect(statsd.stats().dropReasons.queueFull).toBe(200_000);
      const counts = queueFull().map((message) => /\((\d+) times so far\)/.exec(message)?.[1]);
      expect(counts).toEqual([undefined, '2', '3', '4', '5']);
      expect(queueFull()[0]).toMatch(/queue is full .*dropped the newest metric/);

      jest.advanceTimersByTime(10_000);
      expect(queueFull()).toHaveLength(6);
      expect(queueFull()[5]).toMatch(
        /queue is full .* \(199995 more times in the last 10 s, 200000 times so far\)$/,
      );

      for (let i = 0; i < 10; i++) statsd.incr('jobs');
      jest.advanceTimersByTime(10_000);
      expect(queueFull()[6]).toMatch(/\(10 more times in the last 10 s, 200010 times so far\)$/);

      // Quiet intervals print nothing; the next overflow is reported at once again.
      jest.advanceTimersByTime(60_000);
      expect(queueFull()).toHaveLength(7);
      statsd.incr('jobs');
      expect(queueFull()).toHaveLength(8);
      expect(queueFull()[7]).toMatch(/\(200011 times so far\)$/);
    } finally {
      jest.useRealTimers();
    }
  });
});
