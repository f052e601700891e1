import { z } from "zod";
import { StepError, type StepHandler } from "./registry.ts";

const ClassifyInput = z.object({ text: z.string().max(1_000_000) });

const LABELS: readonly { label: string; words: readonly string[] }[] = [
  { label: "invoice", words: ["invoice", "amount due", "total", "payment"] },
  { label: "contract", words: ["agreement", "party", "parties", "term", "signature"] },
  { label: "letter", words: ["dear", "sincerely", "regards"] },
];

/**
 * A keyword classifier for the review demo: counts label keywords in `text` and returns the best
 * label with a naive confidence (`other` when nothing matches). Deterministic, no I/O.
 */
export const classify: StepHandler = async (input) => {
  const parsed = ClassifyInput.safeParse(input);
  if (!parsed.success) {
    throw new StepError("Sluice.InvalidStepInput", parsed.error.issues.map((i) => i.message).join("; "));
  }
  const text = parsed.data.text.toLowerCase();
  const scores = LABELS.map((l) => ({
    label: l.label,
    hits: l.words.filter((w) => text.includes(w)).length,
  }));
  const best = scores.reduce((a, b) => (b.hits > a.hits ? b : a), { label: "other", hits: 0 });
  const total = scores.reduce((n, s) => n + s.hits, 0);
  return { label: best.label, confidence: total === 0 ? 0 : Math.round((best.hits / total) * 100) / 100 };
};
