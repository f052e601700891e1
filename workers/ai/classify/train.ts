/**
 * Training of the document-type classifier (pure: labelled texts and a seed in, the artifact out;
 * `infra/train/` feeds it a generated corpus and writes the file). Deterministic for a seed.
 *
 * 1. Stratified split of the documents: 70 % train, 15 % calibration, 15 % test.
 * 2. Each split is expanded with OCR-like noisy copies (augment.ts), so scans are in every split.
 * 3. Multinomial logistic regression on hashed features (features.ts), full-batch Adam with L2.
 * 4. Weights are rounded to what the artifact stores; the temperature is fitted on the calibration
 *    split; accuracy, ECE and NLL are measured on the test split, which nothing was fitted on.
 */
import { ocrNoise } from "./augment.ts";
import { fitTemperature, nll, reliability, type Scored } from "./calibration.ts";
import { FEATURE_KINDS, featurize, type SparseVector } from "./features.ts";
import { classifyText, DOCUMENT_TYPES, logitsOf, type ClassifierModel, type DocumentType } from "./model.ts";
import { outlierText } from "./outliers.ts";
import { seededRng, shuffled, type Rng } from "./prng.ts";

export interface LabelledText {
  text: string;
  type: DocumentType;
}

export interface TrainOptions {
  seed: number;
  /** Number of source documents (recorded in the artifact). */
  n: number;
  version?: number;
  dims?: number;
  epochs?: number;
  l2?: number;
  learningRate?: number;
  /** Noisy copies per document in each split. */
  noisyCopies?: number;
  otherFloor?: number;
  trainedAt?: string;
  /** Progress lines (epoch losses). */
  log?: (line: string) => void;
}

export const DEFAULT_DIMS = 4096;
const NOISE_RATES = [0.01, 0.03, 0.06, 0.1];

interface Example {
  x: SparseVector;
  /** Index of the type, or -1 for an outlier (target: the uniform distribution). */
  y: number;
}

/** One outlier text per this many training documents. */
const OUTLIER_SHARE = 0.25;

function stratifiedSplit(
  docs: readonly LabelledText[],
  rng: Rng,
): { train: LabelledText[]; calibration: LabelledText[]; test: LabelledText[] } {
  const train: LabelledText[] = [];
  const calibration: LabelledText[] = [];
  const test: LabelledText[] = [];
  for (const type of DOCUMENT_TYPES) {
    const of = shuffled(
      docs.filter((d) => d.type === type),
      rng,
    );
    const nTest = Math.max(1, Math.round(of.length * 0.15));
    const nCal = Math.max(1, Math.round(of.length * 0.15));
    test.push(...of.slice(0, nTest));
    calibration.push(...of.slice(nTest, nTest + nCal));
    train.push(...of.slice(nTest + nCal));
  }
  return { train, calibration, test };
}

