/** The accuracy benchmark's report: per-field table per set, classifier and OCR figures, summary line. */
import type { ClassifierModel } from "../../workers/ai/classify/model.ts";
import { formatTable } from "../lib/table.ts";
import { pct, ratio, type SetScore } from "./score.ts";

export interface AccuracyReportInput {
  seed: string;
  sets: SetScore[];
  model: ClassifierModel;
  ocrPagesPerSecond: number;
  ocrPages: number;
  seconds: number;
  machine: string;
}

/** Prints the report on stdout and returns the JSON result. */
export function printAccuracyReport(r: AccuracyReportInput): Record<string, unknown> {
  const fields = [...new Set(r.sets.flatMap((s) => [...s.perField.keys()]))].sort();
  const columns = [
    { header: "field", align: "left" as const },
    ...r.sets.map((s) => ({ header: s.set, align: "right" as const })),
  ];
  const rows = fields.map((f) => [
    f,
    ...r.sets.map((s) => {
      const t = s.perField.get(f);
      return t ? `${pct(ratio(t))}% (${t.right}/${t.total})` : "-";
    }),
  ]);
  rows.push([
    "all fields",
    ...r.sets.map((s) => `${pct(ratio(s.fields))}% (${s.fields.right}/${s.fields.total})`),
  ]);
  rows.push([
    "words read (vs truth text)",
    ...r.sets.map((s) => `${pct(ratio(s.words))}% (${s.words.right}/${s.words.total})`),
  ]);
  rows.push([
    "type (classifier)",
    ...r.sets.map(
      (s) => `${pct(s.classifiedRight / Math.max(1, s.documents))}% (${s.classifiedRight}/${s.documents})`,
    ),
  ]);
  console.log(`accuracy benchmark: seed ${r.seed}, ${r.machine}`);
  console.log(formatTable(columns, rows));
  for (const s of r.sets) {
    if (s.misses.length === 0) continue;
    const shown = s.misses
      .slice(0, 8)
      .map((m) => `${m.field}: ${JSON.stringify(m.want)} → ${JSON.stringify(m.got)}`);
    console.log(`misses in ${s.set} (${s.misses.length}; first ${shown.length}):\n  ${shown.join("\n  ")}`);
  }
  const docs = r.sets.reduce((n, s) => n + s.documents, 0);
  const typed = r.sets.reduce((n, s) => n + s.classifiedRight, 0);
  const classifier = typed / Math.max(1, docs);
  const m = r.model.metrics;
  console.log(
    `classifier v${r.model.version}: ${pct(classifier)}% of ${docs} fresh documents; held-out accuracy at training ${pct(m.heldOutAccuracy)}% (seed ${r.model.training.seed}, n ${r.model.training.n}), ECE ${pct(m.eceAfter)}%`,
  );
  console.log(
    `OCR: ${r.ocrPages} pages, ${r.ocrPagesPerSecond.toFixed(2)} pages/s (one engine per --ocr-engines)`,
  );
  console.log(`run time ${r.seconds.toFixed(0)} s`);
  const find = (name: string) => r.sets.find((s) => s.set === name);
  const pdf = find("text PDFs");
  const mild = find("mild scans");
  const summary = `accuracy: pdf ${pdf ? pct(ratio(pdf.fields)) : "-"}%, scans ${mild ? pct(ratio(mild.fields)) : "-"}%, classifier ${pct(classifier)}%`;
  console.log(summary);
  return {
    seed: r.seed,
    machine: r.machine,
    sets: r.sets.map((s) => ({
      set: s.set,
      documents: s.documents,
      classifiedRight: s.classifiedRight,
      fields: s.fields,
      perField: Object.fromEntries(s.perField),
      misses: s.misses,
    })),
    classifier: {
      fresh: classifier,
      heldOut: m.heldOutAccuracy,
      version: r.model.version,
      eceAfter: m.eceAfter,
    },
    ocr: { pages: r.ocrPages, pagesPerSecond: r.ocrPagesPerSecond },
    seconds: r.seconds,
    summary,
  };
}
