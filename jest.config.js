const { availableParallelism } = require('node:os');

/** How every project compiles and runs its files; each project runs them in one time zone. */
const project = {
  testEnvironment: '<rootDir>/test/support/time-zone-environment.ts',
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
};

/** Where stored instants could depend on the zone: the contract and HTTP suites run again in these. */
const zonedSuites = ['<rootDir>/test/contract/**/*.test.ts', '<rootDir>/test/http/**/*.test.ts', '<rootDir>/test/conduit/conduit.http.test.ts'];
const otherZones = [
  'America/New_York', // DST, and Local Mean Time offsets with seconds before 1883
  'Asia/Kathmandu', // +05:45, a quarter-hour offset
];

/** @type {import('jest').Config} */
module.exports = {
  // Test files mostly wait on database servers, so two workers pay off even on two cores.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  projects: [
    { ...project, displayName: 'UTC', testMatch: ['<rootDir>/test/**/*.test.ts'], testEnvironmentOptions: { timeZone: 'UTC' } },
    ...otherZones.map((timeZone) => ({ ...project, displayName: timeZone, testMatch: zonedSuites, testEnvironmentOptions: { timeZone } })),
  ],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/support/store-reporter.cjs'],
  testTimeout: 30_000,
};
