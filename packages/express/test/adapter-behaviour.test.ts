import { describeAdapterBehaviour } from '@statsd-internal/daemon/jest';
import { expressDriver } from './helpers/express-driver.js';
import { EXPRESS_VERSIONS } from './helpers/harness.js';

describe.each(EXPRESS_VERSIONS)('statsdMiddleware on %s', (version, express) => {
  describeAdapterBehaviour(expressDriver(version, express));
});
