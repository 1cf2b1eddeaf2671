import { randomInt } from 'node:crypto';

/** Longest run of words a slug keeps from its title, in characters, before its suffix. */
export const maxSlugWordsLength = 60;
/** Characters of the random suffix: 36^6, about 2 billion, per run of words. */
const suffixLength = 6;
const suffixAlphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
/** The words of a title with none that ASCII can spell (`"Привет"`, `"🎉"`). */
const fallbackWords = 'post';
/** Latin letters that Unicode decomposition leaves whole, spelled as ASCII writes them. */
const latinSpellings: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/**
 * A post's slug, as the Conduit API names posts in its paths: the title's words in lower-case ASCII joined by
 * `-` (accents dropped, `"Crème brûlée!"` gives `creme-brulee`), cut at a word's end, then `-` and a suffix
 * that keeps equal titles apart. The suffix is drawn once per post and kept, so the slug changes only when the
 * words of the title do.
 */
export function slugOf(title: string, suffix: string): string {
  return `${slugWords(title) || fallbackWords}-${suffix}`;
}

/** A new random suffix: lower-case letters and digits. */
export function newSlugSuffix(): string {
  return Array.from({ length: suffixLength }, () => suffixAlphabet[randomInt(suffixAlphabet.length)]).join('');
}

/** The suffix a slug was made with: what a title change keeps. */
export function slugSuffixOf(slug: string): string {
  return slug.slice(slug.lastIndexOf('-') + 1);
}

/** The title's ASCII words, lower-cased and joined by `-`; empty when it has none. */
function slugWords(title: string): string {
  const words = title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (letter) => latinSpellings[letter])
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let joined = '';
  for (const word of words) {
    const next = joined === '' ? word : `${joined}-${word}`;
    if (next.length > maxSlugWordsLength) return joined === '' ? word.slice(0, maxSlugWordsLength) : joined;
    joined = next;
  }
  return joined;
}
