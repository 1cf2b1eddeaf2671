/**
 * The case folding every store searches with, done here and not by a store,
 * whose rules differ (SQLite folds only ASCII, MariaDB's collations fold `ß`
 * to `s` or not at all, PostgreSQL's `lower` follows its locale). It is
 * Unicode's full case folding as JavaScript can spell it without a locale:
 * lower case, upper case, lower case again, and the final sigma as any
 * sigma. So `ß`, `ẞ` and `SS` all fold to `ss`, `ς`, `σ` and `Σ` to `σ`,
 * `ſ` to `s`, and `İ` to `i̇` (i and U+0307, which `i` alone does not match).
 * One difference from Unicode's table: the dotless `ı` folds to `i`. No Unicode normalization is
 * applied: a precomposed `é` and `e` with U+0301 stay different.
 */
export function foldCase(text: string): string {
  return text.toLowerCase().toUpperCase().toLowerCase().replaceAll('ς', 'σ');
}
