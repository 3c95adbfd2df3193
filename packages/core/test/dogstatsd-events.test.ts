import * as fc from 'fast-check';
import { ErrorCode } from '../src/errors.js';
import { CheckStatus } from '../src/event-format.js';
import { recording } from './helpers/dogstatsd-recording.js';
import { agentMessages, parseAgentCheck, parseAgentEvent } from './helpers/agent-parser.js';

// Expected lines come from the Datadog agent's parser tests (DataDog/datadog-agent,
// comp/dogstatsd/server/parse_events_test.go and parse_service_checks_test.go): what the agent
// reads from a line there is what we must write for the same event or check.

describe('Connector.event', () => {
  it('writes the minimal event of the agent test TestEventMinimal', () => {
    const { statsd } = recording();
    statsd.event('test title', 'test text');
    expect(statsd.lines).toEqual(['_e{10,9}:test title|test text']);
  });

  it('writes every field of TestEventMetadataMultiple, in the agent clients order', () => {
    const { statsd } = recording();
    statsd.event('test title', 'test text', {
      alertType: 'warning',
      date: 12345,
      priority: 'low',
      hostname: 'some.host',
      aggregationKey: 'aggKey',
      sourceType: 'source test',
      tags: ['tag1', 'tag2:test'],
    });
    expect(statsd.lines).toEqual([
      '_e{10,9}:test title|test text|d:12345|h:some.host|k:aggKey|p:low|s:source test|t:warning|#tag1,tag2:test',
    ]);
  });

  it('writes a line break in the text as \\n, counted in the text length (TestEventMultilinesText)', () => {
    const { statsd } = recording();
    statsd.event('test title', 'test\\line1\nline2\nline3');
    expect(statsd.lines).toEqual(['_e{10,24}:test title|test\\line1\\nline2\\nline3']);
  });

  it('keeps a | in the title, which the agent reads by length (TestEventPipeInTitle)', () => {
    const { statsd } = recording();
    statsd.event('test|title', 'text');
    const [packet] = statsd.packets;
    expect(packet).toBe('_e{10,4}:test|title|text');
    expect(parseAgentEvent(Buffer.from(packet as string)).title).toBe('test|title');
  });

  it('writes an empty text as the agent reads it (TestEventEmptyText)', () => {
    const { statsd } = recording();
    statsd.event('test title', '', { alertType: 'warning' });
    expect(statsd.lines).toEqual(['_e{10,0}:test title||t:warning']);
  });

  it('counts the lengths in UTF-8 bytes, not characters', () => {
    const { statsd } = recording();
    statsd.event('déploiement', '✓ fini 🚀');
    const [packet] = statsd.packets;
    expect(packet).toBe('_e{12,13}:déploiement|✓ fini 🚀');
    const event = parseAgentEvent(Buffer.from(packet as string, 'utf8'));
    expect(event).toMatchObject({ title: 'déploiement', text: '✓ fini 🚀' });
  });

  it('writes a Date as unix seconds', () => {
    const { statsd } = recording();
    statsd.event('t', 'x', { date: new Date('2024-01-02T03:04:05.678Z') });
    expect(statsd.lines).toEqual(['_e{1,1}:t|x|d:1704164645']);
  });

  it('adds the global and child tags, and no prefix', () => {
    const { statsd } = recording({ globalTags: { env: 'prod' } });
    statsd.child({ prefix: 'jobs', tags: ['team:core'] }).event('up', 'ok', { tags: { v: 2 } });
    expect(statsd.lines).toEqual(['_e{2,2}:up|ok|#env:prod,team:core,v:2']);
  });

  it('keeps | and line breaks in the string fields from starting a forged field', () => {
    const { statsd } = recording();
    statsd.event('t', 'x', {
      hostname: 'a|#forged:tag',
      aggregationKey: 'k\n_sc|evil|0',
      sourceType: 's\r|p:low',
    });
    const [packet] = statsd.packets;
    const messages = agentMessages(Buffer.from(packet as string));
    expect(messages).toHaveLength(1);
    expect(parseAgentEvent(messages[0] as Buffer)).toEqual({
      title: 't',
      text: 'x',
      fields: { h: 'a_#forged:tag', k: 'k__sc_evil_0', s: 's__p:low' },
      tags: [],
    });
  });

  it('reads back whatever title and text it was given, as the agent parses them', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, unit: 'binary' }),
        fc.string({ unit: 'binary' }),
        (title, text) => {
          const { statsd } = recording({ maxPacketSize: 65_000 });
          statsd.event(title, text, { tags: ['k:v'] });
          const packets = statsd.packets;
          const messages = agentMessages(Buffer.from(packets.join('\n'), 'utf8'));
          expect(messages).toHaveLength(1);
          const event = parseAgentEvent(messages[0] as Buffer);
          // Line breaks come back as \n; other control characters and lone surrogates become _.
          /* eslint-disable no-control-regex -- the control characters are the point */
          const expected = (s: string): string =>
            s
              .replace(/\r\n|\r/g, '\n')
              .replace(
                /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
                '_',
              );
          /* eslint-enable no-control-regex */
          expect(event.title).toBe(expected(title).replaceAll('\\n', '\n'));
          expect(event.text).toBe(expected(text).replaceAll('\\n', '\n'));
          expect(event.tags).toEqual(['k:v']);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('drops and reports an event with an empty title, which the agent refuses', () => {
    const { statsd, errors } = recording();
    statsd.event('', 'text');
    expect(statsd.lines).toEqual([]);
    expect(statsd.stats().dropReasons.invalid).toBe(1);
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.InvalidMetric]);
  });

  it('drops and reports an unknown alert type, priority or date', () => {
    const { statsd, errors } = recording();
    statsd.event('t', 'x', { alertType: 'fatal' as 'error' });
    statsd.event('t', 'x', { priority: 'urgent' as 'low' });
    statsd.event('t', 'x', { date: Date.now() });
    statsd.event('t', 'x', { date: new Date(Number.NaN) });
    expect(statsd.lines).toEqual([]);
    expect(statsd.stats()).toMatchObject({ enqueued: 4, dropped: 4 });
    expect(errors.map((e) => e.code)).toEqual(Array(4).fill(ErrorCode.InvalidMetric));
    expect(errors[2]?.message).toMatch(/milliseconds/);
  });

  it('drops an event too long for a packet as tooLong, and reports it', () => {
    const { statsd, errors } = recording({ maxPacketSize: 100 });
    statsd.event('t', 'x'.repeat(100));
    statsd.event('t', 'x');
    expect(statsd.lines).toEqual(['_e{1,1}:t|x']);
    expect(statsd.stats()).toMatchObject({ enqueued: 2, sent: 1, dropReasons: { tooLong: 1 } });
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.LineTooLong]);
  });

  it('packs events with metrics in one packet and counts each as one', () => {
    const { statsd } = recording();
    statsd.incr('a');
    statsd.event('t', 'x');
    statsd.check('c', CheckStatus.ok);
    expect(statsd.packets).toEqual(['app.counters.a:1|c\n_e{1,1}:t|x\n_sc|c|0']);
    expect(statsd.stats()).toMatchObject({ enqueued: 3, sent: 3, packetsSent: 1 });
  });

  it('is dropped and reported as unsupported when the server is not a DogStatsD agent', () => {
    const { statsd, errors } = recording({ dialect: 'telegraf' });
    statsd.event('t', 'x');
    statsd.check('c', CheckStatus.ok);
    expect(statsd.lines).toEqual([]);
    expect(statsd.stats()).toMatchObject({ enqueued: 2, dropReasons: { unsupported: 2 } });
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.Unsupported, ErrorCode.Unsupported]);
    expect(errors[0]?.message).toMatch(
      /'telegraf' dialect has no events.*set dialect to 'dogstatsd'/,
    );
  });

  it('writes non-ASCII as _ over a stream transport, whose packets are ASCII', () => {
    const { statsd } = recording({ protocol: 'tcp' });
    statsd.event('né', 'ü|x');
    expect(statsd.lines).toEqual(['_e{2,3}:n_|_|x']);
  });
});

