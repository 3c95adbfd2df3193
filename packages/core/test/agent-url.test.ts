import { parseAgentUrl } from '../src/agent-url.js';
import { resolveEnvironment } from '../src/create-connector.js';
import { ErrorCode, StatsdError } from '../src/errors.js';

describe('parseAgentUrl', () => {
  it.each([
    ['udp://127.0.0.1:8125', { protocol: 'udp', host: '127.0.0.1', port: 8125 }],
    ['udp://datadog-agent:9125', { protocol: 'udp', host: 'datadog-agent', port: 9125 }],
    ['udp://agent', { protocol: 'udp', host: 'agent', port: 8125 }],
    ['UDP://[::1]:8125/', { protocol: 'udp', host: '::1', port: 8125 }],
    [
      ' unix:///var/run/datadog/dsd.socket ',
      { protocol: 'unixgram', path: '/var/run/datadog/dsd.socket' },
    ],
    ['unixgram:///tmp/dsd.socket', { protocol: 'unixgram', path: '/tmp/dsd.socket' }],
  ])('reads %s', (value, expected) => {
    expect(parseAgentUrl(value)).toEqual(expected);
  });

  it('reads nothing from an unset or blank variable', () => {
    expect(parseAgentUrl(undefined)).toBeUndefined();
    expect(parseAgentUrl('  ')).toBeUndefined();
  });

  it.each([
    'localhost:8125',
    'udp://host:0',
    'udp://host:70000',
    'udp://host:port',
    'udp://',
    'unix://relative/dsd.socket',
    'unix://',
    'unixstream:///var/run/datadog/dsd.socket',
    'tcp://host:8125',
  ])('refuses %s, naming the variable, the value and the forms it takes', (value) => {
    let thrown: unknown;
    try {
      parseAgentUrl(value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StatsdError);
    const error = thrown as StatsdError;
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toContain('DD_DOGSTATSD_URL');
    expect(error.message).toContain(JSON.stringify(value));
    expect(error.message).toMatch(
      /udp:\/\/<host>:<port>.*unix:\/\/\/var\/run\/datadog\/dsd\.socket/,
    );
  });
});

describe('resolveEnvironment with DD_DOGSTATSD_URL', () => {
  it('sends to the agent over UDP when nothing else names a target', () => {
    expect(resolveEnvironment({}, { DD_DOGSTATSD_URL: 'udp://agent:8126' })).toEqual({
      dialect: 'dogstatsd',
      protocol: 'udp',
      host: 'agent',
      port: 8126,
    });
  });

  it("sends to the agent's unix datagram socket", () => {
    expect(
      resolveEnvironment({}, { DD_DOGSTATSD_URL: 'unix:///var/run/datadog/dsd.socket' }),
    ).toEqual({ dialect: 'dogstatsd', protocol: 'unixgram', path: '/var/run/datadog/dsd.socket' });
  });

  it('lets an explicit port or STATSD_PORT replace the port of the URL', () => {
    const env = { DD_DOGSTATSD_URL: 'udp://agent:8126', STATSD_PORT: '9000' };
    expect(resolveEnvironment({}, env)).toMatchObject({ host: 'agent', port: 9000 });
    expect(resolveEnvironment({ port: 9001 }, env)).toMatchObject({ host: 'agent', port: 9001 });
  });

  it.each([
    ['the host option', { host: 'explicit' }, {}, { host: 'explicit' }],
    ['the path option', { protocol: 'unix', path: '/s' }, {}, { protocol: 'unix', path: '/s' }],
    ['the protocol option', { protocol: 'tcp', host: 'h' }, {}, { protocol: 'tcp', host: 'h' }],
    ['STATSD_HOST', {}, { STATSD_HOST: 'statsd' }, { host: 'statsd' }],
    ['STATSD_PROTOCOL', {}, { STATSD_PROTOCOL: 'tcp' }, { protocol: 'tcp' }],
  ] as const)('is ignored when %s names the target', (_, options, env, expected) => {
    const resolved = resolveEnvironment(options, {
      ...env,
      DD_DOGSTATSD_URL: 'unix:///var/run/datadog/dsd.socket',
    });
    // STATSD_HOST names a target, so the agent's URL does not choose the dialect either.
    const dialect = 'STATSD_HOST' in env ? {} : { dialect: 'dogstatsd' };
    expect(resolved).toEqual({ ...dialect, ...expected });
  });

  it('comes before DD_AGENT_HOST and DD_DOGSTATSD_PORT', () => {
    const env = {
      DD_DOGSTATSD_URL: 'udp://agent:8126',
      DD_AGENT_HOST: 'other',
      DD_DOGSTATSD_PORT: '9999',
    };
    expect(resolveEnvironment({}, env)).toMatchObject({ host: 'agent', port: 8126 });
  });

  it('is ignored when the dialect chosen is not dogstatsd', () => {
    const env = { DD_DOGSTATSD_URL: 'unix:///var/run/datadog/dsd.socket' };
    expect(resolveEnvironment({ dialect: 'statsd' }, env)).toEqual({ dialect: 'statsd' });
    expect(resolveEnvironment({}, { ...env, STATSD_DIALECT: 'telegraf' })).toEqual({
      dialect: 'telegraf',
    });
  });

  it('throws for a bad URL it would use', () => {
    expect(() => resolveEnvironment({}, { DD_DOGSTATSD_URL: 'agent:8125' })).toThrow(
      /DD_DOGSTATSD_URL: received "agent:8125"/,
    );
  });
});
