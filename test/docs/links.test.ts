import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * README.md is the front door and docs/*.md hold the rest, linked to each other by path and by heading.
 * Every relative link must reach a file that exists and, when it names an anchor, a heading of that file
 * under GitHub's rules for heading ids. Links to other sites are not followed.
 */
const root = resolve(__dirname, '../..');
const documents = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** The lines outside fenced code blocks (``` or ~~~). */
function proseLines(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').filter((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return false;
    }
    return fence === undefined;
  });
}

/** GitHub's id of a heading: its text without inline code marks or link targets, lower-cased, punctuation but `-` and `_` dropped, spaces as `-`. */
export function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The ids of a file's headings; a repeated heading gets `-1`, `-2`, … */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const ids = new Set<string>();
  for (const line of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    ids.add(count === 0 ? base : `${base}-${count}`);
  }
  return ids;
}

/** The targets of a file's Markdown links and images, outside code blocks and code spans. */
export function linkTargets(text: string): string[] {
  return proseLines(text).flatMap((line) => {
    const prose = line.replace(/(`+)[^`]*?\1/g, 'code');
    return [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]);
  });
}

/** Why a link from `file` does not resolve, or undefined when it does. */
function brokenBecause(file: string, target: string): string | undefined {
  if (/^(https?:|mailto:)/i.test(target)) return undefined;
  const [path, anchor] = target.split('#', 2) as [string, string | undefined];
  const targetFile = path === '' ? join(root, file) : resolve(dirname(join(root, file)), decodeURIComponent(path));
  if (!existsSync(targetFile)) return `${relative(root, targetFile)} does not exist`;
  if (anchor === undefined) return undefined;
  if (statSync(targetFile).isDirectory() || !targetFile.endsWith('.md')) return `an anchor into ${relative(root, targetFile)}, which is not a Markdown file`;
  if (!anchors(readFileSync(targetFile, 'utf8')).has(decodeURIComponent(anchor))) return `${relative(root, targetFile)} has no heading whose id is '${anchor}'`;
  return undefined;
}

describe('the documentation', () => {
  it.each(documents)('when %s is read, then every relative link reaches a file that exists, and every anchor a heading of it', (file) => {
    const broken = linkTargets(readFileSync(join(root, file), 'utf8')).flatMap((target) => {
      const why = brokenBecause(file, target);
      return why === undefined ? [] : [`${file}: (${target}): ${why}`];
    });
    expect(broken).toEqual([]);
  });

  it('when README.md is read, then it is under 300 lines: the details live in docs/', () => {
    const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n').length;
    expect(lines).toBeLessThan(300);
  });

  it("when headings are turned into ids, then they follow GitHub's rules", () => {
    expect(slug('The feed by followees: `npm run bench:feed`')).toBe('the-feed-by-followees-npm-run-benchfeed');
    expect(slug("FerretDB's gaps")).toBe('ferretdbs-gaps');
    expect(slug('Counted or kept, on SQL')).toBe('counted-or-kept-on-sql');
    expect(slug('The Conduit API at `/api`')).toBe('the-conduit-api-at-api');
    expect([...anchors('# A\n## Notes\n```\n## Notes\n```\n## Notes\n### Notes')]).toEqual(['a', 'notes', 'notes-1', 'notes-2']);
    expect(linkTargets('[a](b.md#c) `[d](e.md)` ![f](g.png)\n```\n[h](i.md)\n```')).toEqual(['b.md#c', 'g.png']);
  });
});
