import { describe, expect, it } from "vitest";
import { fitTemperature, nll, reliability } from "../../../workers/ai/classify/calibration.ts";
import { featurize, tokenize } from "../../../workers/ai/classify/features.ts";
import { classifyText, softmax } from "../../../workers/ai/classify/model.ts";
import { ocrNoise } from "../../../workers/ai/classify/augment.ts";
import { seededRng } from "../../../workers/ai/classify/prng.ts";

describe("features", () => {
  it("normalizes case, accents, digits and punctuation", () => {
    expect(tokenize("Invoice No. 2026-0042: Café TOTAL")).toEqual([
      "invoice",
      "no",
      "0",
      "0",
      "cafe",
      "total",
    ]);
  });

  it("is L2-normalized and the same for the same text", () => {
    const a = featurize("Invoice total due", 1024);
    const norm = Math.sqrt(a.value.reduce((s, v) => s + v * v, 0));
    expect(norm).toBeCloseTo(1, 9);
    expect(featurize("Invoice total due", 1024)).toEqual(a);
    expect(featurize("", 1024).index.length).toBe(0);
  });

  it("keeps most character trigrams of a word through OCR noise", () => {
    const noisy = ocrNoise("invoice number total amount due payment", seededRng(3), 0.08);
    const clean = new Set(featurize("invoice number total amount due payment", 4096).index);
    const shared = [...featurize(noisy, 4096).index].filter((i) => clean.has(i)).length;
    expect(shared / clean.size).toBeGreaterThan(0.5);
  });
});

describe("calibration", () => {
  // Overconfident logits: right 80 % of the time but always ~99 % sure.
  const rng = seededRng(11);
  const items = Array.from({ length: 500 }, () => {
    const label = Math.floor(rng() * 3);
    const predicted = rng() < 0.8 ? label : (label + 1) % 3;
    const logits = [0, 0, 0].map((_, k) => (k === predicted ? 6 : 0) + rng() * 0.5);
    return { logits, label };
  });

  it("fits a temperature above 1 for an overconfident model and lowers NLL and ECE", () => {
    const t = fitTemperature(items);
    expect(t).toBeGreaterThan(1.5);
    expect(nll(items, t)).toBeLessThan(nll(items, 1));
    const before = reliability(items, 1).ece;
    const after = reliability(items, t).ece;
    expect(before).toBeGreaterThan(0.15);
    expect(after).toBeLessThan(0.05);
  });

  it("reliability bins count every typed item and skip outliers", () => {
    const { table } = reliability([...items, { logits: [1, 1, 1], label: -1 }], 1);
    expect(table.reduce((s, b) => s + b.count, 0)).toBe(items.length);
  });

  it("softmax with a temperature keeps the order and flattens", () => {
    const p1 = softmax([2, 1, 0]);
    const p3 = softmax([2, 1, 0], 3);
    expect(p3[0]).toBeLessThan(p1[0]!);
    expect(p3[0]).toBeGreaterThan(p3[1]!);
  });
});

describe("classifyText", () => {
  it("answers other below the floor and for empty text", () => {
    const model = {
      format: "sluice-classifier" as const,
      version: 1,
      labels: ["invoice", "receipt"] as ("invoice" | "receipt")[],
      features: { dims: 16, kinds: [] },
      weights: [Array(16).fill(0), Array(16).fill(0)],
      bias: [0.1, 0],
      temperature: 1,
      otherFloor: 0.6,
      training: {
        seed: 1,
        n: 1,
        examples: { train: 0, calibration: 0, test: 0 },
        augmentation: "",
        epochs: 0,
        l2: 0,
      },
      metrics: {
        heldOutAccuracy: 0,
        eceBefore: 0,
        eceAfter: 0,
        nllBefore: 0,
        nllAfter: 0,
        perType: {},
        reliability: [],
      },
    };
    expect(classifyText(model, "anything").type).toBe("other");
    expect(classifyText({ ...model, otherFloor: 0.5 }, "anything")).toMatchObject({ type: "invoice" });
    expect(classifyText({ ...model, otherFloor: 0.5 }, "").type).toBe("other");
  });
});
