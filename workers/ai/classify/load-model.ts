import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { ClassifierModelSchema, type ClassifierModel } from "./model.ts";

/**
 * The classifier artifact the `classify` step loads: `models/classifier/v<N>.json` at the repository
 * root, trained by `npm run train -- classifier` and committed. The production build copies
 * `models/` into `dist/models/`, the same place relative to this file. Validated on load (a
 * malformed artifact fails loudly at the first classification, not with wrong answers).
 */
export const CLASSIFIER_MODEL_VERSION = 1;
export const MODELS_DIR = resolve(import.meta.dirname, "../../../models");
export const CLASSIFIER_MODEL_PATH = resolve(MODELS_DIR, "classifier", `v${CLASSIFIER_MODEL_VERSION}.json`);

const cache = new Map<string, Promise<ClassifierModel>>();

export async function readClassifierModel(path: string): Promise<ClassifierModel> {
  const parsed = ClassifierModelSchema.safeParse(JSON.parse(await readFile(path, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `classifier model ${path} is invalid at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`,
    );
  }
  const m = parsed.data;
  if (
    m.weights.length !== m.labels.length ||
    m.bias.length !== m.labels.length ||
    m.weights.some((r) => r.length !== m.features.dims)
  ) {
    throw new Error(`classifier model ${path} is invalid: weights do not match labels × dims`);
  }
  return m;
}

/** The model at `path` (default: the shipped version), read once per process. */
export function loadClassifierModel(path: string = CLASSIFIER_MODEL_PATH): Promise<ClassifierModel> {
  let p = cache.get(path);
  if (!p) {
    p = readClassifierModel(path);
    p.catch(() => cache.delete(path));
    cache.set(path, p);
  }
  return p;
}
