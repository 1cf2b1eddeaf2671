/**
 * mulberry32: a tiny 32-bit generator, fast and evenly spread, which is all
 * test data needs (never use it for anything secret). Answers numbers in [0, 1).
 */
export function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The generator of item `index` of one kind of item (`stream`): each item is
 * drawn from its own, so it is the same whatever was drawn before it and
 * however many items there are.
 */
export function itemGenerator(stream: number, index: number): () => number {
  return generator(Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(stream, 0x85ebca6b));
}

/** Tools over one generator. */
export class Draw {
  constructor(readonly next: () => number) {}

  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** An index below `count`, low ones far likelier: the lowest 1% are drawn about a fifth of the time. */
  skewed(count: number): number {
    return Math.floor(count * this.next() ** 3);
  }
}
