export { FakeStatsdServer } from './fake-server.js';
export type { FakeStatsdServerOptions, ReceivedPacket } from './fake-server.js';
export { MemoryConnector } from './memory-connector.js';
export type { MemoryConnectorOptions } from './memory-connector.js';
export { parseLine, parseMetrics } from './parse-line.js';
export type { ParsedMetric } from './parse-line.js';
