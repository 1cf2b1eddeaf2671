import { settings } from '../../src/config';
import { repairStore } from './repair';

/**
 * `npm run repair`: on MongoDB, removes the favorites, follows and comments left by a crash between the
 * steps of a write, and recounts favoritesCount; on SQL stores, says why there is nothing to do. Idempotent;
 * progress on stderr, the summary on stdout. The store is DATABASE_URL's, as for the service.
 */
async function main(): Promise<void> {
  // As the service reads it: an empty DATABASE_URL is unset.
  const databaseUrl = process.env.DATABASE_URL || settings.DATABASE_URL;
  const counts = await repairStore(databaseUrl, (line) => process.stderr.write(`repair: ${line}\n`));
  process.stdout.write(
    `repaired: ${counts.orphanFavorites} favorites, ${counts.orphanFollows} follows and ${counts.orphanComments} comments removed; ` +
      `${counts.countsFixed} of ${counts.postsChecked} favorites counts corrected\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`repair: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
