/**
 * The contenders of figure 7, the tagged workload: what a service does per unit of work (a
 * request, a job), four metrics (a counter, a timer, a gauge, a histogram) over 100 names, each
 * call with a tags object literal `{ route, method, status }` built at the call, as application
 * code builds it. Every contender makes the same calls with the same inputs, in one of three
 * dialects, and sends 1432-byte UDP packets:
 * - ours: a `@statsd/core` connector with `dialect` set and its defaults otherwise;
 * - hot-shots 17, buffered (`maxBufferSize: 1432`), in its matching mode (see `startTaggedHotShots`);
 * - the bare loop: builds the same tags object, concatenates the same lines from its fields (the
 *   inputs are known to be wire-safe, so it sanitizes nothing) and sends full datagrams.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Connector, Dialect } from '@statsd/core';
import { StatsD } from 'hot-shots';
import { HOST, PACKET_SIZE } from './clients.js';
import { yieldTurn } from './measure.js';

/** Metrics per unit of work: a counter, a timer, a gauge and a histogram. */
export const METRICS_PER_UNIT = 4;

/** 25 operations × 4 metrics = 100 names. */
const OPERATIONS = Array.from({ length: 25 }, (_, k) => `work.op${k}`);
const CALLS = OPERATIONS.map((op) => `${op}.calls`);
const LATENCY = OPERATIONS.map((op) => `${op}.latency`);
const IN_FLIGHT = OPERATIONS.map((op) => `${op}.in_flight`);
const SIZE = OPERATIONS.map((op) => `${op}.size`);

/** Route templates as routers name them: most hold a colon. Indexed `u & 7`. */
const ROUTES = [
  '/users/:id',
  '/users/:id/orders',
  '/orders/:orderId',
  '/health',
  '/search',
  '/carts/:id/items/:itemId',
  '/login',
  '/products/:sku',
];
/** Indexed `(u >> 3) & 3`. */
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
/** Indexed `(u >> 5) & 7`. */
const STATUSES = [200, 200, 201, 204, 304, 400, 404, 500];
/** Durations in milliseconds, at most two decimals. Indexed `u & 63`. */
const MILLISECONDS = Array.from({ length: 64 }, (_, k) => ((k * 7919) % 25_000) / 100);
/** Histogram values (response sizes). Indexed `u & 31`. */
const SIZES = Array.from({ length: 32 }, (_, k) => 100 + ((k * 104_729) % 20_000));

/** Whether the dialect puts `counters.`, `timers.` … in front of a path (ours by default). */
function kindSegments(dialect: Dialect): boolean {
  return dialect !== 'dogstatsd';
}

/** `n` metrics (`n / 4` units) in chunks of `chunk` metrics, a turn between chunks. */
export async function oursTaggedBurst(
  connector: Connector,
  n: number,
  chunk: number,
): Promise<void> {
  const units = n / METRICS_PER_UNIT;
  const perChunk = chunk / METRICS_PER_UNIT;
  for (let done = 0; done < units; done += perChunk) {
    const end = Math.min(units, done + perChunk);
    for (let u = done; u < end; u++) {
      const op = u % 25;
      const route = ROUTES[u & 7] as string;
      const method = METHODS[(u >> 3) & 3] as string;
      const status = STATUSES[(u >> 5) & 7] as number;
      connector.incr(CALLS[op] as string, 1, { tags: { route, method, status } });
      connector.timing(LATENCY[op] as string, (MILLISECONDS[u & 63] as number) / 1000, {
        tags: { route, method, status },
      });
      connector.gauge(IN_FLIGHT[op] as string, u % 100, { tags: { route, method, status } });
      connector.histogram(SIZE[op] as string, SIZES[u & 31] as number, {
        tags: { route, method, status },
      });
    }
    await yieldTurn();
  }
  if (!(await connector.flush(120_000))) throw new Error('the connector did not flush in time');
}

/**
 * hot-shots as its users configure it for this server: buffered, 1432-byte packets;
 * `telegraf: true` for Telegraf. hot-shots has no Graphite tags, so for the `statsd` dialect it
 * writes its default DogStatsD tags (`|#k:v`), which the reference daemon reads and folds into
 * the same `;k=v` series our Graphite tags name: the same information for the same server, at
 * about the same length. Its names get the kind segments ours writes, so the lines match.
 */
export function startTaggedHotShots(
  dialect: Dialect,
  port: number,
  errors: { count: number },
): StatsD {
  return new StatsD({
    host: HOST,
    port,
    protocol: 'udp',
    prefix: 'bench.',
    maxBufferSize: PACKET_SIZE,
    telegraf: dialect === 'telegraf',
    errorHandler: () => {
      errors.count++;
    },
  });
}

/** The names hot-shots is given: with the kind segments ours writes in this dialect. */
function hotShotsNames(dialect: Dialect): readonly (readonly string[])[] {
  const segment = (kind: string): string => (kindSegments(dialect) ? kind + '.' : '');
  // The reference daemon has no histograms: ours writes a timer there, and so does hot-shots.
  const histograms = dialect === 'statsd' ? 'timers' : 'histograms';
  return [
    CALLS.map((name) => segment('counters') + name),
    LATENCY.map((name) => segment('timers') + name),
    IN_FLIGHT.map((name) => segment('gauges') + name),
    SIZE.map((name) => segment(histograms) + name),
  ];
}

