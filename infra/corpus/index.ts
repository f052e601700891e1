/** The corpus generator's public API (infra/: tests, bench and the demo use it; steps must not). */
export { Rng, type Seed } from "./prng.ts";
export { composeDocument } from "./compose.ts";
export {
  generateDocument,
  generateCorpus,
  corpusDocuments,
  corpusPlan,
  MIME_OF,
  type DocExt,
  type DocumentOptions,
  type GeneratedDocument,
  type CorpusOptions,
  type CorpusSpec,
  type CorpusManifest,
  type ManifestEntry,
} from "./generate.ts";
export {
  DOC_TYPES,
  DOC_KINDS,
  STRENGTHS,
  FIELD_NAMES,
  TruthSchema,
  type DocType,
  type DocKind,
  type Strength,
  type Truth,
  type ComposedDocument,
} from "./types.ts";
export { pageText, type PageSpec } from "./page-model.ts";
export { renderPageImage, DEFAULT_SCALE } from "./render-image.ts";
export {
  BAD_INPUT_NAMES,
  makeBadInput,
  makeBadInputs,
  writeBadInputs,
  type BadInput,
  type BadInputName,
  type BadInputOptions,
} from "./bad-inputs.ts";
