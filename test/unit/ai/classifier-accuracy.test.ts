/**
 * The shipped classifier (models/classifier/v1.json) on documents it has never seen: texts of a
 * freshly composed corpus (another seed than training's), clean as a text PDF reads and with
 * OCR-like noise as a scan reads. Accuracy must stay above a floor, the calibrated confidence must
 * track the accuracy (and never exceed it: heavier noise lowers it), and text unlike any type must fall to `other`. Training is deterministic.
 */
import { describe, expect, it } from "vitest";
import { composeDocument, DOC_TYPES } from "../../../infra/corpus/index.ts";
import { ocrNoise } from "../../../workers/ai/classify/augment.ts";
import { documentText } from "../../../workers/ai/classify/classify-layouts.ts";
import { CLASSIFIER_MODEL_VERSION, loadClassifierModel } from "../../../workers/ai/classify/load-model.ts";
import { classifyText, type DocumentType } from "../../../workers/ai/classify/model.ts";
import { outlierText } from "../../../workers/ai/classify/outliers.ts";
import { seededRng } from "../../../workers/ai/classify/prng.ts";
import { trainClassifier } from "../../../workers/ai/classify/train.ts";

function freshTexts(n: number, seed: string): { text: string; type: DocumentType }[] {
  return Array.from({ length: n }, (_, i) => {
    const doc = composeDocument(`${seed}:${i}`, { type: DOC_TYPES[i % DOC_TYPES.length] });
    return { text: documentText(doc.text.map((text, p) => ({ page: p + 1, text }))), type: doc.type };
  });
}

describe("the shipped classifier on a fresh held-out corpus", () => {
  const docs = freshTexts(60, "unit-held-out");

  it("is the versioned artifact the step loads, with its training metadata", async () => {
    const model = await loadClassifierModel();
    expect(model.version).toBe(CLASSIFIER_MODEL_VERSION);
    expect(model.training.n).toBeGreaterThanOrEqual(100);
    expect(model.metrics.heldOutAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(model.weights).toHaveLength(model.labels.length);
  });

  it("classifies clean texts with accuracy ≥ 95 %", async () => {
    const model = await loadClassifierModel();
    const right = docs.filter((d) => classifyText(model, d.text).type === d.type).length;
    expect(right / docs.length).toBeGreaterThanOrEqual(0.95);
  });

  it("classifies OCR-noisy texts (6 % character errors) with accuracy ≥ 90 %", async () => {
    const model = await loadClassifierModel();
    const rng = seededRng(5);
    const right = docs.filter((d) => classifyText(model, ocrNoise(d.text, rng, 0.06)).type === d.type).length;
    expect(right / docs.length).toBeGreaterThanOrEqual(0.9);
  });

  it("is calibrated: confidence tracks accuracy at scan-like noise, falls with noise, never overconfident", async () => {
    const model = await loadClassifierModel();
    const measure = (rate: number) => {
      const rng = seededRng(9);
      const results = docs.map((d) => {
        const c = classifyText(model, ocrNoise(d.text, rng, rate));
        return { ok: c.type === d.type, confidence: c.confidence };
      });
      return {
        accuracy: results.filter((r) => r.ok).length / results.length,
        confidence: results.reduce((s, r) => s + r.confidence, 0) / results.length,
      };
    };
    const mild = measure(0.04);
    const scan = measure(0.12);
    const heavy = measure(0.3);
    expect(Math.abs(scan.accuracy - scan.confidence)).toBeLessThan(0.05);
    expect(mild.confidence).toBeGreaterThan(scan.confidence);
    expect(scan.confidence).toBeGreaterThan(heavy.confidence);
    for (const m of [mild, scan, heavy]) expect(m.confidence - m.accuracy).toBeLessThan(0.05);
    for (const d of docs.slice(0, 10)) {
      const scores = Object.values(classifyText(model, d.text).scores);
      expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    }
  });

  it("answers `other` for text unlike any document type", async () => {
    const model = await loadClassifierModel();
    const rng = seededRng(77);
    const others = Array.from({ length: 40 }, () => classifyText(model, outlierText(rng)));
    expect(others.filter((c) => c.type === "other").length / others.length).toBeGreaterThanOrEqual(0.9);
    expect(classifyText(model, "").type).toBe("other");
  });
});

describe("training", () => {
  const docs = freshTexts(40, "unit-train");

  it("is deterministic for a seed and differs for another", () => {
    const a = trainClassifier(docs, { seed: 3, n: 40, dims: 256, epochs: 15 }).model;
    const b = trainClassifier(docs, { seed: 3, n: 40, dims: 256, epochs: 15 }).model;
    const c = trainClassifier(docs, { seed: 4, n: 40, dims: 256, epochs: 15 }).model;
    expect(b).toEqual(a);
    expect(c.weights).not.toEqual(a.weights);
  });
});