/** The same units for hot-shots; its `flush(callback)` waits for the sends in flight. */
export async function hotShotsTaggedBurst(
  client: StatsD,
  dialect: Dialect,
  n: number,
  chunk: number,
): Promise<void> {
  const [calls, latency, inFlight, size] = hotShotsNames(dialect) as string[][];
  const timerHistograms = dialect === 'statsd';
  const units = n / METRICS_PER_UNIT;
  const perChunk = chunk / METRICS_PER_UNIT;
  for (let done = 0; done < units; done += perChunk) {
    const end = Math.min(units, done + perChunk);
    for (let u = done; u < end; u++) {
      const op = u % 25;
      const route = ROUTES[u & 7] as string;
      const method = METHODS[(u >> 3) & 3] as string;
      // hot-shots types tag values as strings: its users convert the status once.
      const status = String(STATUSES[(u >> 5) & 7]);
      client.increment(calls?.[op] as string, 1, { route, method, status });
      client.timing(latency?.[op] as string, MILLISECONDS[u & 63] as number, {
        route,
        method,
        status,
      });
      client.gauge(inFlight?.[op] as string, u % 100, { route, method, status });
      const value = SIZES[u & 31] as number;
      if (timerHistograms) client.timing(size?.[op] as string, value, { route, method, status });
      else client.histogram(size?.[op] as string, value, { route, method, status });
    }
    await yieldTurn();
  }
  await new Promise<void>((resolve) => client.flush(() => resolve()));
}

/** The fields of one line the bare loop writes, by dialect. */
interface BareSyntax {
  /** Heads by metric of the unit: prefix, kind segment and path. */
  readonly heads: readonly (readonly string[])[];
  /** Routes as they may go on this dialect's wire (no colon outside DogStatsD). */
  readonly routes: readonly string[];
  readonly dogstatsd: boolean;
  /** `;` (Graphite) or `,` (Influx) before each tag; `=` between key and value. */
  readonly separator: string;
}

function bareSyntax(dialect: Dialect): BareSyntax {
  const segment = (kind: string): string => 'bench.' + (kindSegments(dialect) ? kind + '.' : '');
  const histograms = dialect === 'statsd' ? 'timers' : 'histograms';
  return {
    heads: [
      CALLS.map((name) => segment('counters') + name),
      LATENCY.map((name) => segment('timers') + name),
      IN_FLIGHT.map((name) => segment('gauges') + name),
      SIZE.map((name) => segment(histograms) + name),
    ],
    routes: dialect === 'dogstatsd' ? ROUTES : ROUTES.map((route) => route.replaceAll(':', '_')),
    dogstatsd: dialect === 'dogstatsd',
    separator: dialect === 'statsd' ? ';' : ',',
  };
}

/** Tags as the application builds them; the bare loop reads them back from the object. */
interface RequestTags {
  readonly route: string;
  readonly method: string;
  readonly status: number;
}

/**
 * The practical limit for this workload: one line per metric concatenated from the tags
 * object's fields, lines packed into full datagrams, each sent on a connected socket without a
 * callback. No sanitizing, no queue, no accounting.
 */
export class BareTaggedLoop {
  readonly #socket: Socket;
  readonly #syntax: BareSyntax;
  readonly #histogramType: string;

  private constructor(socket: Socket, dialect: Dialect) {
    this.#socket = socket;
    this.#syntax = bareSyntax(dialect);
    this.#histogramType = dialect === 'statsd' ? '|ms' : '|h';
  }

  static async connect(port: number, dialect: Dialect): Promise<BareTaggedLoop> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.connect(port, HOST, resolve));
    return new BareTaggedLoop(socket, dialect);
  }

  #line(head: string, value: string, type: string, tags: RequestTags, route: string): string {
    const { dogstatsd, separator } = this.#syntax;
    if (dogstatsd) {
      return (
        head +
        ':' +
        value +
        type +
        '|#route:' +
        route +
        ',method:' +
        tags.method +
        ',status:' +
        tags.status
      );
    }
    return (
      head +
      separator +
      'route=' +
      route +
      separator +
      'method=' +
      tags.method +
      separator +
      'status=' +
      tags.status +
      ':' +
      value +
      type
    );
  }

  async burst(n: number, chunk: number): Promise<void> {
    const socket = this.#socket;
    const { heads, routes } = this.#syntax;
    const [calls, latency, inFlight, size] = heads as string[][];
    const histogramType = this.#histogramType;
    const units = n / METRICS_PER_UNIT;
    const perChunk = chunk / METRICS_PER_UNIT;
    let packet = '';
    const add = (line: string): void => {
      if (packet.length === 0) {
        packet = line;
      } else if (packet.length + 1 + line.length > PACKET_SIZE) {
        socket.send(Buffer.from(packet));
        packet = line;
      } else {
        packet += '\n' + line;
      }
    };
    for (let done = 0; done < units; done += perChunk) {
      const end = Math.min(units, done + perChunk);
      for (let u = done; u < end; u++) {
        const op = u % 25;
        const route = routes[u & 7] as string;
        const method = METHODS[(u >> 3) & 3] as string;
        const status = STATUSES[(u >> 5) & 7] as number;
        let tags: RequestTags = { route, method, status };
        add(this.#line(calls?.[op] as string, '1', '|c', tags, route));
        tags = { route, method, status };
        const ms = '' + (MILLISECONDS[u & 63] as number);
        add(this.#line(latency?.[op] as string, ms, '|ms', tags, route));
        tags = { route, method, status };
        add(this.#line(inFlight?.[op] as string, '' + (u % 100), '|g', tags, route));
        tags = { route, method, status };
        const value = '' + (SIZES[u & 31] as number);
        add(this.#line(size?.[op] as string, value, histogramType, tags, route));
      }
      await yieldTurn();
    }
    if (packet.length > 0) socket.send(Buffer.from(packet));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(resolve));
  }
}
