import { Connector } from '../src/connector.js';
import { ErrorCode, StatsdError } from '../src/errors.js';
import { MemoryConnector } from '../src/testing/index.js';
import type { FlushHook } from '../src/types.js';
import { errorLog } from './helpers/connector-harness.js';

/** Holds counter increments and hands them to the connector when its flush drains it. */
class HeldCounts {
  held = 0;
  drains = 0;
  readonly hook: FlushHook;
  readonly #connector: Connector;

  constructor(connector: Connector) {
    this.#connector = connector;
    this.hook = connector.beforeFlush(() => this.drain());
  }

  add(): void {
    if (this.held++ === 0) this.hook.requestFlush();
  }

  drain(): void {
    this.drains++;
    if (this.held > 0) this.#connector.incr('held', this.held);
    this.held = 0;
  }
}

const turns = async (count: number): Promise<void> => {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('Connector.beforeFlush', () => {
  const connectors: Connector[] = [];
  const track = <C extends Connector>(connector: C): C => {
    connectors.push(connector);
    return connector;
  };

  afterEach(async () => {
    await Promise.all(connectors.splice(0).map((connector) => connector.stop()));
  });

  it('drains the holder on the flush its requestFlush schedules', async () => {
    const connector = track(new MemoryConnector({ flushInterval: 0 }));
    const holder = new HeldCounts(connector);
    holder.add();
    holder.add();
    expect(connector.stats().enqueued).toBe(0);
    await turns(2);
    expect(connector.stats()).toMatchObject({ enqueued: 1, sent: 1 });
    expect(connector.lines).toEqual(['counters.held:2|c']);
  });

  it('drains the holder first on flush()', async () => {
    const connector = track(new MemoryConnector({ flushInterval: 60_000 }));
    const holder = new HeldCounts(connector);
    holder.add();
    expect(await connector.flush()).toBe(true);
    expect(connector.stats()).toMatchObject({ enqueued: 1, sent: 1, queued: 0 });
  });

  it('drains the holder before stop() delivers the queue', async () => {
    const connector = new MemoryConnector({ flushInterval: 60_000 });
    const holder = new HeldCounts(connector);
    holder.add();
    await connector.stop();
    expect(connector.stats()).toMatchObject({ enqueued: 1, sent: 1, dropped: 0, queued: 0 });
  });

  it('stops calling the drain once the hook is removed', async () => {
    const connector = track(new MemoryConnector({ flushInterval: 60_000 }));
    const holder = new HeldCounts(connector);
    await connector.flush();
    expect(holder.drains).toBe(1);
    holder.hook.remove();
    await connector.flush();
    expect(holder.drains).toBe(1);
  });

  it("shares the parent's flushes when it is a child's hook", async () => {
    const parent = track(new MemoryConnector({ flushInterval: 60_000 }));
    const holder = new HeldCounts(parent.child({ prefix: 'child' }));
    holder.add();
    await parent.flush();
    expect(parent.lines).toEqual(['child.counters.held:1|c']);
  });

  it('never calls the drain of a disabled connector, whose hook does nothing', async () => {
    const connector = new Connector({ enabled: false });
    const holder = new HeldCounts(connector);
    holder.add();
    holder.hook.remove();
    await connector.flush();
    await connector.stop();
    expect(holder.drains).toBe(0);
  });

  it('reports a drain that throws and still drains the others and sends the queue', async () => {
    const { errors, onError } = errorLog();
    const connector = track(new MemoryConnector({ flushInterval: 60_000, onError }));
    connector.beforeFlush(() => {
      throw new Error('holder bug');
    });
    const holder = new HeldCounts(connector);
    holder.add();
    expect(await connector.flush()).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: ErrorCode.FlushHook });
    expect((errors[0]?.cause as Error).message).toBe('holder bug');
    expect(connector.lines).toEqual(['counters.held:1|c']);
  });

  it('throws a StatsdError naming `drain` when it is not a function', () => {
    const connector = track(new MemoryConnector());
    let error: unknown;
    try {
      connector.beforeFlush('drain' as unknown as () => void);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StatsdError);
    expect(error).toMatchObject({ code: ErrorCode.InvalidOption });
    expect((error as Error).message).toContain('Invalid option `drain`');
  });
});
