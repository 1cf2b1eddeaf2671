import { join, resolve } from 'node:path';

/** The bench runs compiled, from dist/tools/bench/. */
const root = resolve(__dirname, '../../..');

/** The service as `npm run build` makes it. */
export const serviceMain = join(root, 'dist/src/main.js');
export const resultsFolder = join(root, 'bench/results');
