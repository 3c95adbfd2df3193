import fc from 'fast-check';
import { hostileString } from './arbitraries.js';
import { sanitize, utf8Extra } from '../src/sanitize.js';
import { MemoryConnector } from '../src/testing/memory-connector.js';
import { parseLine } from '../src/testing/parse-line.js';

const WIRE = [':', '|', '@', '#', ',', ';', '='];
const BREAKS = ['\n', '\r', '\t', '\v', '\f', ' ', '\u0000', '\u001f', '\u007f', '\u0085'];
const UNICODE_SPACES = ['\u00a0', '\u2028', '\u2029', '\u3000', '\ufeff'];

describe('sanitize', () => {
  it.each(WIRE)('replaces the wire character %p with _', (char) => {
    expect(sanitize(`a${char}b`, false)).toBe('a_b');
  });

  it.each([...BREAKS, ...UNICODE_SPACES].map((c) => [JSON.stringify(c), c]))(
    'replaces the whitespace or control character %s with _',
    (_label, char) => {
      expect(sanitize(`a${char}b`, false)).toBe('a_b');
    },
  );

  it('replaces lone surrogates, which cannot be encoded as UTF-8, with _', () => {
    expect(sanitize('a\ud800b', false)).toBe('a_b');
    expect(sanitize('a\udc00b', false)).toBe('a_b');
    expect(sanitize('a\udc00\ud800', false)).toBe('a__');
  });

  it('keeps non-ASCII characters, surrogate pairs included, when not in ASCII mode (UDP)', () => {
    expect(sanitize('größe.😀.名前', false)).toBe('größe.😀.名前');
  });

  it('replaces each non-ASCII character by one _ in ASCII mode (TCP and unix sockets)', () => {
    expect(sanitize('größe.😀.名前', true)).toBe('gr__e._.__');
  });

  it('leaves plain names, dots, dashes, slashes and underscores alone', () => {
    const name = 'api/v1.users-list_by.ID9';
    expect(sanitize(name, true)).toBe(name);
  });

  it('maps names that differ only in unsafe characters to the same name, deterministically', () => {
    expect(sanitize('a:b', false)).toBe(sanitize('a|b', false));
    expect(sanitize('a b\nc', true)).toBe('a_b_c');
    expect(sanitize('a b\nc', true)).toBe(sanitize('a b\nc', true));
  });

  it('leaves no wire character, whitespace or control character in any string', () => {
    fc.assert(
      fc.property(hostileString(60), fc.boolean(), (text, ascii) => {
        const safe = sanitize(text, ascii);
        // eslint-disable-next-line no-control-regex -- control characters are what it looks for
        expect(safe).not.toMatch(/[:|@#,;=\s\u0000-\u001f\u007f-\u009f]/);
        expect(safe).toBe(sanitize(text, ascii));
        // eslint-disable-next-line no-control-regex -- the whole ASCII range, controls included
        if (ascii) expect(safe).toMatch(/^[\u0000-\u007f]*$/);
        // Lone surrogates would be sent as U+FFFD: a different name than the one computed.
        expect(Buffer.from(safe, 'utf8').toString('utf8')).toBe(safe);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('utf8Extra', () => {
  it('counts the bytes UTF-8 needs beyond the string length', () => {
    expect(utf8Extra('plain.name')).toBe(0);
    expect(utf8Extra('ä')).toBe(1);
    expect(utf8Extra('名')).toBe(2);
    expect(utf8Extra('😀')).toBe(2);
  });
});

describe('names on the wire', () => {
  it('cannot forge a second metric or a tag through a hostile name', () => {
    const statsd = new MemoryConnector({ protocol: 'udp', tagFormat: 'dogstatsd' });
    statsd.incr('x:1|c\nevil:1000|c|#admin:true', 1, { tags: { 'k|#': 'v\r\n:,' } });
    const [line, ...rest] = statsd.lines;
    expect(rest).toEqual([]);
    // A DogStatsD tag value keeps its colons (the agent splits a tag at its first colon only).
    expect(line).toBe('counters.x_1_c_evil_1000_c__admin_true:1|c|#k__:v__:_');
    expect(parseLine(line ?? '')).toMatchObject({ value: '1', type: 'c', tags: ['k__:v__:_'] });
  });

  it('sends non-ASCII names as UTF-8 over UDP', () => {
    const statsd = new MemoryConnector({ protocol: 'udp' });
    statsd.incr('größe');
    expect(statsd.lines).toEqual(['counters.größe:1|c']);
  });

  it.each(['tcp', 'unix'] as const)(
    'replaces non-ASCII in names, prefixes, tags and set members over %s',
    (protocol) => {
      const statsd = new MemoryConnector({
        protocol,
        prefix: 'café',
        tagFormat: 'dogstatsd',
        globalTags: { région: 'zürich' },
      });
      statsd.set('größe', 'ü', { tags: ['名:値'] });
      expect(statsd.lines).toEqual(['caf_.sets.gr__e:_|s|#r_gion:z_rich,_:_']);
    },
  );
});
