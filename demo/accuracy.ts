import { z } from "zod";

/** What the corpus knows about a document (its `<id>.truth.json`, the parts the demo scores). */
export interface Truth {
  readonly type: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** A job's score against its document's truth. */
export interface Score {
  /** The classified type matches. */
  readonly typeRight: boolean;
  /** Fields whose extracted value matches the truth, and how many the truth has. */
  readonly fieldsRight: number;
  readonly fieldsTotal: number;
}

const ResultSchema = z.object({
  type: z.string().optional(),
  fields: z.record(z.string(), z.object({ value: z.unknown() }).loose()).optional(),
});

/** Case, spacing and surrounding punctuation do not count. */
export function normalizeValue(v: unknown): string {
  const s = typeof v === "string" ? v : v === null || v === undefined ? "" : JSON.stringify(v);
  return s
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/^[\s.,;:]+|[\s.,;:]+$/g, "");
}

/**
 * Scores a document-intelligence result (`{type, fields: {name: {value}}}`, as the workflow's output
 * or a review's data carries it) against the truth; a result of another shape scores nothing right.
 */
export function scoreResult(truth: Truth, result: unknown): Score {
  const parsed = ResultSchema.safeParse(result);
  const fields = parsed.success ? (parsed.data.fields ?? {}) : {};
  const names = Object.keys(truth.fields);
  const right = names.filter((n) => {
    const got = fields[n];
    return got !== undefined && normalizeValue(got.value) === normalizeValue(truth.fields[n]);
  }).length;
  return {
    typeRight: parsed.success && parsed.data.type === truth.type,
    fieldsRight: right,
    fieldsTotal: names.length,
  };
}

/** Sums scores: types right over documents, fields right over fields. */
export function sumScores(scores: readonly Score[]): {
  docs: number;
  typesRight: number;
  fieldsRight: number;
  fieldsTotal: number;
} {
  return scores.reduce(
    (a, s) => ({
      docs: a.docs + 1,
      typesRight: a.typesRight + (s.typeRight ? 1 : 0),
      fieldsRight: a.fieldsRight + s.fieldsRight,
      fieldsTotal: a.fieldsTotal + s.fieldsTotal,
    }),
    { docs: 0, typesRight: 0, fieldsRight: 0, fieldsTotal: 0 },
  );
}
