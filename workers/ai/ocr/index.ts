export { createOcrPool, type OcrPool, type OcrPoolOptions, type OcrPoolStats } from "./pool.ts";
export { ocrImage, OCR_PAGE_BUDGET_MS, type OcrImageOptions } from "./ocr-image.ts";
export { OcrEngineError, OcrInputError, OcrTimeoutError } from "./errors.ts";
export { tesseractEngineFactory, englishLangPath } from "./tesseract-engine.ts";
export type { OcrEngine, OcrEngineFactory } from "./engine.ts";
export { prepareImage, MAX_INPUT_PIXELS, MAX_OCR_PIXELS, type PreparedImage } from "./prepare.ts";
