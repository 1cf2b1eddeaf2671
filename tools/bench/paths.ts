import { join, resolve } from 'node:path';

/** The bench runs compiled, from <build>/tools/bench/: the build is dist/, or a folder of a test's own. */
const build = resolve(__dirname, '../..');
const root = resolve(__dirname, '../../..');

/** The service as the same build made it. */
export const serviceMain = join(build, 'src/main.js');
export const resultsFolder = join(root, 'bench/results');
/** The Express and raw-driver server that `npm run bench` measures the service against. */
export const baselineMain = join(build, 'tools/bench/baseline/main.js');
/** The load generator that `npm run bench` runs in a process of its own. */
export const loadRunnerMain = join(build, 'tools/bench/compare/load-runner.js');
