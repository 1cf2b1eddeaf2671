import type { Collection as MongoCollection, Document, ObjectId } from 'mongodb';
import type { Collections, CounterDocument } from './collections';
import { isDuplicateKey } from './mongo-errors';

/** Numbers taken from the store at once: one command per this many on the happy path. */
const defaultBlockSize = 100;

/**
 * Small, unique, increasing numbers for documents whose `_id` is an ObjectId (a post's slug suffix, a
 * comment's integer id), by the hi/lo pattern: a block of numbers is reserved by one `$inc` on the
 * counter document, then handed out from memory, so a create costs no extra command but once a block.
 * Numbers left in a block when the process ends are never used: the sequence has gaps, never repeats.
 * On real MongoDB the `$inc` is atomic, so two processes never get one block. FerretDB 1.24 does not
 * isolate concurrent updates of one document across processes (its issue #3040), so two instances could
 * reserve the same block: the unique index on the field the numbers go to refuses the second insert
 * (11000), and the caller asks for a fresh block with `skipBlock` and inserts again.
 */
export class Sequence {
  private next = 0;
  /** One past the last number of the block in hand. */
  private end = 0;
  private reserving: Promise<void> | undefined;

  constructor(
    private readonly counters: MongoCollection<CounterDocument>,
    private readonly name: string,
    private readonly blockSize = defaultBlockSize,
  ) {}

  /** The next number. */
  async take(): Promise<number> {
    while (this.next >= this.end) await this.reserve(this.blockSize);
    return this.next++;
  }

  /** `count` numbers in a row, for a batch: a block of their own when the one in hand is short. */
  async takeMany(count: number): Promise<number[]> {
    if (this.end - this.next < count) {
      this.next = this.end;
      while (this.end - this.next < count) await this.reserve(Math.max(count, this.blockSize));
    }
    const first = this.next;
    this.next += count;
    return Array.from({ length: count }, (_, i) => first + i);
  }

  /** Drops what is left of the block in hand: another process may hold the same one. */
  skipBlock(): void {
    this.next = this.end;
  }

  /** One reservation at a time: callers that find the block empty together wait for the same one. */
  private async reserve(size: number): Promise<void> {
    this.reserving ??= this.reserveBlock(size).finally(() => {
      this.reserving = undefined;
    });
    await this.reserving;
  }

  private async reserveBlock(size: number): Promise<void> {
    const reserved = async () =>
      this.counters.findOneAndUpdate({ _id: this.name }, { $inc: { value: size } }, { upsert: true, returnDocument: 'after' });
    let counter;
    try {
      counter = await reserved();
    } catch (error) {
      // Two first reservations both inserting the counter: the one that lost finds it there now.
      if (!isDuplicateKey(error)) throw error;
      counter = await reserved();
    }
    const last = counter!.value;
    this.next = last - size + 1;
    this.end = last + 1;
  }
}

/** The sequence posts' slug numbers come from. */
export function postSlugNumbers({ counters }: Pick<Collections, 'counters'>): Sequence {
  return new Sequence(counters, 'posts');
}

/** The sequence comments' numbers come from. */
export function commentNumbers({ counters }: Pick<Collections, 'counters'>): Sequence {
  return new Sequence(counters, 'comments');
}

/** How many times an insert draws new numbers after the unique index refused one. */
const numberAttempts = 3;

/**
 * Runs `insert` after giving `count` documents new numbers (`assign`). When the unique index refuses a
 * number another process was given too (FerretDB, see Sequence), `takeBack` removes what the insert wrote,
 * and new numbers are drawn. The documents' `_id`s are new ObjectIds, so a duplicate key can only be a number.
 */
export async function insertNumbered(
  sequence: Sequence,
  count: number,
  assign: (numbers: number[]) => void,
  insert: () => Promise<unknown>,
  takeBack: () => Promise<unknown>,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    assign(await sequence.takeMany(count));
    try {
      await insert();
      return;
    } catch (error) {
      if (!isDuplicateKey(error) || attempt === numberAttempts) throw error;
      await takeBack();
      sequence.skipBlock();
    }
  }
}

/**
 * Numbers, oldest first and 500 at a time, the documents of `collection` stored without `field`: a document
 * migration, safe to run twice (one numbered meanwhile by another instance keeps its number).
 */
export async function numberUnnumbered(collection: MongoCollection<Document>, field: string, sequence: Sequence): Promise<void> {
  for (;;) {
    const batch = await collection.find({ [field]: { $exists: false } }, { projection: { _id: 1 } }).sort({ _id: 1 }).limit(500).toArray();
    if (batch.length === 0) return;
    const taken = await sequence.takeMany(batch.length);
    await collection.bulkWrite(
      batch.map(({ _id }, i) => ({ updateOne: { filter: { _id: _id as ObjectId, [field]: { $exists: false } }, update: { $set: { [field]: taken[i] } } } })),
    );
  }
}
