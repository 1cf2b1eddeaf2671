import { maxSlugWordsLength, slugNumber, slugOf, slugSuffix, suffixOfSlug } from '../../src/domain/slug';

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
    expect(slugOf(title, 'k2')).toBe(`${words}-k2`);
  });

  it('when the title is long, then the words are cut at a word end, never mid-word, and a single over-long word is cut at the limit', () => {
    const title = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const words = slugOf(title, 'x').slice(0, -'-x'.length);
    expect(words.length).toBeLessThanOrEqual(maxSlugWordsLength);
    expect(words.length).toBeGreaterThan(maxSlugWordsLength - 'word10'.length - 1);
    expect(`${title.replaceAll(' ', '-')}-`.startsWith(`${words}-`)).toBe(true);
    expect(slugOf('a'.repeat(200), 'x')).toBe(`${'a'.repeat(maxSlugWordsLength)}-x`);
  });

  it('when a suffix is made from a number, then it is lower-case base 36, read back to the same number, and a slug gives it back', () => {
    for (const number of [0, 1, 35, 36, 1_000_000, 2 ** 53 - 1]) {
      const suffix = slugSuffix(number);
      expect(suffix).toMatch(/^[0-9a-z]+$/);
      expect(slugNumber(suffix)).toBe(number);
      expect(suffixOfSlug(slugOf('A title', suffix))).toBe(suffix);
      expect(suffixOfSlug(slugOf('Привет', suffix))).toBe(suffix);
    }
    expect(slugSuffix(1_000_000)).toBe('lfls');
  });

  it.each(['', '01', 'A1', 'k-2', 'zzzzzzzzzzz', 'zzzzzzzzzzzz', ' 1', 'é'])('when a suffix is %j, then no number gives it', (suffix) => {
    expect(slugNumber(suffix)).toBeNull();
  });
});
