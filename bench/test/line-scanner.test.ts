import { MemoryConnector, parseMetrics } from '@statsd/core/testing';
import fc from 'fast-check';
import { LineScanner, countDatagram, type LineCounts } from '../src/line-scanner.js';

// What the sink counts decides what every figure calls delivered: it must agree with a plain
// reading of each line, however the bytes are cut into datagrams or TCP chunks.

/** One value per `:` a number follows, before the line's tags (`|#`). */
function valuesOf(line: string): number {
  const tags = line.indexOf('|#');
  const head = tags === -1 ? line : line.slice(0, tags);
  return (head.match(/:[-+.0-9]/g) ?? []).length;
}

const nameChar = fc.constantFrom(...'abcxyz019._-'.split(''));
const name = fc.string({ unit: nameChar, minLength: 1, maxLength: 12 });
// hot-shots' `telegraf: true` leaves a route's `:` in its Influx tags (a letter follows it).
const influx = fc.array(fc.constantFrom(',route=/users/:id', ',method=GET', ',status=200'), {
  maxLength: 3,
});
const value = fc.constantFrom('1', '12.5', '-3', '+4', '.5', '100');
const type = fc.constantFrom('c', 'ms', 'h', 'd', 'g');
const tagText = fc.constantFrom('route:/users/:id', 'status:200', 'k:-1', 'a', 'x:.5', 'z::9');
const tail = fc.record({
  rate: fc.option(fc.constant('|@0.5'), { nil: '' }),
  tags: fc.option(
    fc.array(tagText, { minLength: 1, maxLength: 3 }).map((t) => '|#' + t.join(',')),
    { nil: '' },
  ),
});
/** A line as some client sends it: plain, packed DogStatsD-style, or packed statsd-style. */
const line = fc
  .record({
    name,
    influx,
    values: fc.array(value, { minLength: 1, maxLength: 5 }),
    type,
    style: fc.constantFrom('dogstatsd', 'statsd'),
    tail,
  })
  .map(({ name, influx, values, type, style, tail }) => {
    const head = name + influx.join('');
    const body =
      style === 'dogstatsd'
        ? ':' + values.join(':') + '|' + type
        : values.map((v) => ':' + v + '|' + type).join('');
    return head + body + tail.rate + tail.tags;
  });

function expected(lines: readonly string[]): LineCounts {
  return { lines: lines.length, values: lines.reduce((sum, l) => sum + valuesOf(l), 0) };
}

describe('the bench sink counting lines and values', () => {
  test('a datagram counts as the lines and values it holds', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 30 }), fc.boolean(), (lines, ended) => {
        const counts = { lines: 0, values: 0 };
        countDatagram(Buffer.from(lines.join('\n') + (ended ? '\n' : '')), counts);
        expect(counts).toEqual(expected(lines));
      }),
      { numRuns: 300 },
    );
  });

  test('a TCP stream counts the same however it is cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (lines, cuts) => {
          const bytes = Buffer.from(lines.map((l) => l + '\n').join(''));
          const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const scanner = new LineScanner();
          const counts = { lines: 0, values: 0 };
          let from = 0;
          for (const cut of [...at, bytes.length]) {
            const chunk = Buffer.from(bytes.subarray(from, cut));
            scanner.scan(chunk, counts);
            chunk.fill(0); // the sink's caller may reuse a chunk's memory
            from = cut;
          }
          expect(counts).toEqual(expected(lines));
        },
      ),
      { numRuns: 300 },
    );
  });

  test.each(['statsd', 'dogstatsd', 'telegraf'] as const)(
    'counts each metric value of our %s packets, packed or not, as parseMetrics reads them',
    async (dialect) => {
      const connector = new MemoryConnector({ dialect, packValues: true, prefix: 'bench' });
      await connector.start();
      for (let i = 0; i < 200; i++) {
        const tags = { route: '/users/:id', status: String(200 + (i % 3)) };
        connector.timing(`db.${i % 4}`, i / 1000, { tags });
        connector.histogram('size', i, { tags, sampleRate: 0.5 });
        connector.incr('hits', 1, { tags });
      }
      await connector.flush();
      const counts = { lines: 0, values: 0 };
      for (const packet of connector.packets) countDatagram(Buffer.from(packet), counts);
      const metrics = connector.lines.reduce((sum, l) => sum + parseMetrics(l).length, 0);
      // Packed lines were sent: otherwise this would prove nothing about them.
      expect(counts.lines).toBeLessThan(metrics);
      expect(counts).toEqual({ lines: connector.lines.length, values: metrics });
      await connector.stop();
    },
  );
});
