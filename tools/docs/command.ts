import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { firstDifference, root } from './modeling';

/** One generated document, as its npm script writes or checks it. */
export interface GeneratedDoc {
  /** The npm script, as the messages name it: `docs:modeling`. */
  script: string;
  path: string;
  staleMessage: string;
  generate(progress: (line: string) => void): Promise<string>;
  /** The form the check compares: the document itself unless it says otherwise. */
  comparable?(document: string): string;
}

/**
 * `npm run <script>` writes the document; with `--check` it writes nothing, and exits 1 when the committed file
 * differs from what the stores give now. Progress on stderr.
 */
export function runDocsCommand(doc: GeneratedDoc, args: string[]): void {
  const usage = `usage: npm run ${doc.script} [-- --check]`;
  const say = (line: string) => process.stderr.write(`${doc.script}: ${line}\n`);
  const main = async (): Promise<number> => {
    const unknown = args.filter((arg) => arg !== '--check');
    if (unknown.length > 0) {
      process.stderr.write(`${doc.script}: unknown argument ${unknown[0]}\n${usage}\n`);
      return 2;
    }
    const generated = await doc.generate(say);
    const where = relative(root, doc.path);
    if (args.includes('--check')) {
      const comparable = doc.comparable ?? ((document: string) => document);
      const committed = comparable(readFileSync(doc.path, 'utf8'));
      if (committed !== comparable(generated)) {
        process.stderr.write(`${doc.staleMessage}\n${firstDifference(committed, comparable(generated))}\n`);
        return 1;
      }
      process.stdout.write(`${where} is up to date\n`);
      return 0;
    }
    writeFileSync(doc.path, generated);
    process.stdout.write(`wrote ${where}\n`);
    return 0;
  };
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      say(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
