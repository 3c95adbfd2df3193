import type { AdapterDriver } from './adapter-driver.js';

const DISABLED = { env: { STATSD_ENABLED: 'false' } } as const;

/**
 * The option checks every adapter makes the same way, through the connector's and the request
 * hooks' validation: each fails setting up (the factory throws, or the app's boot fails) with a
 * coded error naming the option.
 */
export function describeOptions(driver: AdapterDriver): void {
  describe(`options on ${driver.name}`, () => {
    it.each<[string, unknown, RegExp]>([
      ['routeName', '/users/:id', /`routeName`: received "\/users\/:id", expected a function/],
      ['skip', true, /`skip`: received true, expected a function/],
      ['status', 'codes', /`status`: received "codes", expected 'code', 'class' or 'both'/],
      [
        'connector',
        { incr: 1 },
        /`connector`: received an object without timing, start, stop, expected a Connector/,
      ],
    ])(
      'fails with ERR_STATSD_INVALID_OPTION naming %s when it is invalid',
      async (option, value, message) => {
        const error = await driver.setUpError({ ...DISABLED, [option]: value });
        expect(error).toBeInstanceOf(driver.errorClass);
        expect(error).toMatchObject({ code: 'ERR_STATSD_INVALID_OPTION' });
        expect((error as Error).message).toMatch(message);
      },
    );

    it('fails with ERR_STATSD_INVALID_OPTION naming an unknown option', async () => {
      const error = await driver.setUpError({ ...DISABLED, rootName: () => '/typo' });
      expect(error).toMatchObject({ code: 'ERR_STATSD_INVALID_OPTION' });
      expect((error as Error).message).toMatch(/Unknown option `rootName`/);
    });

    it.each([
      ['environment', { service: 'shop' }],
      ['service', { environment: 'production' }],
    ])(
      'fails with ERR_STATSD_INVALID_OPTION naming %s when only the other one is given',
      async (missing, options) => {
        const error = await driver.setUpError({ ...options, env: { STATSD_HOST: '127.0.0.1' } });
        expect(error).toMatchObject({ code: 'ERR_STATSD_INVALID_OPTION' });
        expect((error as Error).message).toContain(
          `Invalid option \`${missing}\`: received undefined`,
        );
      },
    );

    it('fails with ERR_STATSD_MISSING_HOST when enabled without a host', async () => {
      const error = await driver.setUpError({ env: {} });
      expect(error).toMatchObject({ code: 'ERR_STATSD_MISSING_HOST' });
      expect((error as Error).message).toContain('STATSD_HOST');
    });

    it('fails with ERR_STATSD_INVALID_OPTION naming STATSD_PORT when it is not a port', async () => {
      const env = { STATSD_HOST: '127.0.0.1', STATSD_PORT: 'eighty' };
      const error = await driver.setUpError({ env });
      expect(error).toMatchObject({ code: 'ERR_STATSD_INVALID_OPTION' });
      expect((error as Error).message).toContain('STATSD_PORT');
    });
  });
}
