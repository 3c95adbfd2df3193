import { describeAdapterBehaviour } from '@statsd-internal/daemon/jest';
import { KOA_MAJORS } from './support.js';
import { koaDriver } from './koa-driver.js';

describe.each(KOA_MAJORS)('statsdMiddleware on %s', (major, Koa) => {
  describeAdapterBehaviour(koaDriver(major, Koa));
});
