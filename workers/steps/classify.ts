import { z } from "zod";
import { defineStep } from "../sdk/define-step.ts";

const LABELS: readonly { label: string; words: readonly string[] }[] = [
  { label: "invoice", words: ["invoice", "amount due", "total", "payment"] },
  { label: "contract", words: ["agreement", "party", "parties", "term", "signature"] },
  { label: "letter", words: ["dear", "sincerely", "regards"] },
];

/**
 * A keyword classifier for the review demo: counts label keywords in `text` and returns the best
 * label with a naive confidence (`other` when nothing matches). Deterministic, no I/O.
 */
export const classify = defineStep({
  name: "classify",
  description: "Keyword classifier: the label whose keywords occur most in `text`, with a naive confidence.",
  input: z.object({ text: z.string().max(1_000_000) }),
  output: z.object({ label: z.string(), confidence: z.number().min(0).max(1) }),
  run: async ({ text }) => {
    const lower = text.toLowerCase();
    const scores = LABELS.map((l) => ({
      label: l.label,
      hits: l.words.filter((w) => lower.includes(w)).length,
    }));
    const best = scores.reduce((a, b) => (b.hits > a.hits ? b : a), { label: "other", hits: 0 });
    const total = scores.reduce((n, s) => n + s.hits, 0);
    return { label: best.label, confidence: total === 0 ? 0 : Math.round((best.hits / total) * 100) / 100 };
  },
});
