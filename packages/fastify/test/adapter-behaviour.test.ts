import { describeAdapterBehaviour } from '@statsd-internal/daemon/jest';
import { fastifyDriver } from './fastify-driver.js';
import { FASTIFY_MAJORS } from './support.js';

describe.each(FASTIFY_MAJORS)('statsdPlugin on %s', (major, Fastify) => {
  describeAdapterBehaviour(fastifyDriver(major, Fastify));
});
