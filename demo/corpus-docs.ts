import { corpusPlan, generateDocument, type DocKind, type GeneratedDocument } from "../infra/corpus/index.ts";

/**
 * `n` generated documents with their ground truth, in memory: the same plan and seeds as
 * `npm run corpus -- generate --n N --seed S` (types cycle fastest, then kinds, then scan strengths).
 */
export async function generateDocuments(
  n: number,
  seed: number,
  opts: { kinds?: readonly DocKind[]; onProgress?: (done: number) => void } = {},
): Promise<GeneratedDocument[]> {
  const plan = corpusPlan(n, undefined, opts.kinds);
  const out: GeneratedDocument[] = [];
  for (const [i, item] of plan.entries()) {
    out.push(
      await generateDocument(`${seed}:${i}`, { ...item, id: `doc-${String(i + 1).padStart(5, "0")}` }),
    );
    opts.onProgress?.(i + 1);
  }
  return out;
}
