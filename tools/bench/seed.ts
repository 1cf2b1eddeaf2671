import { databaseConfig } from '../../src/config';
import type { NewPost } from '../../src/domain/post';
import type { Store } from '../../src/domain/repositories';
import { openStore } from '../../src/stores/open-store';

const authorCount = 100;
/** Writes in flight at once: enough to keep a server busy, few enough for any connection pool. */
const inFlight = 32;
const content = 'A post written for the pagination benchmark, long enough to look like a short article. '.repeat(6);

/**
 * Seeds `count` posts through the repository port, as the service would write
 * them, so the data stays right whatever the schema becomes. Dates repeat a lot
 * (300 values over 25 years), so pages also have to break ties by id.
 */
export async function seedPosts(url: string, count: number, progress: (done: number) => void): Promise<void> {
  const store = await openStore(databaseConfig(url));
  try {
    const authors = await createAuthors(store);
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < count) {
        const n = next;
        next += 1;
        await store.posts.create(benchPost(n, authors[n % authors.length]));
        done += 1;
        if (done % Math.ceil(count / 10) === 0) progress(done);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
  } finally {
    await store.close();
  }
}

async function createAuthors(store: Store): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < authorCount; n += 1) {
    const user = await store.users.create({
      email: `author${n}@bench.example`,
      username: `author${n}`,
      displayName: `Author ${n}`,
      passwordHash: 'never checked: nobody signs in during the benchmark',
    });
    ids.push(user.id);
  }
  return ids;
}

function benchPost(n: number, authorId: string): NewPost {
  return {
    authorId,
    title: `Post ${n}`,
    content,
    publicationDate: new Date(Date.UTC(2000 + (n % 25), n % 12, 1, 12)),
    // Every page also reads its posts' tags: two or three each, from 50 names.
    tags: [`topic-${n % 50}`, `topic-${(n * 7) % 50}`, ...(n % 3 === 0 ? ['featured'] : [])].filter((tag, i, all) => all.indexOf(tag) === i),
  };
}
