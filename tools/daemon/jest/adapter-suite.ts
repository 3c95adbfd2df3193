import type { AdapterDriver } from './adapter-driver.js';
import { describeConfiguration } from './adapter-configuration.js';
import { describeOptions } from './adapter-options.js';
import { describeRequestTimers } from './adapter-request-timers.js';

/**
 * The behaviour every framework adapter shares, run once per framework (version) through a
 * driver its own test directory writes with the adapter's public API: request timers, and the
 * options every adapter reads and checks the same way. What only one framework does stays in its package.
 */
export function describeAdapterBehaviour(driver: AdapterDriver): void {
  describeRequestTimers(driver);
  describeConfiguration(driver);
  describeOptions(driver);
}
