import { runDocsCommand } from './command';
import { documentPath, generateModelingDoc, staleMessage } from './modeling';

/**
 * `npm run docs:modeling` writes docs/modeling.md from the four stores (MongoDB: MONGODB_URL, else a FerretDB of
 * its own; PostgreSQL and MariaDB: POSTGRES_URL and MYSQL_URL, else the local servers); `-- --check` compares only.
 */
runDocsCommand({ script: 'docs:modeling', path: documentPath, staleMessage, generate: generateModelingDoc }, process.argv.slice(2));
