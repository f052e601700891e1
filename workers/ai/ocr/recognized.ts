/**
 * The part of a tesseract.js recognition result the OCR module reads (`blocks: true` output), as a
 * structural type so pure code and tests do not depend on the engine.
 */
export interface RecognizedBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface RecognizedWord {
  text: string;
  /** 0..100 as tesseract reports it. */
  confidence: number;
  bbox: RecognizedBox;
}

export interface RecognizedLine {
  words: RecognizedWord[];
}

export interface RecognizedPage {
  blocks: { paragraphs: { lines: RecognizedLine[] }[] }[] | null;
}
