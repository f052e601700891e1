import type { RecognizedPage } from "./recognized.ts";

/**
 * One recognizer instance (a tesseract.js worker thread with the English model loaded). It runs one
 * recognition at a time; the pool guarantees that. `terminate` ends it at once, also in the middle of
 * a recognition (whose promise may then never settle: callers race it against their own abort).
 */
export interface OcrEngine {
  recognize(png: Buffer): Promise<RecognizedPage>;
  /** True once the engine's thread died or was terminated: the pool replaces it. */
  readonly broken: boolean;
  terminate(): Promise<void>;
}

export type OcrEngineFactory = () => Promise<OcrEngine>;
