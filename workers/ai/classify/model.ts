import { z } from "zod";
import { featurize, type SparseVector } from "./features.ts";

/**
 * The classifier artifact (`models/classifier/v<N>.json`) and inference over it: a multinomial
 * logistic regression over hashed text features (features.ts), whose logits are divided by a
 * temperature fitted on held-out data (temperature scaling), so `confidence` is a calibrated
 * probability. A document whose top probability is below `otherFloor` is `other`.
 */

export const DOCUMENT_TYPES = ["invoice", "receipt", "contract", "letter", "purchase_order"] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];
export const OTHER_TYPE = "other";
export type ClassifiedType = DocumentType | typeof OTHER_TYPE;

export const ClassifierModelSchema = z.strictObject({
  format: z.literal("sluice-classifier"),
  version: z.number().int().min(1),
  labels: z.array(z.enum(DOCUMENT_TYPES)).min(2),
  features: z.strictObject({
    dims: z
      .number()
      .int()
      .min(16)
      .max(1 << 20),
    kinds: z.array(z.string()),
  }),
  /** labels.length rows of `dims` weights. */
  weights: z.array(z.array(z.number())),
  bias: z.array(z.number()),
  /** Logits are divided by this before the softmax (fitted on the calibration split). */
  temperature: z.number().positive(),
  /** Below this top probability the type is `other`. */
  otherFloor: z.number().min(0).max(1),
  training: z.strictObject({
    seed: z.number().int(),
    n: z.number().int().min(1),
    trainedAt: z.string().optional(),
    examples: z.strictObject({ train: z.number(), calibration: z.number(), test: z.number() }),
    augmentation: z.string(),
    epochs: z.number().int(),
    l2: z.number(),
  }),
  metrics: z.strictObject({
    /** Accuracy on the held-out test split (never seen by training or calibration). */
    heldOutAccuracy: z.number().min(0).max(1),
    /** Expected calibration error on the test split, before and after temperature scaling. */
    eceBefore: z.number().min(0).max(1),
    eceAfter: z.number().min(0).max(1),
    nllBefore: z.number().min(0),
    nllAfter: z.number().min(0),
    perType: z.record(z.string(), z.number()),
    reliability: z.array(
      z.strictObject({
        from: z.number(),
        to: z.number(),
        count: z.number(),
        confidence: z.number(),
        accuracy: z.number(),
      }),
    ),
  }),
});
export type ClassifierModel = z.infer<typeof ClassifierModelSchema>;

export interface Classification {
  type: ClassifiedType;
  /** Calibrated probability of the top type (also when the type is `other`). */
  confidence: number;
  /** Calibrated probability of every trained type. */
  scores: Record<string, number>;
}

/** Raw logits (before temperature) of a feature vector. */
export function logitsOf(
  weights: readonly ArrayLike<number>[],
  bias: readonly number[],
  x: SparseVector,
): number[] {
  return weights.map((row, k) => {
    let s = bias[k]!;
    for (let i = 0; i < x.index.length; i++) s += row[x.index[i]!]! * x.value[i]!;
    return s;
  });
}

export function softmax(logits: readonly number[], temperature = 1): number[] {
  const scaled = logits.map((l) => l / temperature);
  const max = Math.max(...scaled);
  const exps = scaled.map((l) => Math.exp(l - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/** Classifies `text` with a loaded model. Pure. */
export function classifyText(model: ClassifierModel, text: string): Classification {
  const x = featurize(text, model.features.dims);
  const probs = softmax(logitsOf(model.weights, model.bias, x), model.temperature);
  let best = 0;
  for (let k = 1; k < probs.length; k++) if (probs[k]! > probs[best]!) best = k;
  const scores: Record<string, number> = {};
  model.labels.forEach((label, k) => (scores[label] = round4(probs[k]!)));
  const confidence = round4(probs[best]!);
  const type: ClassifiedType =
    x.index.length === 0 || confidence < model.otherFloor ? OTHER_TYPE : model.labels[best]!;
  return { type, confidence, scores };
}
