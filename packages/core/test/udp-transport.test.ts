import { FakeStatsdServer } from '../src/testing/index.js';
import { UdpTransport } from '../src/transports/udp-transport.js';

let server: FakeStatsdServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('UdpTransport', () => {
  it('fails a send made while it closes through the callback instead of throwing', async () => {
    server = await FakeStatsdServer.start({ protocol: 'udp' });
    const closes: (Error | undefined)[] = [];
    const transport = new UdpTransport(
      { host: server.host, port: server.port, path: undefined, connectTimeout: 1000 },
      { onClose: (error) => closes.push(error), onDrain: () => {} },
    );
    await transport.connect();
    // Nothing in flight: end() closes the socket at once, and its 'close' event comes later.
    const ending = transport.end();
    const results: (Error | null | undefined)[] = [];
    let thrown: unknown;
    try {
      transport.send(Buffer.from('a:1|c'), (error) => results.push(error));
    } catch (error) {
      thrown = error;
    }
    await ending;
    expect(thrown).toBeUndefined();
    expect(results).toEqual([expect.any(Error)]);
    expect(closes).toEqual([undefined]);
  });
});
