/** Longest run of words a slug keeps from its title, in characters, before its suffix. */
export const maxSlugWordsLength = 60;
/** The words of a title with none that ASCII can spell (`"Привет"`, `"🎉"`). */
const fallbackWords = 'post';
/** Latin letters that Unicode decomposition leaves whole, spelled as ASCII writes them. */
const latinSpellings: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/**
 * A post's slug, as the Conduit API names posts in its paths: the title's words in lower-case ASCII joined by
 * `-` (accents dropped, `"Crème brûlée!"` gives `creme-brulee`), cut at a word's end, then `-` and a suffix
 * that is the post's own (slugSuffix), so equal titles never collide. The suffix never changes, so the slug
 * changes only when the words of the title do.
 */
export function slugOf(title: string, suffix: string): string {
  return `${slugWords(title) || fallbackWords}-${suffix}`;
}

/** A post's suffix, from a number the store gave it once (an id, a sequence number): lower-case base 36. */
export function slugSuffix(number: number): string {
  return number.toString(36);
}

/** The number a suffix was made from, or null when no number gives it (leading zeros, other characters, too large). */
export function slugNumber(suffix: string): number | null {
  if (!/^[0-9a-z]{1,11}$/.test(suffix)) return null;
  const number = parseInt(suffix, 36);
  return Number.isSafeInteger(number) && slugSuffix(number) === suffix ? number : null;
}

/** The suffix of a slug: what follows its last `-`. */
export function suffixOfSlug(slug: string): string {
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
