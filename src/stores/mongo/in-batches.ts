/** `items` in arrays of `batch`, the last one shorter: a cursor's documents a batch at a time. */
export async function* inBatches<T>(items: AsyncIterable<T>, batch: number): AsyncIterable<T[]> {
  let taken: T[] = [];
  for await (const item of items) {
    taken.push(item);
    if (taken.length === batch) {
      yield taken;
      taken = [];
    }
  }
  if (taken.length > 0) yield taken;
}
