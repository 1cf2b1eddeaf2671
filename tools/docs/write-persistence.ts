import { runDocsCommand } from './command';
import { comparable, generatePersistenceDoc, persistencePath, persistenceStaleMessage } from './persistence';

/**
 * `npm run docs:persistence` writes docs/persistence.md from the demo's scenario on the four stores, each on a
 * throw-away database (as docs:modeling finds them); `-- --check` compares only, each call's operations as a set.
 */
runDocsCommand(
  { script: 'docs:persistence', path: persistencePath, staleMessage: persistenceStaleMessage, generate: generatePersistenceDoc, comparable },
  process.argv.slice(2),
);
