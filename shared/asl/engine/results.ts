/**
 * Results of a Parallel/Map fan-out, kept in fixed-size chunks (`Fan.out`) so that recording one
 * child's result copies only its chunk and the (short) list of chunks, never the whole results
 * array: O(√n) per finished child instead of O(n). Chunks are plain JSON arrays, immutable once in
 * a state, so unchanged chunks are shared by successive states (and their serialized text is
 * cached by identity, see serialize.ts).
 */

/** Chunk size for `n` children: about √n, at least 16 (small fan-outs use one chunk). */
export function resultChunkSize(n: number): number {
  return Math.max(16, Math.ceil(Math.sqrt(n)));
}

/** The chunks with child `index`'s result set; missing chunks are created filled with null. */
export function withResult(
  out: readonly unknown[][],
  cs: number,
  n: number,
  index: number,
  value: unknown,
): unknown[][] {
  const k = Math.floor(index / cs);
  const chunks = out.slice();
  while (chunks.length <= k) {
    const start = chunks.length * cs;
    chunks.push(new Array<unknown>(Math.max(0, Math.min(cs, n - start))).fill(null));
  }
  const chunk = chunks[k]!.slice();
  chunk[index - k * cs] = value;
  chunks[k] = chunk;
  return chunks;
}

/** The results in child order, as one fresh array of length `n` (unset results are null). */
export function allResults(out: readonly unknown[][], n: number): unknown[] {
  const all = new Array<unknown>(n);
  let i = 0;
  for (const chunk of out) {
    for (let j = 0; j < chunk.length && i < n; j++) all[i++] = chunk[j];
  }
  while (i < n) all[i++] = null;
  return all;
}
