import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { StoreTimeoutError, StoreUnavailableError } from '../../src/domain/errors';
import type { Store } from '../../src/domain/repositories';
import { type RecordKind, recordKinds } from '../../src/domain/transfer';
import { StoreOpenError, openStore, reason } from '../../src/stores/open-store';
import { type CopyCounts, StoreLost, TargetRefused, copyDatabase, copyStore } from './copy';
import { type CopyOptions, UsageError, parseOptions, storeAddress, usage } from './options';
import { type KindComparison, compareStores, hasDifference } from './verify';

/** The exit codes the usage lists. */
const exit = { ok: 0, different: 1, usage: 2, unavailable: 3, refused: 4 } as const;

/**
 * `npm run copy`: copies every user (with their password hash), post, follow, favorite and comment from one
 * store into another, resumably, then compares the two record by record; `--verify` only compares. Progress on
 * stderr (a bar per kind on a terminal, a line per tenth otherwise), the summary on stdout.
 */
async function main(args: string[]): Promise<number> {
  let options: CopyOptions;
  try {
    options = parseOptions(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`copy: ${error.message}\n${usage}\n`);
    return exit.usage;
  }
  const stores: Store[] = [];
  try {
    // Neither store's schema is changed but a new target's: a source or a target behind the code is refused.
    const [source, target] = await Promise.all([
      openStore(copyDatabase(options.from, 'check')),
      openStore(copyDatabase(options.to, options.verifyOnly ? 'check' : 'migrate-new')),
    ]);
    stores.push(source, target);
    if (!options.verifyOnly) {
      const started = performance.now();
      const shown = process.stderr.isTTY ? progressBars() : progressLines();
      const { resumed, counts } = await copyStore(source, target, { sourceName: storeAddress(options.from), batch: options.batch, progress: shown.update }).finally(shown.stop);
      const seconds = (performance.now() - started) / 1000;
      const written = recordKinds.reduce((sum, kind) => sum + counts[kind].written, 0);
      process.stdout.write(
        resumed === 'finished before'
          ? 'copy: finished by an earlier run; verifying\n'
          : `copy: ${resumed === 'resumed' ? 'resumed and ' : ''}wrote ${written} records in ${seconds.toFixed(1)} s (${Math.round(written / seconds)} records/s): ` +
              `${recordKinds.map((kind) => `${counts[kind].written} ${kind}`).join(', ')}\n`,
      );
    }
    // Ids are followed only where the target is this source's copy: other stores share no ids, and keep no map.
    const ids = (await target.transfer.progress())?.source === storeAddress(options.from);
    const comparisons = await compareStores(source, target, options.batch, { ids, progress: (kind) => process.stderr.write(`copy: comparing ${kind}\n`) });
    process.stdout.write(report(comparisons));
    return hasDifference(comparisons) ? exit.different : exit.ok;
  } catch (error) {
    if (error instanceof StoreOpenError) {
      process.stderr.write(`copy: ${error.message}\n`);
      return exit.unavailable;
    }
    if (error instanceof StoreLost) {
      const url = error.side === 'source' ? options.from : options.to;
      process.stderr.write(
        `copy: the ${error.side} at ${storeAddress(url)} became unavailable (${reason((error.cause as Error).cause)}); ` +
          'what was written is kept: run the same command again to go on from there\n',
      );
      return exit.unavailable;
    }
    if (error instanceof StoreUnavailableError || error instanceof StoreTimeoutError) {
      process.stderr.write(`copy: a store became unavailable while comparing (${reason(error.cause)}); run the same command again\n`);
      return exit.unavailable;
    }
    if (error instanceof TargetRefused) {
      process.stderr.write(`copy: ${error.message}; nothing was written\n`);
      return exit.refused;
    }
    throw error;
  } finally {
    await Promise.all(stores.map((store) => store.close()));
  }
}

/** Per kind: the counts, then each difference by the record's name (at most 20 of each sort). */
function report(comparisons: KindComparison[]): string {
  const lines: string[] = [];
  const listed = (sorts: [string, string[]][]) => {
    for (const [what, names] of sorts) {
      for (const name of names.slice(0, 20)) lines.push(`  ${name}: ${what}`);
      if (names.length > 20) lines.push(`  … and ${names.length - 20} more ${what}`);
    }
  };
  for (const { kind, source, target, differing, missing, extra, ids } of comparisons) {
    const same = source === target && differing.length + missing.length + extra.length === 0;
    lines.push(`verify ${kind}: ${source} in the source, ${target} in the target${same ? ', identical' : `, ${differing.length} differ, ${missing.length} missing, ${extra.length} extra`}`);
    listed([['differs', differing], ['missing from the target', missing], ['only in the target', extra]]);
    if (ids !== undefined) {
      const { followed, elsewhere, nowhere } = ids;
      lines.push(
        `verify ids of ${kind}: ${followed} followed from the source${elsewhere.length + nowhere.length === 0 ? ', each to the same record' : `, ${elsewhere.length} to another record, ${nowhere.length} to none`}`,
      );
      listed([['id leads to another record', elsewhere], ['id leads to no record', nowhere]]);
    }
  }
  lines.push(hasDifference(comparisons) ? 'verify: DIFFERENT' : 'verify: every record the same in both stores');
  return `${lines.join('\n')}\n`;
}

interface Progress {
  update(counts: CopyCounts): void;
  stop(): void;
}

/** On a terminal: a bar per kind, with its records per second. */
function progressBars(): Progress {
  const bars = new MultiBar({ format: '{kind} [{bar}] {value}/{total} {speed} records/s', stream: process.stderr, hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
  const shown = new Map<RecordKind, { bar: SingleBar; started: number }>();
  return {
    update(counts) {
      for (const kind of recordKinds) {
        const { written, total } = counts[kind];
        if (!shown.has(kind)) shown.set(kind, { bar: bars.create(total, 0, { kind: kind.padEnd(9), speed: 0 }), started: performance.now() });
        const { bar, started } = shown.get(kind)!;
        const seconds = (performance.now() - started) / 1000;
        bar.update(written, { speed: seconds > 0 && written > 0 ? Math.round(written / seconds) : 0 });
      }
    },
    stop: () => bars.stop(),
  };
}

/** Elsewhere (a log, CI): a line per kind at each tenth of its records, and when it is done. */
function progressLines(): Progress {
  const shown = new Map<RecordKind, number>();
  return {
    update(counts) {
      for (const kind of recordKinds) {
        const { written, total } = counts[kind];
        const tenth = total === 0 ? 10 : Math.floor((written * 10) / total);
        if (written === 0 || (shown.get(kind) ?? -1) >= tenth) continue;
        shown.set(kind, tenth);
        process.stderr.write(`copy: ${kind} ${written}/${total}\n`);
      }
    },
    stop: () => {},
  };
}

main(process.argv.slice(2)).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`copy: failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
    process.exit(exit.different);
  },
);
