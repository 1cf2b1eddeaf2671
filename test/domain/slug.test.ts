import { maxSlugWordsLength, newSlugSuffix, slugOf, slugSuffixOf } from '../../src/domain/slug';

describe('slugs', () => {
  it.each([
    ['How to train your dragon', 'how-to-train-your-dragon'],
    ['  Hello,   World!  ', 'hello-world'],
    ['Crème brûlée à la carte', 'creme-brulee-a-la-carte'],
    ['ÅNGSTRÖM ＦＵＬＬＷＩＤＴＨ ﬁne', 'angstrom-fullwidth-fine'],
    ['C++ & Node.js 20', 'c-node-js-20'],
    ['Straße über Łódź, Æsir, Øre', 'strasse-uber-lodz-aesir-ore'],
    ['Привет, мир', 'post'],
    ['🎉🎉', 'post'],
    ['', 'post'],
    ['Ünïcödé and Русский', 'unicode-and'],
  ])('when the title is %j, then the slug is its ASCII words, lower-cased and joined by "-", and the suffix', (title, words) => {
    expect(slugOf(title, 'abc123')).toBe(`${words}-abc123`);
  });

  it('when the title is long, then the words are cut at a word end, never mid-word, and a single over-long word is cut at the limit', () => {
    const title = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const slug = slugOf(title, 'x');
    const words = slug.slice(0, -'-x'.length);
    expect(words.length).toBeLessThanOrEqual(maxSlugWordsLength);
    expect(`${title.replaceAll(' ', '-')}-`.startsWith(`${words}-`)).toBe(true);
    expect(slugOf('a'.repeat(200), 'x')).toBe(`${'a'.repeat(maxSlugWordsLength)}-x`);
  });

  it('when a title changes, then a slug made with the kept suffix changes only by its words', () => {
    const slug = slugOf('First title', 'q1w2e3');
    expect(slugOf('A second title', slugSuffixOf(slug))).toBe('a-second-title-q1w2e3');
    expect(slugSuffixOf(slugOf('Привет', 'q1w2e3'))).toBe('q1w2e3');
  });

  it('when suffixes are drawn, then each is six lower-case letters or digits, and 10,000 of them hardly ever repeat', () => {
    const suffixes = Array.from({ length: 10_000 }, newSlugSuffix);
    expect(suffixes.filter((suffix) => !/^[0-9a-z]{6}$/.test(suffix))).toEqual([]);
    // 10,000 draws from 36^6: the chance of any repeat is about 2%, of three or more negligible.
    expect(new Set(suffixes).size).toBeGreaterThanOrEqual(suffixes.length - 2);
  });
});
