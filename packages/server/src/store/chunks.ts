// Splits a list of values into chunks whose lengths are powers of two (64 at most): a statement
// over a list has a new SQL text, and a new prepared statement, for each length it is given, so
// the hot paths keep to seven lengths instead of one per batch size.
export function powerOfTwoChunks<T>(items: readonly T[], largest = 64): T[][] {
  const chunks: T[][] = [];
  let start = 0;
  while (start < items.length) {
    let size = largest;
    while (size > items.length - start) size /= 2;
    chunks.push(items.slice(start, start + size));
    start += size;
  }
  return chunks;
}
