import type { NewPost } from '../../src/domain/post';
import { tagSet } from '../../src/domain/tags';
import type { NewProfile } from '../../src/domain/user';
import { Draw, generator, itemGenerator } from './random';

/**
 * The seeded dataset: the same users and posts on every store for the same
 * counts. Item n of each kind is drawn from a generator of its own
 * (random.ts), so post i has the same title, content, tags, date and author
 * index whatever else is seeded, and only its author index depends on how
 * many users there are.
 */

/** Every seeded user's password, so that a benchmark can sign in as any of them. */
export const seededPassword = 'seeded-password-1';

/** The email of seeded user `n`, from 0. */
export function seededEmail(n: number): string {
  return `user${n}@seed.example`;
}

/** A seeded post, with the index of its author among the seeded users instead of an id. */
export interface SeededPost extends Omit<NewPost, 'authorId'> {
  authorIndex: number;
}

/** Streams of the item generators, one per kind of item. */
const userStream = 1;
const postStream = 2;

const firstNames = ['Zoë', 'José', 'Ingrid', '美咲', 'Łukasz', 'Søren', 'Aïcha', 'Björn', 'Chloé', 'Ελένη', 'Mateo', 'Priya', 'Yuki', 'Ada', 'Grace', 'Đorđe', 'Siobhán', 'Nuño', 'Oğuz', 'Thảo'];
const lastNames = ['Müller', 'García', 'Nakamura', 'Kowalski', 'Øster', 'Benali', 'Lindqvist', 'Dubois', 'Παπαδοπούλου', 'O’Brien', 'Sharma', '田中', 'Lovelace', 'Hopper', 'Yılmaz', 'Nguyễn', 'Ibáñez', 'Weiß', 'Čapek', 'Haddad'];

/** The profile of seeded user `n`, from 0. */
export function seededProfile(n: number): NewProfile {
  const draw = new Draw(itemGenerator(userStream, n));
  return { email: seededEmail(n), username: `user${n}`, displayName: `${draw.pick(firstNames)} ${draw.pick(lastNames)}` };
}

/** Words of titles and contents: accents, capitals, CJK, Greek, Turkish dotted I, emoji; some fold to others ('ß', 'SS'). */
const words = [
  'database', 'index', 'cursor', 'keyset', 'page', 'query', 'Straße', 'STRASSE', 'café', 'crème', 'brûlée', 'naïve', 'über',
  'smörgåsbord', 'jalapeño', 'façade', 'Ärger', 'İstanbul', 'ΟΔΟΣ', 'λόγος', '東京', '日本語', '猫', 'データ', '検索', 'Ωmega',
  'release', 'notes', 'migration', 'schema', 'replica', 'shard', 'latency', 'throughput', 'benchmark', 'the', 'a', 'of', 'and',
  'with', 'without', 'for', 'every', 'store', 'TypeORM', 'MongoDB', 'PostgreSQL', 'MariaDB', 'SQLite', 'FerretDB', '🚀', '🌅',
  '😀', '🐘', '☕', 'naïveté', 'Zürich', 'Kraków', 'Ñandú', 'señor', 'Œuvre', 'Ægir', 'fjörd', 'Reykjavík', 'Åsa', 'déjà', 'vu',
];

const topics = [
  'databases', 'sql', 'nosql', 'indexing', 'pagination', 'search', 'unicode', 'testing', 'typescript', 'node', 'express', 'mongodb',
  'postgres', 'mariadb', 'sqlite', 'ferretdb', 'caching', 'performance', 'security', 'devops', 'containers', 'cloud', 'api',
  'design', 'café', 'straße', 'ß', 'émile', 'naïve', '日本', '東京', 'ελληνικά', 'i̇stanbul', '😀', 'zürich', 'music', 'travel',
  'food', 'books', 'science',
];
const forms = [(topic: string) => topic, (topic: string) => `${topic}-tips`, (topic: string) => `${topic}-news`, (topic: string) => `learn-${topic}`, (topic: string) => `${topic}-2024`];

/** About 200 tag names, in a fixed order: the first are drawn most often. */
export const tagVocabulary: readonly string[] = forms.flatMap((form) => topics.map(form));

/** 3,000 instants over ten years: posts share them, so sorts by date meet many ties. */
const instants: readonly Date[] = (() => {
  const draw = new Draw(generator(0x5eed));
  const start = Date.UTC(2015, 0, 1);
  const span = Date.UTC(2025, 0, 1) - start;
  return Array.from({ length: 3_000 }, () => new Date(start + Math.floor(draw.next() * span)));
})();

/** Sentences that contents are made of: drawn once, so a post's content costs a few draws, not a hundred. */
const sentences: readonly string[] = (() => {
  const draw = new Draw(generator(0x5e27e9ce));
  return Array.from({ length: 2_000 }, () => `${sentence(draw, draw.int(5, 14))}.`);
})();

/** Post `i`, from 0, by one of `users` authors; a few authors write many of them. Contents average about 410 characters. */
export function seededPost(i: number, users: number): SeededPost {
  const draw = new Draw(itemGenerator(postStream, i));
  const title = sentence(draw, draw.int(3, 9));
  const paragraphs = Array.from({ length: draw.int(1, 3) }, () => Array.from({ length: draw.int(2, 5) }, () => draw.pick(sentences)).join(' '));
  return {
    title,
    content: paragraphs.join('\n\n'),
    publicationDate: draw.pick(instants),
    tags: tagSet(Array.from({ length: draw.int(0, 5) }, () => tagVocabulary[draw.skewed(tagVocabulary.length)])),
    authorIndex: draw.skewed(users),
    // Drawn last, so that the fields drawn before it are those of datasets seeded before posts had descriptions.
    description: draw.next() < 0.8 ? draw.pick(sentences) : '',
  };
}

/** `count` words, the first capitalized, some others in upper case. */
function sentence(draw: Draw, count: number): string {
  const chosen = Array.from({ length: count }, () => {
    const word = draw.pick(words);
    return draw.next() < 0.05 ? word.toUpperCase() : word;
  });
  chosen[0] = chosen[0].charAt(0).toUpperCase() + chosen[0].slice(1);
  return chosen.join(' ');
}
