import { seedStore } from '../seed/seed';

/** Authors of the benchmark's posts; the seeded dataset gives a few of them most posts. */
const authorCount = 100;

/**
 * Seeds `count` posts of the seeded dataset (tools/seed/dataset.ts) as
 * `npm run seed` does (a bulk load into a fresh SQL database, stored as the
 * repository port's bulk writes store them), so the data stays right whatever
 * the schema becomes. Its 3,000 publication instants repeat, so pages also
 * have to break ties by id.
 */
export async function seedPosts(url: string, count: number, progress: (done: number) => void): Promise<void> {
  await seedStore(url, { users: authorCount, posts: count }, ({ posts }) => {
    if (posts > 0) progress(posts);
  });
}
