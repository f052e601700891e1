/**
 * Text → sparse feature vector, shared by training and inference (one function, so the step sees
 * exactly the features the model was trained on). Text is normalized (lower case, accents folded,
 * digit runs collapsed to `0`, punctuation to spaces), then three kinds of features are hashed into
 * `dims` buckets with a sign bit (the hashing trick): word unigrams, word bigrams, and character
 * trigrams inside words (these survive OCR errors such as `lnvoice` for `invoice`). Counts are
 * sublinear (1 + ln tf) and the vector is L2-normalized, so long and short documents compare.
 */

export interface SparseVector {
  readonly index: Int32Array;
  readonly value: Float64Array;
}

export const FEATURE_KINDS = ["word", "bigram", "char3"] as const;

/** Lower-cased, accent-folded tokens of letters and digits (digit runs become `0`). */
export function tokenize(text: string): string[] {
  const folded = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[0-9]+/g, "0")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
  return folded === "" ? [] : folded.split(" ");
}

/** 32-bit FNV-1a over the UTF-16 code units of `s`. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The feature strings of a token list (before hashing). */
export function featureStrings(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    out.push(`w:${t}`);
    if (i + 1 < tokens.length) out.push(`b:${t}_${tokens[i + 1]!}`);
    if (t.length >= 3) {
      const padded = `^${t}$`;
      for (let j = 0; j + 3 <= padded.length; j++) out.push(`c:${padded.slice(j, j + 3)}`);
    }
  }
  return out;
}

/** Hashed, signed, sublinear, L2-normalized features of `text` in `dims` buckets. */
export function featurize(text: string, dims: number): SparseVector {
  const acc = new Map<number, number>();
  for (const f of featureStrings(tokenize(text))) {
    const h = fnv1a(f);
    const bucket = h % dims;
    const sign = h & 0x80000000 ? -1 : 1;
    acc.set(bucket, (acc.get(bucket) ?? 0) + sign);
  }
  const entries = [...acc.entries()].filter(([, v]) => v !== 0).sort((a, b) => a[0] - b[0]);
  const index = new Int32Array(entries.length);
  const value = new Float64Array(entries.length);
  let norm = 0;
  entries.forEach(([k, v], i) => {
    const s = Math.sign(v) * (1 + Math.log(Math.abs(v)));
    index[i] = k;
    value[i] = s;
    norm += s * s;
  });
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < value.length; i++) value[i]! /= norm;
  return { index, value };
}
