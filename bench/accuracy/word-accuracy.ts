/**
 * Word accuracy of recognized text against the truth: the words of the truth that the recognized
 * text has in the same order (longest common subsequence of word sequences), over the truth's word
 * count. Words are whitespace-separated, compared exactly after trimming surrounding punctuation
 * (`Total:` matches `Total`; `1234.56` must be exact). Extra recognized words (noise) do not lower
 * it; a missing or misread word does. 1 when the truth has no words. Pure.
 */
export function wordAccuracy(truth: string, recognized: string): { matched: number; words: number } {
  const a = words(truth);
  const b = words(recognized);
  return { matched: lcsLength(a, b), words: a.length };
}

export function words(text: string): string[] {
  return text
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ""))
    .filter((w) => w.length > 0);
}

function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      row[j] = x === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, row[j - 1]!);
    }
    prev = row;
  }
  return prev[b.length]!;
}
