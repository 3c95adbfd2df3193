export { statsdPlugin } from './plugin.js';
export type { StatsdPlugin, StatsdPluginOptions, StatsdShutdownOptions } from './types.js';
