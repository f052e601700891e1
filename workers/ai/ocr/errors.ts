/**
 * Errors of the OCR module, each with a closed `code` the `ocr` step maps to a task error name:
 * bad input is the document's fault (not retryable), an engine failure is the worker's (retryable).
 */

/** The bytes are not an image we can read, or one too large to decode safely. */
export class OcrInputError extends Error {
  constructor(
    readonly code: "unsupported" | "corrupt" | "too-large",
    message: string,
  ) {
    super(message);
    this.name = "OcrInputError";
  }
}

/** The recognizer failed (a rejected recognition, a crashed engine thread, a closed pool). */
export class OcrEngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OcrEngineError";
  }
}

/** A page kept its engine longer than the page budget (the engine was replaced). */
export class OcrTimeoutError extends Error {
  constructor(readonly budgetMs: number) {
    super(`recognition took longer than ${Math.round(budgetMs / 1000)} s (the page budget)`);
    this.name = "OcrTimeoutError";
  }
}

/** tesseract.js rejects with strings (sometimes with Errors): always an Error with a message. */
export function engineError(reason: unknown): OcrEngineError {
  if (reason instanceof OcrEngineError) return reason;
  const text = reason instanceof Error ? reason.message : String(reason);
  return new OcrEngineError(text.replace(/^Error:\s*/, "") || "recognition failed");
}