describe('Connector.check', () => {
  it('writes the minimal check of TestServiceCheckMinimal', () => {
    const { statsd } = recording();
    statsd.check('agent.up', CheckStatus.ok);
    expect(statsd.lines).toEqual(['_sc|agent.up|0']);
  });

  it('writes every field of TestServiceCheckMetadataMultiple, the message last', () => {
    const { statsd } = recording();
    statsd.check('agent.up', CheckStatus.ok, {
      message: 'this is fine',
      tags: ['tag1:test', 'tag2'],
      hostname: 'localhost',
      timestamp: 21,
    });
    expect(statsd.lines).toEqual([
      '_sc|agent.up|0|d:21|h:localhost|#tag1:test,tag2|m:this is fine',
    ]);
  });

  it('writes the named statuses as 0 to 3', () => {
    const { statsd } = recording();
    for (const status of Object.values(CheckStatus)) statsd.check('s', status);
    expect(statsd.lines).toEqual(['_sc|s|0', '_sc|s|1', '_sc|s|2', '_sc|s|3']);
    expect(CheckStatus).toEqual({ ok: 0, warning: 1, critical: 2, unknown: 3 });
  });

  it('adds the global and child tags before the message, and no prefix', () => {
    const { statsd } = recording({ globalTags: ['env:prod'] });
    statsd.child({ prefix: 'x', tags: { team: 'core' } }).check('db.up', 2, { message: 'down' });
    expect(statsd.lines).toEqual(['_sc|db.up|2|#env:prod,team:core|m:down']);
  });

  it('keeps a | or line break in the message or name from forging fields or lines', () => {
    const { statsd } = recording();
    statsd.check('db|0|#x', CheckStatus.critical, {
      message: 'broken|#env:forged|h:evil\nnext line',
      hostname: 'h\n_e{1,1}:a|b',
    });
    const [packet] = statsd.packets;
    const messages = agentMessages(Buffer.from(packet as string, 'utf8'));
    expect(messages).toHaveLength(1);
    expect(parseAgentCheck(messages[0] as Buffer)).toEqual({
      name: 'db_0_#x',
      status: 2,
      fields: { h: 'h__e{1,1}:a_b', m: 'broken¦#env:forged¦h:evil\\nnext line' },
      tags: [],
    });
  });

  it('drops and reports a status outside 0 to 3 and an empty name', () => {
    const { statsd, errors } = recording();
    statsd.check('s', 4 as CheckStatus);
    statsd.check('s', '0' as unknown as CheckStatus);
    statsd.check('', CheckStatus.ok);
    statsd.check('s', CheckStatus.ok, { timestamp: -5 });
    expect(statsd.lines).toEqual([]);
    expect(statsd.stats().dropReasons.invalid).toBe(4);
    expect(errors.map((e) => e.code)).toEqual(Array(4).fill(ErrorCode.InvalidMetric));
  });
});
