/** Tests import workspace packages from source through the `@statsd/source` export condition. */
export default {
  testEnvironment: 'node',
  testEnvironmentOptions: {
    customExportConditions: ['@statsd/source', 'node', 'require', 'default'],
  },
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/tools', '<rootDir>/bench'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 30000,
  maxWorkers: 2,
};
