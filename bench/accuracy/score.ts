/**
 * Scoring of the accuracy benchmark (pure): each document's extracted fields against its ground
 * truth, per set (text PDFs, mild scans, harsh scans, ...) and per `type.field`. A field counts as
 * right when the extracted value equals the truth after trimming, case folding and collapsing
 * spaces (dates, amounts and currencies are already normalized on both sides). A document the
 * classifier got wrong is scored on the truth's fields all the same (what it extracted for the wrong
 * type counts as missing), so a set's figure is end to end: classify + extract.
 */

export interface ScoredDocument {
  set: string;
  type: string;
  predictedType: string;
  truthFields: Record<string, string>;
  extracted: Record<string, { value: string | null; confidence: number }>;
  /** Words of the truth's text found in the text read, in order (bench/accuracy/word-accuracy.ts). */
  words: FieldTally;
}

export interface FieldTally {
  right: number;
  total: number;
}

export interface SetScore {
  set: string;
  documents: number;
  classifiedRight: number;
  fields: FieldTally;
  /** The text read against the truth's text, in words. */
  words: FieldTally;
  /** `type.field` → tally. */
  perField: Map<string, FieldTally>;
  /** The field-level misses, for the report (`id type.field: want → got`). */
  misses: { field: string; want: string; got: string | null }[];
}

export function sameValue(want: string, got: string | null | undefined): boolean {
  if (got === null || got === undefined) return false;
  const norm = (s: string): string => s.trim().replace(/\s+/g, " ").toLowerCase();
  return norm(want) === norm(got);
}

export function scoreSets(docs: readonly ScoredDocument[]): SetScore[] {
  const sets = new Map<string, SetScore>();
  for (const d of docs) {
    let s = sets.get(d.set);
    if (!s) {
      s = {
        set: d.set,
        documents: 0,
        classifiedRight: 0,
        fields: { right: 0, total: 0 },
        words: { right: 0, total: 0 },
        perField: new Map(),
        misses: [],
      };
      sets.set(d.set, s);
    }
    s.documents++;
    s.words.right += d.words.right;
    s.words.total += d.words.total;
    if (d.predictedType === d.type) s.classifiedRight++;
    for (const [name, want] of Object.entries(d.truthFields)) {
      const key = `${d.type}.${name}`;
      const tally = s.perField.get(key) ?? { right: 0, total: 0 };
      const got = d.predictedType === d.type ? d.extracted[name]?.value : null;
      const ok = sameValue(want, got);
      tally.total++;
      s.fields.total++;
      if (ok) {
        tally.right++;
        s.fields.right++;
      } else {
        s.misses.push({ field: key, want, got: got ?? null });
      }
      s.perField.set(key, tally);
    }
  }
  return [...sets.values()];
}

export const ratio = (t: FieldTally): number => (t.total === 0 ? 1 : t.right / t.total);
export const pct = (x: number): string => `${(x * 100).toFixed(1)}`;
