import { TestEnvironment } from 'jest-environment-node';

type Parameters = ConstructorParameters<typeof TestEnvironment>;

/**
 * Jest's node environment in the time zone its project names (`testEnvironmentOptions.timeZone`).
 * The zone is set on the worker's real process.env, which Node applies at once, before the
 * environment copies it for the test file: a test file's own process.env is only that copy.
 * A worker runs files of every project, so each project sets its zone, UTC included.
 */
export default class TimeZoneEnvironment extends TestEnvironment {
  constructor(config: Parameters[0], context: Parameters[1]) {
    const { timeZone } = config.projectConfig.testEnvironmentOptions;
    if (typeof timeZone !== 'string') throw new Error('testEnvironmentOptions.timeZone must name a time zone');
    process.env.TZ = timeZone;
    super(config, context);
  }
}
