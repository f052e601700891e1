/**
 * Word accuracy of recognized text against the truth: how many of the truth's words the recognized
 * text has (as a multiset: each recognized word matches at most one truth word), over the truth's
 * word count. Order is ignored on purpose: a table read column by column instead of row by row is a
 * reading-order question, not a misread word. Words are whitespace-separated and compared exactly
 * after trimming surrounding punctuation (`Total:` matches `Total`; `1234.56` must be exact). Extra
 * recognized words (noise) do not lower it; a missing or misread word does. Pure.
 */
export function wordAccuracy(truth: string, recognized: string): { matched: number; words: number } {
  const left = new Map<string, number>();
  for (const w of words(recognized)) left.set(w, (left.get(w) ?? 0) + 1);
  const expected = words(truth);
  let matched = 0;
  for (const w of expected) {
    const n = left.get(w) ?? 0;
    if (n > 0) {
      left.set(w, n - 1);
      matched += 1;
    }
  }
  return { matched, words: expected.length };
}

export function words(text: string): string[] {
  return text
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ""))
    .filter((w) => w.length > 0);
}
