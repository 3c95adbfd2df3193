import { ErrorCode, StatsdError, describeValue, invalidOption } from '../src/errors.js';

describe('invalidOption', () => {
  it('names the option, the value and the expectation', () => {
    const error = invalidOption('port', 70000, 'an integer from 1 to 65535');
    expect(error).toBeInstanceOf(StatsdError);
    expect(error.code).toBe(ErrorCode.InvalidOption);
    expect(error.message).toBe(
      'Invalid option `port`: received 70000, expected an integer from 1 to 65535.',
    );
  });
});

describe('describeValue', () => {
  it.each([
    ['a number', 81.5, '81.5'],
    ['a boolean', true, 'true'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['a short string', 'statsd.local', '"statsd.local"'],
    ['a bigint', 12n, '12n'],
    ['a function', () => 1, 'a function'],
    ['a symbol', Symbol('secret'), 'a symbol'],
    ['an array of short scalars', ['SIGKILL', 3], '["SIGKILL", 3]'],
    ['an array of objects', [{ token: 'secret' }, []], '[an object, an array]'],
    ['a long array', [1, 2, 3, 4, 5, 6, 7], '[1, 2, 3, 4, 5, … (7 items)]'],
    ['an empty object', {}, 'an empty object'],
    ['a plain object', { env: 'prod', region: 'eu' }, 'an object with keys env, region'],
    ['an object without prototype', Object.create(null) as object, 'an empty object'],
    ['a class instance', new Date(0), 'an instance of Date'],
    ['a map', new Map([['token', 'secret']]), 'an instance of Map'],
  ])('writes %s as a short scalar or its type', (_name, value, text) => {
    expect(describeValue(value)).toBe(text);
  });

  it('cuts a long string and says how long it was', () => {
    const text = describeValue('x'.repeat(100));
    expect(text).toBe(`"${'x'.repeat(40)}"… (100 characters)`);
  });

  it('names at most five keys of an object, cut, and never its values', () => {
    const value = {
      authorization: 'Bearer secret-token',
      cookie: 'session=secret-cookie',
      ['k'.repeat(50)]: 1,
      a: 1,
      b: 2,
      c: 3,
    };
    const text = describeValue(value);
    expect(text).toBe(
      `an object with keys authorization, cookie, ${'k'.repeat(20)}… (50 characters), a, b, … (6 keys)`,
    );
    expect(text).not.toMatch(/secret/);
  });

  it('shows no header of a request-like object, whatever its toJSON says', () => {
    const ctx = Object.create({
      toJSON: () => ({ header: { authorization: 'secret' } }),
    }) as object;
    Object.assign(ctx, { request: { header: { authorization: 'Bearer secret' } }, app: {} });
    expect(describeValue(ctx)).toBe('an object with keys request, app');
  });

  it('survives an object whose prototype cannot be read', () => {
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('no');
        },
      },
    );
    expect(describeValue(hostile)).toBe('an object');
  });
});
