/** How many password hashes may run at once, and how many may wait for a turn. */
export interface HashLimit {
  concurrency: number;
  queue: number;
}

/** Two at once (256 MiB at the default cost) and a few waiting: about a second and a half of work queued. */
export const defaultHashLimit: HashLimit = { concurrency: 2, queue: 4 };

/** Every slot and every place in the queue is taken: the request is refused at once rather than held. */
export class HashingBusyError extends Error {
  override name = 'HashingBusyError';

  constructor() {
    super('too many password checks are in progress');
  }
}

/**
 * A semaphore over password hashing. Each scrypt hash holds 128 MiB and a core
 * for most of a second at the default cost, so without a bound a burst of
 * sign-ups and logins grows memory and delays every other login; with one,
 * memory stays flat and what cannot wait its turn in a short queue is refused.
 */
export class HashSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: HashLimit) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /** Resolves when a slot is held; rejects with HashingBusyError when the queue is full. */
  acquire(): Promise<void> {
    if (this.running < this.limit.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.limit.queue) return Promise.reject(new HashingBusyError());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot to the first in the queue, or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.running -= 1;
    else next();
  }

  /** How many wait for a slot. */
  get queued(): number {
    return this.waiting.length;
  }
}