function expand(docs: readonly LabelledText[], copies: number, rng: Rng): LabelledText[] {
  const out: LabelledText[] = [];
  for (const d of docs) {
    out.push(d);
    for (let c = 0; c < copies; c++) {
      const rate = NOISE_RATES[c % NOISE_RATES.length]! * (0.5 + rng());
      out.push({ text: ocrNoise(d.text, rng, rate), type: d.type });
    }
  }
  return out;
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

export interface TrainResult {
  model: ClassifierModel;
  /** Human-readable summary lines (accuracy, calibration, reliability). */
  report: string[];
}

export function trainClassifier(docs: readonly LabelledText[], opts: TrainOptions): TrainResult {
  const dims = opts.dims ?? DEFAULT_DIMS;
  const epochs = opts.epochs ?? 120;
  const l2 = opts.l2 ?? 1e-4;
  const lr = opts.learningRate ?? 0.02;
  const copies = opts.noisyCopies ?? 3;
  const labels = [...DOCUMENT_TYPES];
  const K = labels.length;
  const rng = seededRng(opts.seed);
  const split = stratifiedSplit(docs, rng);
  const toExamples = (list: LabelledText[]): Example[] =>
    list.map((d) => ({ x: featurize(d.text, dims), y: labels.indexOf(d.type) }));
  const trainSet = expand(split.train, copies, rng);
  const calSet = expand(split.calibration, copies, rng);
  const testSet = expand(split.test, copies, rng);
  const outlierExamples = (count: number): Example[] =>
    Array.from({ length: count }, () => ({ x: featurize(outlierText(rng), dims), y: -1 }));
  const train = [...toExamples(trainSet), ...outlierExamples(Math.ceil(trainSet.length * OUTLIER_SHARE))];
  const cal = [...toExamples(calSet), ...outlierExamples(Math.ceil(calSet.length * OUTLIER_SHARE))];
  const test = toExamples(testSet);

  // Full-batch Adam on softmax cross-entropy + L2.
  const W = Array.from({ length: K }, () => new Float64Array(dims));
  const b = new Float64Array(K);
  const mW = Array.from({ length: K }, () => new Float64Array(dims));
  const vW = Array.from({ length: K }, () => new Float64Array(dims));
  const mb = new Float64Array(K);
  const vb = new Float64Array(K);
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const gW = Array.from({ length: K }, () => new Float64Array(dims));
    const gb = new Float64Array(K);
    let loss = 0;
    for (const ex of train) {
      const logits = logitsOf(W, [...b], ex.x);
      const max = Math.max(...logits);
      const exps = logits.map((l) => Math.exp(l - max));
      const sum = exps.reduce((s, e) => s + e, 0);
      for (let k = 0; k < K; k++) {
        const target = ex.y < 0 ? 1 / K : k === ex.y ? 1 : 0;
        if (target > 0) loss -= target * Math.log(exps[k]! / sum);
        const d = exps[k]! / sum - target;
        gb[k]! += d;
        const row = gW[k]!;
        for (let i = 0; i < ex.x.index.length; i++) row[ex.x.index[i]!]! += d * ex.x.value[i]!;
      }
    }
    const n = train.length;
    for (let k = 0; k < K; k++) {
      const w = W[k]!;
      const g = gW[k]!;
      const m = mW[k]!;
      const v = vW[k]!;
      for (let j = 0; j < dims; j++) {
        const grad = g[j]! / n + l2 * w[j]!;
        m[j] = beta1 * m[j]! + (1 - beta1) * grad;
        v[j] = beta2 * v[j]! + (1 - beta2) * grad * grad;
        w[j]! -= (lr * (m[j]! / (1 - beta1 ** epoch))) / (Math.sqrt(v[j]! / (1 - beta2 ** epoch)) + eps);
      }
      const grad = gb[k]! / n;
      mb[k] = beta1 * mb[k]! + (1 - beta1) * grad;
      vb[k] = beta2 * vb[k]! + (1 - beta2) * grad * grad;
      b[k]! -= (lr * (mb[k]! / (1 - beta1 ** epoch))) / (Math.sqrt(vb[k]! / (1 - beta2 ** epoch)) + eps);
    }
    if (epoch === 1 || epoch % 20 === 0 || epoch === epochs) {
      opts.log?.(`[train] epoch ${epoch}/${epochs} loss ${(loss / n).toFixed(4)}`);
    }
  }

  // What the artifact stores, and everything below is measured on exactly that.
  const weights = W.map((row) => Array.from(row, round4));
  const bias = Array.from(b, round4);
  const scored = (list: Example[]): Scored[] =>
    list.map((e) => ({ logits: logitsOf(weights, bias, e.x), label: e.y }));
  const calScored = scored(cal);
  const testScored = scored(test);
  const temperature = round4(fitTemperature(calScored));
  const before = reliability(testScored, 1);
  const after = reliability(testScored, temperature);

  const model: ClassifierModel = {
    format: "sluice-classifier",
    version: opts.version ?? 1,
    labels,
    features: { dims, kinds: [...FEATURE_KINDS] },
    weights,
    bias,
    temperature,
    otherFloor: opts.otherFloor ?? 0.5,
    training: {
      seed: opts.seed,
      n: opts.n,
      ...(opts.trainedAt ? { trainedAt: opts.trainedAt } : {}),
      examples: { train: train.length, calibration: cal.length, test: test.length },
      augmentation: `${copies} OCR-noise copies per document, rates ${NOISE_RATES.join("/")} × U(0.5, 1.5)`,
      epochs,
      l2,
    },
    metrics: {
      heldOutAccuracy: 0,
      eceBefore: round4(before.ece),
      eceAfter: round4(after.ece),
      nllBefore: round4(nll(testScored, 1)),
      nllAfter: round4(nll(testScored, temperature)),
      perType: {},
      reliability: after.table.map((r) => ({
        from: r.from,
        to: round4(r.to),
        count: r.count,
        confidence: round4(r.confidence),
        accuracy: round4(r.accuracy),
      })),
    },
  };

  // Held-out accuracy as the step decides (the `other` floor applies).
  let correct = 0;
  const perType = new Map<string, { n: number; ok: number }>();
  for (const d of testSet) {
    const ok = classifyText(model, d.text).type === d.type;
    correct += ok ? 1 : 0;
    const t = perType.get(d.type) ?? { n: 0, ok: 0 };
    t.n++;
    t.ok += ok ? 1 : 0;
    perType.set(d.type, t);
  }
  model.metrics.heldOutAccuracy = round4(correct / Math.max(1, testSet.length));
  for (const [type, t] of perType) model.metrics.perType[type] = round4(t.ok / t.n);

  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  const report = [
    `[train] documents ${docs.length}: train ${split.train.length}, calibration ${split.calibration.length}, test ${split.test.length} (each + ${copies} noisy copies)`,
    `[train] held-out accuracy ${pct(model.metrics.heldOutAccuracy)} on ${testSet.length} test texts; per type ${[...perType.entries()].map(([t, v]) => `${t} ${pct(v.ok / v.n)}`).join(", ")}`,
    `[train] temperature ${temperature}; test NLL ${model.metrics.nllBefore} → ${model.metrics.nllAfter}; ECE ${pct(model.metrics.eceBefore)} → ${pct(model.metrics.eceAfter)}`,
    "[train] reliability (test, calibrated): confidence bin | count | mean confidence | accuracy",
    ...after.table.map(
      (r) =>
        `[train]   ${r.from.toFixed(1)}-${r.to.toFixed(1)} | ${String(r.count).padStart(4)} | ${r.confidence.toFixed(3)} | ${r.accuracy.toFixed(3)}`,
    ),
  ];
  return { model, report };
}
