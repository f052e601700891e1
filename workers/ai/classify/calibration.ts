/**
 * Calibration: temperature scaling (one scalar dividing the logits, fitted by minimizing the
 * negative log-likelihood on a held-out split) and its measures, the expected calibration error
 * (ECE: |accuracy − confidence| per confidence bin, weighted by the bin's share) and a reliability
 * table. Outliers (label -1) count in the NLL with a uniform target, so the fitted temperature
 * also keeps text unlike any type uncertain; the ECE and the table are over typed documents only.
 * Pure.
 */
import { softmax } from "./model.ts";

export interface Scored {
  logits: readonly number[];
  /** Index of the true type, or -1 for an outlier (target: the uniform distribution). */
  label: number;
}

export function nll(items: readonly Scored[], temperature: number): number {
  if (items.length === 0) return 0;
  let sum = 0;
  for (const it of items) {
    const p = softmax(it.logits, temperature);
    if (it.label >= 0) sum -= Math.log(Math.max(p[it.label]!, 1e-12));
    else sum -= p.reduce((s, pk) => s + Math.log(Math.max(pk, 1e-12)), 0) / p.length;
  }
  return sum / items.length;
}

/** The temperature in [0.05, 20] minimizing the NLL (golden-section search on ln T). */
export function fitTemperature(items: readonly Scored[]): number {
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  let a = hi - g * (hi - lo);
  let b = lo + g * (hi - lo);
  let fa = nll(items, Math.exp(a));
  let fb = nll(items, Math.exp(b));
  for (let i = 0; i < 60; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - g * (hi - lo);
      fa = nll(items, Math.exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + g * (hi - lo);
      fb = nll(items, Math.exp(b));
    }
  }
  return Math.exp((lo + hi) / 2);
}

export interface ReliabilityBin {
  from: number;
  to: number;
  count: number;
  confidence: number;
  accuracy: number;
}

/** Reliability table (non-empty bins of the top probability) and the ECE. */
export function reliability(
  items: readonly Scored[],
  temperature: number,
  bins = 10,
): { ece: number; table: ReliabilityBin[] } {
  const acc = Array.from({ length: bins }, () => ({ n: 0, conf: 0, correct: 0 }));
  for (const it of items) {
    if (it.label < 0) continue;
    const p = softmax(it.logits, temperature);
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
    const bin = acc[Math.min(bins - 1, Math.floor(p[best]! * bins))]!;
    bin.n++;
    bin.conf += p[best]!;
    bin.correct += best === it.label ? 1 : 0;
  }
  let ece = 0;
  const table: ReliabilityBin[] = [];
  acc.forEach((b, i) => {
    if (b.n === 0) return;
    const confidence = b.conf / b.n;
    const accuracy = b.correct / b.n;
    ece += (b.n / Math.max(1, items.length)) * Math.abs(accuracy - confidence);
    table.push({ from: i / bins, to: (i + 1) / bins, count: b.n, confidence, accuracy });
  });
  return { ece, table };
}
