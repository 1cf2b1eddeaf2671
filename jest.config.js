const { availableParallelism } = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  // Test files mostly wait on database servers, so two workers pay off even on two cores.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
      },
    ],
  },
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/support/store-reporter.cjs'],
  testTimeout: 30_000,
};
